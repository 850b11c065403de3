// The modern Hopfield network: one-update retrieval far above the classical capacity, the
// update against a plain loop, the energy descent, and the truncation to a float budget.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../engine/backend/select';
import { resolveConfig } from '../../../engine/core/config';
import type { TaskSpec } from '../../../engine/core/memory-model';
import { Rng } from '../../../engine/core/random';
import { disposeRead } from '../../../engine/core/tensors';
import { ModernHopfield, modernHopfield, type ModernHopfieldConfig } from '../../../engine/models/modern-hopfield';
import { expectClose, values } from '../../helpers/tensors';

function spec(d: number, n: number): TaskSpec {
  return { inputDim: d, outputDim: d, output: 'bipolar', autoassociative: true, sequential: false, setSize: n, queries: n };
}

function model(d: number, n: number, config: Partial<ModernHopfieldConfig>): ModernHopfield {
  return new ModernHopfield(resolveConfig('modern-hopfield', modernHopfield.fields, config) as ModernHopfieldConfig, spec(d, n));
}

describe('ModernHopfield', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('with large β retrieves each of N = 4d random patterns in one update from a query with 4 bits erased', () => {
    const d = 32;
    const n = 4 * d;
    const rng = new Rng(1);
    const items = Array.from({ length: n * d }, () => rng.sign());
    const queries = items.slice();
    for (let mu = 0; mu < n; mu++) for (const i of rng.choose(d, 4)) queries[mu * d + i] = 0;
    const m = model(d, n, { beta: 4, iterations: 1 });
    const state = m.write(m.initialState(1), tf.tensor3d(items, [1, n, d]));
    const read = m.read(state, tf.tensor3d(queries, [1, n, d]));
    expectClose(values(read.retrieved), items, 1e-3, 'retrieved');
    assert.deepEqual(read.iterates!.shape, [2, 1, n, d]);
    tf.dispose(Object.values(state));
    disposeRead(read);
  });

  it('one update equals X softmax(β Xᵀ ξ) computed by a plain loop', () => {
    const d = 5;
    const n = 3;
    const beta = 0.7;
    const rng = new Rng(2);
    const x = Array.from({ length: n * d }, () => rng.normal());
    const xi = Array.from({ length: 2 * d }, () => rng.normal());
    const m = model(d, n, { beta });
    const state = m.write(m.initialState(1), tf.tensor3d(x, [1, n, d]));
    const read = m.read(state, tf.tensor3d(xi, [1, 2, d]));
    const expected: number[] = [];
    const expectedWeights: number[] = [];
    for (let q = 0; q < 2; q++) {
      const s = [0, 1, 2].map((mu) => beta * x.slice(mu * d, (mu + 1) * d).reduce((a, v, i) => a + v * xi[q * d + i]!, 0));
      const z = s.map((v) => Math.exp(v - Math.max(...s)));
      const p = z.map((v) => v / z.reduce((a, b) => a + b, 0));
      expectedWeights.push(...p);
      for (let i = 0; i < d; i++) expected.push(p.reduce((a, pm, mu) => a + pm * x[mu * d + i]!, 0));
    }
    expectClose(values(read.retrieved), expected, 1e-5, 'ξ_new');
    expectClose(values(read.weights!), expectedWeights, 1e-5, 'softmax weights');
    tf.dispose(Object.values(state));
    disposeRead(read);
  });

  it('never raises the energy over repeated updates at a small β (metastable regime)', () => {
    const d = 7;
    const n = 11;
    const rng = new Rng(3);
    const m = model(d, n, { beta: 0.3, iterations: 6 });
    const state = m.write(m.initialState(2), tf.tensor3d(rng.normals(2 * n * d), [2, n, d]));
    const read = m.read(state, tf.tensor3d(rng.normals(2 * 5 * d, 2), [2, 5, d]));
    const e = read.energies!.arraySync() as number[][][];
    assert.equal(e.length, 7);
    for (let k = 1; k < e.length; k++) {
      e[k]!.flat().forEach((v, i) => assert.ok(v <= e[k - 1]!.flat()[i]! + 1e-5, `energy rose at update ${k}, query ${i}`));
    }
    assert.ok(e[6]!.flat()[0]! < e[0]!.flat()[0]! - 1e-3, 'the energy falls from a random start');
    tf.dispose(Object.values(state));
    disposeRead(read);
  });

  it('stores only d\' = ⌊budget / N⌋ coordinates and passes the rest of the query through', () => {
    const d = 7;
    const n = 3;
    const m = model(d, n, { beta: 8, budgetFloats: 15 });
    assert.equal(m.storedWidth, 5);
    assert.equal(m.memoryFloats(), 15);
    const rng = new Rng(4);
    const items = Array.from({ length: n * d }, () => rng.sign());
    const state = m.write(m.initialState(1), tf.tensor3d(items, [1, n, d]));
    assert.deepEqual(state.patterns.shape, [1, n, 5]);
    const query = items.slice(0, d).map((v, i) => (i >= 5 ? -v : v)); // pattern 0 with its unstored tail flipped
    const read = m.read(state, tf.tensor3d(query, [1, 1, d]));
    const out = values(read.retrieved).map((v) => (v >= 0 ? 1 : -1));
    assert.deepEqual(out, query, 'the stored part is retrieved, the unstored tail is the query\'s');
    tf.dispose(Object.values(state));
    disposeRead(read);
  });

  it('rejects a budget smaller than the set size, naming the field', () => {
    assert.throws(() => model(7, 3, { budgetFloats: 2 }), /budgetFloats.*2.*setSize \(3\)/);
  });
});
