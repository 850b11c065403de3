// The plastic vs non-plastic completion table: a smoke test at a tiny budget (the measured table is
// an experiment, not a unit test).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { plasticityCompletionTable } from '../../../engine/training/plasticity-completion';
import { backendsHere } from '../../helpers/backends';

before(async () => {
  await backendsHere();
});

describe('plasticityCompletionTable', () => {
  it('trains one network per rule on the same task and reports its error and memory', async () => {
    const result = await plasticityCompletionTable({
      taskConfig: { dim: 7, patterns: 2, presentSteps: 2, gapSteps: 1, cycles: 1 },
      steps: 2,
      batchSize: 3,
      testEpisodes: 5,
    });
    assert.deepEqual(
      result.rows.map((r) => [r.rule, r.neurons, r.memoryFloats]),
      [
        ['decay', 7, 56],
        ['oja', 7, 56],
        ['none', 7, 7],
      ],
    );
    for (const r of result.rows) assert.ok(r.errorFrac >= 0 && r.errorFrac <= 1);
    assert.match(result.markdown, /\| none \| 7 \| 7 \| 2 \| 0\.\d{4} \|/);
  });
});
