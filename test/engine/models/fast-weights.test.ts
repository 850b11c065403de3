// Fast weights (Ba et al. 2016): the Hebbian write as an associative memory (orthonormal states come
// back exactly), its decay, the S = 0 baseline, sizing, and reads as independent continuations.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resolveConfig } from '../../../engine/core/config';
import type { TaskSpec } from '../../../engine/core/memory-model';
import { Rng } from '../../../engine/core/random';
import { disposeRead, disposeState } from '../../../engine/core/tensors';
import {
  FastWeights,
  fastWeights,
  fastWeightsHiddenSize,
  fastWeightUpdate,
  type FastWeightsConfig,
} from '../../../engine/models/fast-weights';
import { backendsHere } from '../../helpers/backends';
import { expectQueriesReadIndependently } from '../../helpers/sequence-reading';
import { expectClose, values } from '../../helpers/tensors';

function spec(dIn: number, dOut: number, n: number, q: number): TaskSpec {
  return { inputDim: dIn, outputDim: dOut, output: 'class', autoassociative: false, sequential: true, setSize: n, queries: q };
}

function config(values: Partial<FastWeightsConfig>): FastWeightsConfig {
  return resolveConfig('fast-weights', fastWeights.fields, values) as FastWeightsConfig;
}

/** Rows of a random orthonormal basis of R^r (Gram–Schmidt on normals), signed entries included. */
function orthonormal(rng: Rng, count: number, r: number): number[][] {
  const out: number[][] = [];
  while (out.length < count) {
    const v = Array.from({ length: r }, () => rng.normal());
    for (const u of out) {
      const dot = u.reduce((s, x, i) => s + x * v[i]!, 0);
      u.forEach((x, i) => (v[i]! -= dot * x));
    }
    const norm = Math.hypot(...v);
    out.push(v.map((x) => x / norm));
  }
  return out;
}

/** A model whose time step is h ← relu(x + A h₀) exactly: C = I, W = 0, no LayerNorm. */
function identityModel(r: number, decay: number, rate: number): FastWeights {
  const m = new FastWeights(
    config({ hiddenSize: r, decay, fastLearningRate: rate, innerSteps: 1, normalisation: 'none', readoutSize: 0 }),
    spec(r, 3, 3, 1),
    new Rng(1),
  );
  const v = m.variables();
  v['input.W']!.assign(tf.eye(r));
  v['input.b']!.assign(tf.zeros([r]));
  v.recurrent!.assign(tf.zeros([r, r]));
  return m;
}

function basis(r: number, indices: number[]): tf.Tensor {
  return tf.oneHot(tf.tensor1d(indices, 'int32'), r).cast('float32');
}

before(async () => {
  await backendsHere();
});

describe('fastWeightUpdate', () => {
  it('with λ = 1 and η = 1 returns every stored orthonormal vector exactly: A h_j = h_j', () => {
    const r = 7;
    const hs = orthonormal(new Rng(2), 5, r);
    let A: tf.Tensor = tf.zeros([1, r, r]);
    for (const h of hs) {
      const next = fastWeightUpdate(A, tf.tensor2d([h]), 1, 1);
      A.dispose();
      A = next;
    }
    for (const h of hs) {
      const back = tf.tidy(() => values(tf.matMul(A, tf.tensor3d([h.map((x) => [x])])).reshape([r])));
      expectClose(back, h, 1e-5, 'A h_j');
    }
    const unstored = orthonormal(new Rng(2), 6, r)[5]!;
    const none = tf.tidy(() => values(tf.matMul(A, tf.tensor3d([unstored.map((x) => [x])])).reshape([r])));
    expectClose(none, new Array<number>(r).fill(0), 1e-5, 'A h for an unstored orthogonal h');
    A.dispose();
  });
});

describe('FastWeights', () => {
  it('writes A = Σ λ^(T−t) η h_t h_tᵀ and retrieves a stored state in one inner step without LayerNorm', () => {
    const [r, decay, rate] = [5, 0.5, 0.25];
    const m = identityModel(r, decay, rate);
    // Basis inputs make every written state the basis vector itself (A h₀ = 0 for a new basis vector).
    const items = basis(r, [0, 2, 3]).reshape([1, 3, r]);
    const state = m.write(m.initialState(1), items);
    const expected = tf.tidy(() => {
      const d = tf.tensor1d([decay * decay * rate, 0, decay * rate, rate, 0]);
      return values(tf.diag(d));
    });
    expectClose(values(state.A!), expected, 1e-6, 'A');
    expectClose(values(state.h), [0, 0, 0, 1, 0], 1e-6, 'h');
    const stored = identityModel(r, 1, 1);
    const full = stored.write(stored.initialState(1), items);
    const retrieved = tf.tidy(() => values(stored.innerStep(tf.zeros([1, 1, r]), full.A!, basis(r, [2]).reshape([1, 1, r]))));
    expectClose(retrieved, [0, 0, 1, 0, 0], 1e-6, 'one inner step from a stored state');
    const absent = tf.tidy(() => values(stored.innerStep(tf.zeros([1, 1, r]), full.A!, basis(r, [1]).reshape([1, 1, r]))));
    expectClose(absent, [0, 0, 0, 0, 0], 1e-6, 'one inner step from a state never written');
    tf.dispose([items, full.h, full.A!]);
    disposeState(state);
    m.dispose();
    stored.dispose();
  });

  it('keeps no fast weights with S = 0 and counts R² + R floats with S ≥ 1', () => {
    const s0 = new FastWeights(config({ hiddenSize: 7, innerSteps: 0 }), spec(3, 2, 5, 1), new Rng(1));
    const s1 = new FastWeights(config({ hiddenSize: 7, innerSteps: 1 }), spec(3, 2, 5, 1), new Rng(1));
    const items = tf.randomNormal([2, 5, 3]);
    const state0 = s0.write(s0.initialState(2), items);
    assert.deepEqual(Object.keys(state0), ['h']);
    assert.equal(s0.memoryFloats(), 7);
    assert.equal(s1.memoryFloats(), 56);
    const read = s0.read(state0, tf.randomNormal([2, 1, 3]));
    assert.deepEqual(read.retrieved.shape, [2, 1, 2]);
    tf.dispose([items]);
    disposeState(state0);
    disposeRead(read);
    s0.dispose();
    s1.dispose();
  });

  it('sizes R from the budget when hiddenSize is null: R = 90 at 8,256 floats', () => {
    assert.equal(fastWeightsHiddenSize(config({ hiddenSize: null, budgetFloats: 8256 })), 90);
    assert.equal(fastWeightsHiddenSize(config({ hiddenSize: null, budgetFloats: 8190 })), 90);
    assert.equal(fastWeightsHiddenSize(config({ hiddenSize: null, budgetFloats: 8189 })), 89);
    assert.equal(fastWeightsHiddenSize(config({ hiddenSize: 13, budgetFloats: 8256 })), 13);
  });

  for (const readSteps of [1, 3]) {
    it(`reads each query as an independent continuation (readSteps = ${readSteps})`, () => {
      const m = new FastWeights(config({ hiddenSize: 5, readSteps, readoutSize: 3 }), spec(7, 2, 4, 3), new Rng(4));
      expectQueriesReadIndependently(m, 7);
      m.dispose();
    });
  }
});
