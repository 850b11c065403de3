// The EBMM descriptors: memory sized from the budget as in the paper, actionable config errors,
// which tasks each variant serves, and writable parameters kept apart from static ones.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ConfigError, resolveConfig } from '../../../../engine/core/config';
import type { ModelDescriptor, TaskSpec } from '../../../../engine/core/memory-model';
import { Rng } from '../../../../engine/core/random';
import { ebmm, ebmmConv, ebmmFc } from '../../../../engine/models/ebmm';
import { backendsHere } from '../../../helpers/backends';

function bipolar(dim: number): TaskSpec {
  return { inputDim: dim, outputDim: dim, output: 'bipolar', autoassociative: true, sequential: false, setSize: 3, queries: 3 };
}

function image(side: number): TaskSpec {
  const d = side * side;
  return { inputDim: d, outputDim: d, output: 'image', autoassociative: true, sequential: false, setSize: 3, queries: 3, image: { height: side, width: side, channels: 1 } };
}

function create(d: ModelDescriptor, spec: TaskSpec, values: Record<string, unknown>) {
  return d.create(resolveConfig(`model ${d.id}`, d.fields, values), spec, new Rng(1));
}

function expectConfigError(fn: () => unknown, field: string): void {
  assert.throws(fn, (err: unknown) => err instanceof ConfigError && err.field === field && err.message.includes('allowed'));
}

describe('EBMM descriptors', () => {
  before(async () => {
    await backendsHere();
  });

  describe('ebmm', () => {
    it('writes Linear(128 → 63) + bias = 8 127 floats at the default budget of 8 256, as the paper', () => {
      const model = create(ebmm, bipolar(128), { hidden: 70, hops: 1 });
      assert.equal(model.memoryFloats(), 8127);
      const state = model.initialState(2);
      assert.deepEqual(state['memory.W']!.shape, [2, 128, 63]);
      assert.deepEqual(state['memory.b']!.shape, [2, 63]);
      Object.values(state).forEach((t) => t.dispose());
      model.dispose();
    });

    it('names writable and static parameters apart: the state is exactly the writable ones', () => {
      const model = create(ebmm, bipolar(7), { budgetFloats: 20, hidden: 5, hops: 2, readSteps: 3 });
      const names = Object.keys(model.variables());
      assert.deepEqual(names.filter((n) => n.startsWith('init.')).sort(), ['init.memory.W', 'init.memory.b']);
      assert.ok(names.some((n) => n.startsWith('energy.')), 'static energy parameters');
      for (const n of ['write.rates', 'write.alpha', 'write.beta', 'read.step', 'read.stepDecay', 'read.momentum']) assert.ok(names.includes(n), n);
      const state = model.initialState(1);
      assert.deepEqual(Object.keys(state).sort(), ['memory.W', 'memory.b']);
      Object.values(state).forEach((t) => t.dispose());
      model.dispose();
    });

    it('has no momentum to learn with a single read step', () => {
      const model = create(ebmm, bipolar(7), { budgetFloats: 20, hidden: 5, hops: 2, readSteps: 1 });
      assert.ok(!('read.momentum' in model.variables()) && !('read.stepDecay' in model.variables()));
      model.dispose();
    });

    it('explains a budget too small for one writable unit, and a hidden width the memory would fill', () => {
      expectConfigError(() => create(ebmm, bipolar(7), { budgetFloats: 8, hidden: 5 }), 'budgetFloats');
      expectConfigError(() => create(ebmm, bipolar(7), { budgetFloats: 40, hidden: 4 }), 'hidden');
    });

    it('serves ±1 recall and refuses images, sequences and hetero-association', () => {
      assert.equal(ebmm.supports(bipolar(7)), null);
      assert.match(ebmm.supports(image(5)) ?? '', /ebmm-fc/);
      assert.match(ebmm.supports({ ...bipolar(7), sequential: true }) ?? '', /sequence/);
      assert.match(ebmm.supports({ ...bipolar(7), outputDim: 3 }) ?? '', /auto-association/);
    });

    it('recommends the paper\'s meta-training recipe', () => {
      assert.deepEqual(ebmm.trainingDefaults, { optimizer: 'adamw', learningRate: 5e-5, weightDecay: 1e-6, clipNorm: 0.05 });
    });
  });

  describe('ebmm-fc and ebmm-conv', () => {
    it('take the widest writable layer strictly inside the budget', () => {
      // FC: dyn · (code + 1) floats; conv: 2 blocks · dyn · (3·3·2c + 1).
      const fc = create(ebmmFc, image(12), { budgetFloats: 100, channels: 2, code: 5, hidden: 30, readout: 3, hops: 1 });
      assert.equal(fc.memoryFloats(), 16 * 6); // 96 < 100 ≤ 17 · 6
      const conv = create(ebmmConv, image(12), { budgetFloats: 300, channels: 2, readout: 3, hops: 1 });
      assert.equal(conv.memoryFloats(), 4 * 2 * (9 * 4 + 1)); // 4 filters: 296 < 300 ≤ 5 · 74
      fc.dispose();
      conv.dispose();
    });

    it('explain a writable layer that would leave no static unit', () => {
      expectConfigError(() => create(ebmmFc, image(12), { budgetFloats: 100, channels: 2, code: 5, hidden: 16, readout: 3 }), 'hidden');
      expectConfigError(() => create(ebmmConv, image(12), { budgetFloats: 700, channels: 2, readout: 3 }), 'channels');
      expectConfigError(() => create(ebmmConv, image(12), { budgetFloats: 50, channels: 2, readout: 3 }), 'budgetFloats');
    });

    it('serve image recall only', () => {
      for (const d of [ebmmFc, ebmmConv]) {
        assert.equal(d.supports(image(12)), null);
        assert.match(d.supports(bipolar(7)) ?? '', /ebmm for ±1/);
        assert.match(d.supports({ ...image(12), image: undefined }) ?? '', /geometry/);
      }
    });
  });
});
