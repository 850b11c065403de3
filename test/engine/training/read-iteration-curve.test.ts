// The read-iteration curve: iteration 0 scores the corrupted query itself, later ones each iterate,
// and reads that stop early carry their last iterate forward.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectBackend } from '../../../engine/backend/select';
import { resolveRunSpec } from '../../../engine/training/run-spec';
import { evaluate, instantiate } from '../../../engine/training/trainer';
import { iterationCurvePoints, readIterationCurve } from '../../../engine/training/read-iteration-curve';

describe('readIterationCurve', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('starts at the corrupted query\'s error and ends at the model\'s evaluated error', () => {
    const spec = resolveRunSpec({
      model: 'hopfield',
      task: 'binary-recall',
      set: { rule: 'pinv', read: 'sync', dim: 32, setSize: 3, corruption: 'randomise', corruptBits: 10 },
      seed: 4,
    });
    const instance = instantiate(spec);
    const curve = readIterationCurve(instance, { episodes: 5, seed: 4, batchSize: 2 });
    assert.ok(curve.length >= 2);
    assert.deepEqual(curve.map((c) => c.iteration), curve.map((_, i) => i));
    // Randomising 10 of 32 bits flips about 5; three patterns are far below capacity, so reads fix them.
    assert.ok(curve[0]!.metrics.error_bits! > 2, `query error ${curve[0]!.metrics.error_bits}`);
    const final = evaluate(instance, { episodes: 5, seed: 4, batchSize: 2 });
    assert.equal(curve[curve.length - 1]!.metrics.error_bits, final.error_bits);
    assert.ok(final.error_bits! < curve[0]!.metrics.error_bits!);
    const points = iterationCurvePoints(curve, 7);
    assert.deepEqual(points[0], { key: 'read_iteration/error_bits', step: 0, value: curve[0]!.metrics.error_bits, wallTimeMs: 7 });
  });

  it('rejects a model that returns no iterates', () => {
    const instance = instantiate(resolveRunSpec({ model: 'slot-memory', task: 'binary-recall', set: { dim: 8, setSize: 2, corruptBits: 1 } }));
    assert.throws(() => readIterationCurve(instance, { episodes: 1, seed: 0, batchSize: 1 }), /slot-memory returns no read iterates/);
    instance.model.dispose();
  });
});
