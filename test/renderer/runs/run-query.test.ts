// Filtering and sorting the runs table.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_QUERY, matchesQuery, parseParamConditions, sortRuns, tableColumns } from '../../../renderer/runs/run-query';
import { runSummary } from '../../helpers/run-summary';

const runs = [
  runSummary({ id: 1, model: 'hopfield', taskConfig: { setSize: 8 }, finalMetrics: { error_bits: 0.5, loss: 2 }, tags: ['paper'] }),
  runSummary({ id: 2, model: 'slot-memory', taskConfig: { setSize: 32 }, finalMetrics: { error_bits: 0.25 }, status: 'FAILED' }),
  runSummary({ id: 3, model: 'hopfield', taskConfig: { setSize: 16 }, finalMetrics: { error_bits: 1 }, startedMs: null, endedMs: null }),
];
const ids = (list: readonly { id: number }[]) => list.map((r) => r.id);

describe('parseParamConditions()', () => {
  it('reads comma-separated conditions with any operator', () => {
    assert.deepEqual(parseParamConditions(' setSize>=16, model = hopfield ,name~slot'), [
      { key: 'setSize', op: '>=', value: '16' },
      { key: 'model', op: '=', value: 'hopfield' },
      { key: 'name', op: '~', value: 'slot' },
    ]);
  });

  it('names the bad part and what is allowed', () => {
    assert.throws(() => parseParamConditions('setSize>=16, bogus'), /parameter filter "bogus": write name, an operator \(= != < <= > >= ~\)/);
    assert.throws(() => parseParamConditions('setSize>='), /"setSize>="/);
  });
});

describe('matchesQuery()', () => {
  it('filters by parameter conditions (numeric where the parameter is a number, a unique short name allowed)', () => {
    const q = { ...EMPTY_QUERY, params: parseParamConditions('setSize>=16, model=hopfield') };
    assert.deepEqual(ids(runs.filter((r) => matchesQuery(r, q))), [3]);
    const ne = { ...EMPTY_QUERY, params: parseParamConditions('task.setSize!=8') };
    assert.deepEqual(ids(runs.filter((r) => matchesQuery(r, ne))), [2, 3]);
  });

  it('filters by status, tag and words of free text (parameters included)', () => {
    assert.deepEqual(ids(runs.filter((r) => matchesQuery(r, { ...EMPTY_QUERY, statuses: new Set(['FAILED'] as const) }))), [2]);
    assert.deepEqual(ids(runs.filter((r) => matchesQuery(r, { ...EMPTY_QUERY, tag: 'paper' }))), [1]);
    assert.deepEqual(ids(runs.filter((r) => matchesQuery(r, { ...EMPTY_QUERY, text: 'HOPFIELD setsize=16' }))), [3]);
  });
});

describe('sortRuns()', () => {
  it('sorts by a metric or parameter either way, runs without a value last', () => {
    const byError = sortRuns(runs, { by: { kind: 'metric', key: 'error_bits' }, descending: false }, 0);
    assert.deepEqual(ids(byError), [2, 1, 3]);
    const byLoss = sortRuns(runs, { by: { kind: 'metric', key: 'loss' }, descending: true }, 0);
    assert.deepEqual(ids(byLoss), [1, 3, 2]);
    const bySize = sortRuns(runs, { by: { kind: 'param', key: 'task.setSize' }, descending: true }, 0);
    assert.deepEqual(ids(bySize), [2, 3, 1]);
    const byDuration = sortRuns(runs, { by: { kind: 'duration' }, descending: false }, 0);
    assert.deepEqual(ids(byDuration), [2, 1, 3]);
  });
});

describe('tableColumns()', () => {
  it('gives varying parameters and common metrics their own columns', () => {
    assert.deepEqual(tableColumns(runs), { params: ['task.setSize'], metrics: ['error_bits', 'loss'] });
  });
});
