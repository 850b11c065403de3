// Cell runs as the notebook shows them: outputs merged and replaced like the lab book stores them,
// executions queued, started, finished or dropped, and stale outputs told apart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CellId, CellOutput } from '../../../engine/api/notebook';
import {
  appendOutput,
  errorLine,
  executionLabel,
  finishedRun,
  isStale,
  NO_RUN,
  outputRun,
  queuedRun,
  restoredRun,
  startedRun,
} from '../../../renderer/notebook/cell-runs';

const out = (text: string, name: 'stdout' | 'stderr' = 'stdout'): CellOutput => ({ type: 'stream', name, text });
const progress = (key: string, done: number): CellOutput => ({ type: 'progress', key, label: key, done, total: 10 });

describe('appendOutput', () => {
  it('replaces the progress output with the same key where it stands, and adds one with a new key', () => {
    let outputs = appendOutput([], progress('run-1', 1));
    outputs = appendOutput(outputs, { type: 'result', text: 'r' });
    outputs = appendOutput(outputs, progress('run-1', 5));
    outputs = appendOutput(outputs, progress('run-2', 2));
    assert.deepEqual(outputs, [progress('run-1', 5), { type: 'result', text: 'r' }, progress('run-2', 2)]);
  });

  it('continues a stream with more of the same stream, and starts a new one otherwise', () => {
    let outputs = appendOutput([], out('a\n'));
    outputs = appendOutput(outputs, out('b\n'));
    outputs = appendOutput(outputs, out('warn\n', 'stderr'));
    outputs = appendOutput(outputs, out('c\n'));
    assert.deepEqual(outputs, [out('a\nb\n'), out('warn\n', 'stderr'), out('c\n')]);
  });

  it('never changes the list it was given, and keeps untouched outputs as the same objects', () => {
    const first = progress('k', 1);
    const keep = { type: 'result', text: 'x' } as const;
    const before: CellOutput[] = [first, keep];
    const after = appendOutput(before, progress('k', 2));
    assert.deepEqual(before, [first, keep]);
    assert.equal(after[1], keep);
  });
});

describe('cell run lifecycle', () => {
  it('restores stored outputs with their count, hash and trust, merging stored stream pieces', () => {
    const run = restoredRun({
      cellId: 'c1' as CellId,
      sourceHash: 'abc',
      executionCount: 4,
      outputs: [out('1\n'), out('2\n')],
      trusted: false,
    });
    assert.deepEqual(run, { ...NO_RUN, executionCount: 4, outputs: [out('1\n2\n')], sourceHash: 'abc', trusted: false });
  });

  it('shows [*] while queued or running and the count after; a new start clears the outputs', () => {
    let run = restoredRun({ cellId: 'c' as CellId, sourceHash: 'old', executionCount: 2, outputs: [out('old\n')], trusted: false });
    assert.equal(executionLabel(run), '[2]');
    run = queuedRun(run);
    assert.equal(executionLabel(run), '[*]');
    assert.deepEqual(run.outputs, [out('old\n')], 'queued: the old outputs stay until it starts');
    run = startedRun(run, 7, 'new');
    assert.deepEqual([run.queued, run.running, run.outputs.length, run.sourceHash, run.trusted], [0, true, 0, 'new', true]);
    run = outputRun(run, out('hi\n'));
    run = finishedRun(run, 'interrupted', true);
    assert.deepEqual([executionLabel(run), run.ended, run.running, run.outputs], ['[7]', 'interrupted', false, [out('hi\n')]]);
  });

  it('leaves everything but the queue alone when an execution is dropped before it started', () => {
    const ran = finishedRun(outputRun(startedRun(NO_RUN, 1, 'h'), out('x\n')), 'ok', true);
    const dropped = finishedRun(queuedRun(ran), 'interrupted', false);
    assert.deepEqual(dropped, ran);
    assert.equal(executionLabel(NO_RUN), '[ ]');
  });

  it('calls outputs stale once the source hash differs, never when there are none', () => {
    const run = outputRun(startedRun(NO_RUN, 1, 'h1'), out('x'));
    assert.equal(isStale(run, 'h1'), false);
    assert.equal(isStale(run, 'h2'), true);
    assert.equal(isStale(startedRun(NO_RUN, 1, 'h1'), 'h2'), false);
  });

  it('finds the line of the last error', () => {
    let run = outputRun(startedRun(NO_RUN, 1, 'h'), { type: 'error', ename: 'E', evalue: 'v', traceback: [], line: 3 });
    assert.equal(errorLine(run), 3);
    run = outputRun(run, { type: 'error', ename: 'E', evalue: 'v', traceback: [] });
    assert.equal(errorLine(run), null, 'the last error has no line');
    assert.equal(errorLine(NO_RUN), null);
  });
});
