// Differentiable plasticity (Miconi et al. 2018): both Hebbian rules against plain loops, a trace that
// completes the pattern it stores, α = 0 as the non-plastic network, sizing, and independent reads.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resolveConfig } from '../../../engine/core/config';
import type { TaskSpec } from '../../../engine/core/memory-model';
import { Rng } from '../../../engine/core/random';
import { disposeRead, disposeState } from '../../../engine/core/tensors';
import { hebbianUpdate, Plasticity, plasticity, type PlasticityConfig } from '../../../engine/models/plasticity';
import { backendsHere } from '../../helpers/backends';
import { expectQueriesReadIndependently } from '../../helpers/sequence-reading';
import { expectClose, values } from '../../helpers/tensors';

function spec(d: number, n: number, q: number): TaskSpec {
  return { inputDim: d, outputDim: d, output: 'bipolar', autoassociative: true, sequential: true, setSize: n, queries: q };
}

function model(d: number, config: Partial<PlasticityConfig>, seed = 1): Plasticity {
  return new Plasticity(resolveConfig('plasticity', plasticity.fields, config) as PlasticityConfig, spec(d, 4, 1), new Rng(seed));
}

/** One trace update by plain loops: decay H_ij ← (1−η)H_ij + η pre_i post_j; oja H_ij ← H_ij + η post_j (pre_i − H_ij post_j). */
function updateLoop(rule: 'decay' | 'oja', h: number[], pre: number[], post: number[], eta: number): number[] {
  const n = pre.length;
  return h.map((hij, k) => {
    const [i, j] = [Math.floor(k / n), k % n];
    return rule === 'decay' ? (1 - eta) * hij + eta * pre[i]! * post[j]! : hij + eta * post[j]! * (pre[i]! - hij * post[j]!);
  });
}

before(async () => {
  await backendsHere();
});

describe('hebbianUpdate', () => {
  for (const rule of ['decay', 'oja'] as const) {
    it(`follows the ${rule} rule connection by connection, pre = row, post = column`, () => {
      const rng = new Rng(rule.length);
      const n = 3;
      const h0 = Array.from({ length: n * n }, () => rng.normal());
      const pre = Array.from({ length: n }, () => rng.normal());
      const post = Array.from({ length: n }, () => rng.normal());
      const got = tf.tidy(() =>
        values(hebbianUpdate(rule, tf.tensor3d(h0, [1, n, n]), tf.tensor2d([pre]), tf.tensor2d([post]), 0.3)),
      );
      expectClose(got, updateLoop(rule, h0, pre, post, 0.3), 1e-5, rule);
    });
  }
});

describe('Plasticity', () => {
  // A trace holding one ±1 pattern p (Hebb = p pᵀ), α = 1, w = 0, a strong identity input and an
  // identity readout: the first read step sees only the query's known half, the second adds Hebb's
  // recall (y·p) p, which fills in the erased half.
  function handSet(rule: 'decay' | 'none'): Plasticity {
    const d = 7;
    const m = model(d, { hiddenSize: d, rule, readSteps: 2 });
    const v = m.variables();
    v['input.W']!.assign(tf.eye(d).mul(10));
    v['input.b']!.assign(tf.zeros([d]));
    v.w!.assign(tf.zeros([d, d]));
    v.alpha?.assign(tf.ones([d, d]));
    v['readout.out.W']!.assign(tf.eye(d));
    v['readout.out.b']!.assign(tf.zeros([d]));
    return m;
  }
  const p = [1, -1, -1, 1, 1, -1, 1];
  const degraded = [1, 0, -1, 0, 1, 0, 1];

  it('completes the pattern its trace stores from half of it', () => {
    const m = handSet('decay');
    const outer = p.flatMap((a) => p.map((b) => a * b));
    const state = { y: tf.zeros([1, 7]), hebb: tf.tensor3d(outer, [1, 7, 7]) };
    const read = m.read(state, tf.tensor3d([[degraded]]));
    assert.deepEqual(values(read.retrieved).map(Math.sign), p);
    disposeState(state);
    disposeRead(read);
    m.dispose();
  });

  it('cannot complete it without plasticity: the erased half stays at zero', () => {
    const m = handSet('none');
    const state = { y: tf.zeros([1, 7]) };
    const read = m.read(state, tf.tensor3d([[degraded]]));
    const r = values(read.retrieved);
    [1, 3, 5].forEach((i) => assert.ok(Math.abs(r[i]!) < 1e-6, `erased bit ${i} read ${r[i]}`));
    disposeState(state);
    disposeRead(read);
    m.dispose();
  });

  it('with α = 0 reads exactly as the non-plastic network of the same weights', () => {
    const plastic = model(5, { hiddenSize: 6, rule: 'oja', readSteps: 3 }, 2);
    const fixed = model(5, { hiddenSize: 6, rule: 'none', readSteps: 3 }, 2);
    const pv = plastic.variables();
    const fv = fixed.variables();
    for (const [name, variable] of Object.entries(fv)) variable.assign(pv[name]!);
    pv.alpha!.assign(tf.zeros([6, 6]));
    const items = tf.randomNormal([2, 4, 5], 0, 1, 'float32', 5);
    const queries = tf.randomNormal([2, 1, 5], 0, 1, 'float32', 6);
    const reads = [plastic, fixed].map((m) => {
      const state = m.write(m.initialState(2), items);
      const read = m.read(state, queries);
      const out = values(read.retrieved);
      disposeState(state);
      disposeRead(read);
      return out;
    });
    expectClose(reads[0]!, reads[1]!, 1e-6, 'plastic with α = 0 vs non-plastic');
    tf.dispose([items, queries]);
    plastic.dispose();
    fixed.dispose();
  });

  it('counts N² + N floats when plastic and N when not, and sizes N from the budget when null', () => {
    assert.equal(model(3, { hiddenSize: 7 }).memoryFloats(), 56);
    assert.equal(model(3, { hiddenSize: 7, rule: 'none' }).memoryFloats(), 7);
    assert.equal(model(3, { hiddenSize: null, budgetFloats: 8256 }).memoryFloats(), 8190);
    assert.deepEqual(Object.keys(model(3, { rule: 'none' }).variables()).sort(), ['input.W', 'input.b', 'readout.out.W', 'readout.out.b', 'w']);
  });

  for (const readSteps of [1, 4]) {
    it(`reads each query as an independent continuation (readSteps = ${readSteps})`, () => {
      const m = model(7, { hiddenSize: 5, readSteps, rule: 'decay' }, 4);
      expectQueriesReadIndependently(m, 7);
      m.dispose();
    });
  }
});
