// The LSTM baseline: the constant error carousel (an open forget gate and a closed input gate keep the
// cell exactly), one step against a plain loop, sizing from the budget, and independent reads.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resolveConfig } from '../../../engine/core/config';
import type { TaskSpec } from '../../../engine/core/memory-model';
import { Rng } from '../../../engine/core/random';
import { disposeState } from '../../../engine/core/tensors';
import { Lstm, lstm, lstmHiddenSize, type LstmConfig } from '../../../engine/models/lstm';
import { backendsHere } from '../../helpers/backends';
import { expectQueriesReadIndependently } from '../../helpers/sequence-reading';
import { expectClose, values } from '../../helpers/tensors';

function spec(d: number, n: number, q: number): TaskSpec {
  return { inputDim: d, outputDim: d, output: 'bipolar', autoassociative: true, sequential: false, setSize: n, queries: q };
}

function config(values: Partial<LstmConfig>): LstmConfig {
  return resolveConfig('lstm', lstm.fields, values) as LstmConfig;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

before(async () => {
  await backendsHere();
});

describe('Lstm', () => {
  it('carries the cell unchanged when the forget gate is open and the input gate closed', () => {
    const H = 5;
    const m = new Lstm(config({ hiddenSize: H }), spec(3, 7, 2), new Rng(1));
    const v = m.variables();
    v['input.W']!.assign(tf.zeros([3, 4 * H]));
    v.recurrent!.assign(tf.zeros([H, 4 * H]));
    // Gate order i, f, g, o: input gate shut (−30), forget gate open (+30), output gate half (0).
    v['input.b']!.assign(tf.concat([tf.fill([H], -30), tf.fill([H], 30), tf.zeros([2 * H])]));
    const c0 = [0.3, -0.7, 1.5, -2, 0.1, 0.9, -0.4, 0.2, -1.1, 0.6];
    const start = { h: tf.zeros([2, H]), c: tf.tensor2d(c0, [2, H]) };
    const items = tf.randomNormal([2, 7, 3], 0, 3, 'float32', 3);
    const state = m.write(start, items);
    expectClose(values(state.c), c0, 1e-6, 'c after 7 steps');
    expectClose(values(state.h), c0.map((c) => 0.5 * Math.tanh(c)), 1e-6, 'h = σ(0) tanh(c)');
    tf.dispose([items]);
    disposeState(start);
    disposeState(state);
    m.dispose();
  });

  it('computes one step as the gate equations, gate by gate', () => {
    const H = 2;
    const m = new Lstm(config({ hiddenSize: H }), spec(3, 1, 1), new Rng(7));
    const v = m.variables();
    const Wx = values(v['input.W']!);
    const Wh = values(v.recurrent!);
    const b = values(v['input.b']!);
    const x = [0.5, -1, 2];
    const h0 = [0.1, -0.3];
    const c0 = [0.7, -0.2];
    const z = Array.from({ length: 4 * H }, (_, j) => {
      let s = b[j]!;
      x.forEach((xi, i) => (s += xi * Wx[i * 4 * H + j]!));
      h0.forEach((hi, i) => (s += hi * Wh[i * 4 * H + j]!));
      return s;
    });
    const c = c0.map((cj, j) => sigmoid(z[H + j]!) * cj + sigmoid(z[j]!) * Math.tanh(z[2 * H + j]!));
    const h = c.map((cj, j) => sigmoid(z[3 * H + j]!) * Math.tanh(cj));
    const state = m.write({ h: tf.tensor2d([h0]), c: tf.tensor2d([c0]) }, tf.tensor3d([[x]]));
    expectClose(values(state.c), c, 1e-5, 'c');
    expectClose(values(state.h), h, 1e-5, 'h');
    disposeState(state);
    m.dispose();
  });

  it('sizes H = ⌊budgetFloats / 2⌋ when hiddenSize is null, and lets hiddenSize win otherwise', () => {
    assert.equal(lstmHiddenSize(config({ hiddenSize: null, budgetFloats: 8256 })), 4128);
    assert.equal(lstmHiddenSize(config({ hiddenSize: null, budgetFloats: 101 })), 50);
    assert.equal(lstmHiddenSize(config({ hiddenSize: 11, budgetFloats: 8256 })), 11);
    assert.equal(new Lstm(config({ hiddenSize: 11 }), spec(3, 2, 2), new Rng(1)).memoryFloats(), 22);
  });

  for (const readSteps of [1, 2]) {
    it(`reads each query as an independent continuation (readSteps = ${readSteps})`, () => {
      const m = new Lstm(config({ hiddenSize: 5, readSteps, readoutSize: 3 }), spec(7, 4, 3), new Rng(4));
      expectQueriesReadIndependently(m, 7);
      m.dispose();
    });
  }
});
