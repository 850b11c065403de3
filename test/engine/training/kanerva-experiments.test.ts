// The dynamic Kanerva Machine's read-iteration table at a tiny training budget: one run per
// corruption, each recorded with its curve, and a column per corruption (the measured table is an
// experiment, not a unit test).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { dynamicKanervaReadTable } from '../../../engine/training/kanerva-experiments';
import { backendsHere } from '../../helpers/backends';

before(async () => {
  await backendsHere();
});

describe('dynamicKanervaReadTable', () => {
  it('trains one run per corruption and tables and records the error after every read iteration', async () => {
    const ended: { corruption: unknown; metrics: Record<string, number>; curve: number[] }[] = [];
    const result = await dynamicKanervaReadTable({
      steps: 2,
      episodes: 4,
      iterations: 2,
      record: ({ spec }) => {
        const curve: number[] = [];
        return {
          sink: { metrics: (points) => points.filter((p) => p.key === 'read_iteration/error_bits').forEach((p) => (curve[p.step] = p.value)), snapshot() {}, progress() {} },
          end: (_outcome, metrics) => ended.push({ corruption: spec.taskConfig.corruption, metrics: { ...metrics }, curve }),
        };
      },
    });
    assert.ok(result.complete);
    assert.deepEqual(ended.map((e) => e.corruption), ['salt-pepper', 'block']);
    assert.deepEqual(result.rows.map((r) => r.iteration), [0, 1, 2]);
    for (const e of ended) {
      const column = result.rows.map((r) => r[e.corruption as 'salt-pepper' | 'block']);
      assert.deepEqual(e.curve, column, `the ${String(e.corruption)} run stores the column it tables`);
      assert.equal(e.metrics.best_error_bits, Math.min(...column.map(Number)));
    }
    assert.notEqual(result.rows[0]!['salt-pepper'], result.rows[0]!.block, 'iteration 0 is each corruption\'s own query');
    assert.match(result.markdown, /\| read iteration \| error_bits, salt-and-pepper 0\.2 \| error_bits, 14×14 block \|/);
  });
});
