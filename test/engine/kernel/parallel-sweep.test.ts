// lab.sweep with runs trained at once in worker threads of a real kernel process: every run is
// recorded like any other (status, steps, metric series, snapshots, heartbeat), the runs are the very
// runs a one-at-a-time sweep makes (same seeds, same numbers), and an interrupt stops them all.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { RunId } from '../../../engine/api/schemas';
import { kernelService, textOf } from '../../helpers/lab-service';

const GRID = "{ model: 'slot-memory', task: 'binary-recall', set: { dim: 7, setSize: [3, 4, 5], corruptBits: 2, budgetFloats: 30, logEvery: 5, evalEvery: 10, evalEpisodes: 4 }, steps: 20, seeds: [0, 1] }";

describe('lab.sweep in parallel', () => {
  const k = kernelService();
  after(() => k.service.close());

  /** Everything the lab book holds about a run that a parallel sweep could get wrong, by run id. */
  const recorded = (runId: number) => {
    const run = k.service.store.getRun(runId as RunId);
    const series = Object.fromEntries(
      run.metrics.map((m) => {
        const s = k.service.store.readMetrics(runId as RunId, m.key, { maxPoints: 1000 })!;
        return [m.key, { steps: s.steps, values: s.values }];
      }),
    );
    return {
      status: run.status,
      step: run.step,
      config: JSON.stringify(run.spec),
      series,
      snapshots: run.snapshots.map((s) => `${s.kind}@${s.step}`).sort(),
    };
  };

  it('records every run of a two-lane sweep, identical to the same sweep run one at a time', async () => {
    const parallel = await k.run('p', `const wide = await lab.sweep({ ...${GRID}, parallel: 2 });\nwide.runs.map((r) => r.runId).join(',')`);
    assert.equal(parallel.status, 'ok', JSON.stringify(parallel.outputs));
    const labels = parallel.outputs.flatMap((o) => (o.type === 'progress' ? [o.label] : []));
    assert.ok(labels.some((l) => /2 at once/.test(l)), `the sweep did not say it trains two runs at once: ${labels.join('; ')}`);
    const serial = await k.run('s', `const narrow = await lab.sweep({ ...${GRID}, parallel: 1 });\nnarrow.runs.map((r) => r.runId).join(',')`);
    assert.equal(serial.status, 'ok', JSON.stringify(serial.outputs));
    const ids = (text: string) => /'([\d,]+)'/.exec(text)![1]!.split(',').map(Number);
    const wideIds = ids(textOf(parallel));
    const narrowIds = ids(textOf(serial));
    assert.equal(wideIds.length, 6);
    assert.equal(new Set(wideIds).size, 6);
    wideIds.forEach((id, i) => {
      const wide = recorded(id);
      const narrow = recorded(narrowIds[i]!);
      assert.equal(wide.status, 'FINISHED');
      assert.equal(wide.step, 20);
      assert.deepEqual(wide.snapshots, ['checkpoint@20', 'memory@20']);
      assert.deepEqual(Object.keys(wide.series).sort(), ['error_bits', 'loss']);
      assert.deepEqual(wide.series['loss']!.steps, Array.from({ length: 20 }, (_, s) => s + 1));
      assert.deepEqual(wide.series['error_bits']!.steps, [10, 20]);
      // Same combination, same seed, same backend: the same numbers whichever thread trained it.
      assert.equal(wide.config, narrow.config);
      assert.deepEqual(wide.series, narrow.series);
    });
  });

  it('evaluates the models of a sweep that learn nothing, training the others', async () => {
    const cell = await k.run(
      'mixed',
      "const mixed = await lab.sweep({ model: ['hopfield', 'slot-memory'], task: 'binary-recall', set: { dim: 7, setSize: 3, corruptBits: 2, evalEpisodes: 4 }, steps: 5 });\n" +
        "mixed.runs.map((r) => `${r.model}:${r.status}:${r.step}:${typeof r.metrics.error_bits}`).join(',')",
    );
    assert.equal(cell.status, 'ok', JSON.stringify(cell.outputs));
    assert.match(textOf(cell), /hopfield:FINISHED:0:number,slot-memory:FINISHED:5:number/);
  });

  it('stops every run of a parallel sweep on an interrupt, ending them KILLED', async () => {
    const started = k.start('i', "await lab.sweep({ model: 'slot-memory', task: 'binary-recall', set: { dim: 16, setSize: [3, 4, 5, 6], corruptBits: 4, logEvery: 1, evalEvery: 0, evalEpisodes: 2 }, steps: 100000, parallel: 2 });");
    let running: number[] = [];
    for (let i = 0; i < 300 && running.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      running = k.service.store.listRuns({ status: ['RUNNING'] }).filter((r) => r.step > 2).map((r) => r.id);
    }
    assert.equal(running.length, 2, 'two runs were training at once');
    k.service.cells.interrupt();
    const r = await started;
    assert.equal(r.status, 'interrupted');
    for (const id of running) assert.equal(k.service.store.getRunSummary(id as RunId).status, 'KILLED');
    assert.equal(k.service.store.listRuns({ status: ['RUNNING', 'PENDING'] }).length, 0, 'no run of the sweep was left behind');
  });
});
