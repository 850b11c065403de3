// The fast-weights vs LSTM table runs every entry at every K and reports it; a smoke test at a tiny
// budget (the measured table is an experiment, not a unit test).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { fastWeightsRecallTable } from '../../../engine/training/fast-weights-recall';
import { backendsHere } from '../../helpers/backends';

before(async () => {
  await backendsHere();
});

describe('fastWeightsRecallTable', () => {
  it('trains and tests every entry at every K, with the memory each keeps', async () => {
    const progress: number[] = [];
    const result = await fastWeightsRecallTable({
      pairs: [2, 3],
      hiddenSize: 5,
      steps: 2,
      batchSize: 3,
      testEpisodes: 7,
      onProgress: ({ done, total }) => {
        assert.equal(total, 12);
        progress.push(done);
      },
    });
    assert.ok(result.complete);
    assert.deepEqual(
      result.rows.map((r) => [r.pairs, r.entry, r.memoryFloats]),
      [
        [2, 'fast weights, S = 1', 30],
        [2, 'fast weights, S = 0 (no fast weights)', 5],
        [2, 'LSTM', 10],
        [3, 'fast weights, S = 1', 30],
        [3, 'fast weights, S = 0 (no fast weights)', 5],
        [3, 'LSTM', 10],
      ],
    );
    for (const r of result.rows) assert.ok(Math.abs(r.errorPct - 100 * (1 - r.accuracy)) < 1e-9 && r.accuracy >= 0 && r.accuracy <= 1);
    assert.deepEqual(progress, Array.from({ length: 12 }, (_, i) => i + 1));
    assert.equal(result.markdown.split('\n').length, 2 + 6);
  });

  it('stops early with the rows measured so far', async () => {
    let calls = 0;
    const result = await fastWeightsRecallTable({ pairs: [2], hiddenSize: 3, steps: 2, batchSize: 2, testEpisodes: 2, shouldStop: () => ++calls > 3 });
    assert.equal(result.complete, false);
    assert.equal(result.rows.length, 1);
  });
});
