// The Bloom-filter space tables: the neural filter beside the classical one on the same episodes, and
// the classical filter against its formula. Smoke tests at tiny budgets; the measured tables are
// experiments, not unit tests.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { bloomBitsPerItem } from '../../../engine/models/bloom-filter';
import { bloomFormulaTable, bloomSpaceTable } from '../../../engine/training/bloom-space';
import { backendsHere } from '../../helpers/backends';

before(async () => {
  await backendsHere();
});

describe('bloomSpaceTable', () => {
  it('measures a neural and a classical filter per sampler and set size, the classical one without misses', async () => {
    const result = await bloomSpaceTable({
      samplers: ['strings'],
      setSizes: [5, 7],
      targetFpr: 0.05,
      modelConfig: { slots: 3, wordSize: 2, keySize: 4, hiddenSize: 9 },
      steps: 2,
      batchSize: 2,
      calibrationEpisodes: 20,
      evalEpisodes: 60,
      evalQueries: 10,
    });
    assert.ok(result.complete);
    assert.deepEqual(
      result.rows.map((r) => [r.setSize, r.model, r.stateBits, r.queries]),
      [
        [5, 'neural-bloom-filter', 192, 300],
        [5, 'bloom-filter', Math.ceil(5 * bloomBitsPerItem(0.05)), 300],
        [7, 'neural-bloom-filter', 192, 300],
        [7, 'bloom-filter', Math.ceil(7 * bloomBitsPerItem(0.05)), 300],
      ],
    );
    for (const r of result.rows.filter((row) => row.model === 'bloom-filter')) {
      assert.equal(r.fnr, 0);
      assert.equal(r.totalBits, r.stateBits);
    }
    for (const r of result.rows) assert.ok(r.totalBits >= r.stateBits && Math.abs(r.bitsPerItem - r.totalBits / r.setSize) < 1e-9);
  });
});

describe('bloomFormulaTable', () => {
  it('reports the measured FPR beside the formula for every m/n', () => {
    const result = bloomFormulaTable({ bitsPerItem: [4, 8], n: 300, filters: 4, queriesPerFilter: 5000 });
    assert.deepEqual(result.rows.map((r) => [r.bitsPerItem, r.hashes, r.queries]), [
      [4, 3, 20000],
      [8, 6, 20000],
    ]);
    for (const r of result.rows) assert.ok(Math.abs(r.relativeError) < 0.3, `m/n ${r.bitsPerItem}: ${r.measuredFpr} vs ${r.formulaFpr}`);
  });
});
