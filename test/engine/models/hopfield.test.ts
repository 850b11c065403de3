// The classical Hopfield network: writing rules against plain loops, reads against the paper's
// properties (energy never rises under asynchronous updates, exact recall below capacity).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../engine/backend/select';
import { resolveConfig } from '../../../engine/core/config';
import type { TaskSpec } from '../../../engine/core/memory-model';
import { Rng } from '../../../engine/core/random';
import { disposeRead } from '../../../engine/core/tensors';
import { Hopfield, hopfield, type HopfieldConfig } from '../../../engine/models/hopfield';
import { expectClose, values } from '../../helpers/tensors';

function spec(d: number, n: number): TaskSpec {
  return { inputDim: d, outputDim: d, output: 'bipolar', autoassociative: true, sequential: false, setSize: n, queries: n };
}

function model(d: number, n: number, config: Partial<HopfieldConfig> = {}, seed = 1): Hopfield {
  return new Hopfield(resolveConfig('hopfield', hopfield.fields, config) as HopfieldConfig, spec(d, n), new Rng(seed));
}

function patterns(rng: Rng, count: number): number[] {
  return Array.from({ length: count }, () => rng.sign());
}

/** Writes items [B, N, d] from the initial state and returns the weights as an array. */
function written(m: Hopfield, items: number[], b: number, n: number, d: number): number[] {
  return tf.tidy(() => values(m.write(m.initialState(b), tf.tensor3d(items, [b, n, d])).weights));
}

/** Storkey (1997) on one d×d matrix, pattern by pattern, with h_ij = Σ_{k≠i,j} W_ik ξ_k. */
/** Storkey's rule as reference §15 states it: W += (ξξᵀ − ξhᵀ − hξᵀ)/d, h_i = Σ_{k≠i} W_ik ξ_k. */
function storkeyLoop(w: number[], xs: number[][], d: number): number[] {
  const out = w.slice();
  for (const x of xs) {
    const prev = out.slice();
    const h = (i: number) => {
      let s = 0;
      for (let k = 0; k < d; k++) if (k !== i) s += prev[i * d + k]! * x[k]!;
      return s;
    };
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        out[i * d + j] = prev[i * d + j]! + (x[i]! * x[j]! - x[i]! * h(j) - h(i) * x[j]!) / d;
      }
    }
  }
  return out;
}

/** X (XᵀX)⁻¹ Xᵀ for patterns as rows, by Gauss–Jordan elimination of the Gram matrix. */
function projectionLoop(xs: number[][], d: number): number[] {
  const n = xs.length;
  const g = xs.map((a) => xs.map((b) => a.reduce((s, v, i) => s + v * b[i]!, 0)));
  const inv = xs.map((_, i) => xs.map((__, j) => (i === j ? 1 : 0)));
  for (let c = 0; c < n; c++) {
    const p = g[c]![c]!;
    for (let j = 0; j < n; j++) {
      g[c]![j]! /= p;
      inv[c]![j]! /= p;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = g[r]![c]!;
      for (let j = 0; j < n; j++) {
        g[r]![j]! -= f * g[c]![j]!;
        inv[r]![j]! -= f * inv[c]![j]!;
      }
    }
  }
  const w: number[] = [];
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) s += xs[a]![i]! * inv[a]![b]! * xs[b]![j]!;
      w.push(s);
    }
  }
  return w;
}

describe('Hopfield', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  describe('#write', () => {
    it('hebb: two 3-unit patterns give the hand-computed matrix', () => {
      // (1/3)(x xᵀ + y yᵀ) for x = (1, −1, 1), y = (1, 1, −1), diagonal zeroed.
      const w = written(model(3, 2, { rule: 'hebb' }), [1, -1, 1, 1, 1, -1], 1, 2, 3);
      expectClose(w, [0, 0, 0, 0, 0, -2 / 3, 0, -2 / 3, 0], 1e-6, 'W');
    });

    it('storkey: two writes match the rule of reference §15 applied by a plain loop', () => {
      const d = 5;
      const rng = new Rng(2);
      const first = patterns(rng, 2 * 3 * d);
      const second = patterns(rng, 2 * 2 * d);
      const m = model(d, 5, { rule: 'storkey' });
      const w = tf.tidy(() => {
        const s1 = m.write(m.initialState(2), tf.tensor3d(first, [2, 3, d]));
        return values(m.write(s1, tf.tensor3d(second, [2, 2, d])).weights);
      });
      for (let e = 0; e < 2; e++) {
        const xs = [
          ...[0, 1, 2].map((mu) => first.slice((e * 3 + mu) * d, (e * 3 + mu + 1) * d)),
          ...[0, 1].map((mu) => second.slice((e * 2 + mu) * d, (e * 2 + mu + 1) * d)),
        ];
        expectClose(w.slice(e * d * d, (e + 1) * d * d), storkeyLoop(new Array(d * d).fill(0), xs, d), 1e-5, `W of episode ${e}`);
      }
    });

    it('pinv: a write of 2 patterns then 1 more equals the projection X(XᵀX)⁻¹Xᵀ onto all 3', () => {
      const d = 7;
      const rng = new Rng(3);
      const all = patterns(rng, 3 * d);
      const m = model(d, 3, { rule: 'pinv' });
      const w = tf.tidy(() => {
        const s1 = m.write(m.initialState(1), tf.tensor3d(all.slice(0, 2 * d), [1, 2, d]));
        return values(m.write(s1, tf.tensor3d(all.slice(2 * d), [1, 1, d])).weights);
      });
      const xs = [0, 1, 2].map((mu) => all.slice(mu * d, (mu + 1) * d));
      expectClose(w, projectionLoop(xs, d), 1e-4, 'W');
    });
  });

  describe('#read', () => {
    it('sync: iterates are sgn(W x) with zero diagonal and sgn(0) = +1, and energies are −½xᵀWx', () => {
      const d = 6;
      const rng = new Rng(4);
      const items = patterns(rng, 2 * d);
      const query = [1, 0, -1, 0, 1, 1];
      const m = model(d, 2, { rule: 'hebb', read: 'sync', maxIterations: 3 });
      const state = m.write(m.initialState(1), tf.tensor3d(items, [1, 2, d]));
      const read = m.read(state, tf.tensor3d(query, [1, 1, d]));
      const w = values(state.weights);
      const its = values(read.iterates!);
      const k = read.iterates!.shape[0]! - 1;
      let x = query.slice();
      const energy = (v: number[]) => {
        let e = 0;
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (i !== j) e += v[i]! * w[i * d + j]! * v[j]!;
        return -0.5 * e;
      };
      const expectedEnergies = [energy(x)];
      for (let step = 1; step <= k; step++) {
        x = x.map((_, i) => {
          let h = 0;
          for (let j = 0; j < d; j++) if (j !== i) h += w[i * d + j]! * x[j]!;
          return h >= 0 ? 1 : -1;
        });
        expectClose(its.slice(step * d, (step + 1) * d), x, 0, `iterate ${step}`);
        expectedEnergies.push(energy(x));
      }
      expectClose(values(read.energies!), expectedEnergies, 1e-5, 'energies');
      tf.dispose(Object.values(state));
      disposeRead(read);
    });

    it('sync: maps every unit with zero field to +1', () => {
      const m = model(5, 1, { read: 'sync' });
      const state = m.initialState(1);
      const read = m.read(state, tf.tensor3d([-1, 0, 1, -1, 0], [1, 1, 5]));
      assert.deepEqual(values(read.retrieved), [1, 1, 1, 1, 1]);
      tf.dispose(Object.values(state));
      disposeRead(read);
    });

    for (const rule of ['hebb', 'storkey', 'pinv'] as const) {
      it(`async (${rule}): the energy never rises from one sweep to the next, and the read ends in a fixed point`, () => {
        const d = 24;
        const n = 7;
        const rng = new Rng(5);
        const m = model(d, n, { rule, read: 'async' }, 6);
        const items = patterns(rng, 3 * n * d);
        // Queries: random ±1/0 states, far from any stored pattern, so that reads take several sweeps.
        const queries = Array.from({ length: 3 * 5 * d }, () => rng.int(3) - 1);
        const state = m.write(m.initialState(3), tf.tensor3d(items, [3, n, d]));
        const read = m.read(state, tf.tensor3d(queries, [3, 5, d]));
        const e = read.energies!.arraySync() as number[][][];
        assert.ok(e.length >= 3, `expected several sweeps, got ${e.length - 1}`);
        for (let k = 1; k < e.length; k++) {
          e[k]!.flat().forEach((v, i) => assert.ok(v <= e[k - 1]!.flat()[i]! + 1e-4, `energy rose at sweep ${k}, query ${i}`));
        }
        const again = m.read(state, read.retrieved);
        assert.equal(again.iterates!.shape[0], 1, 'a second read from the result changes nothing');
        tf.dispose(Object.values(state));
        disposeRead(read);
        disposeRead(again);
      });
    }

    for (const [rule, n] of [['hebb', 3], ['storkey', 6], ['pinv', 24]] as const) {
      for (const read of ['sync', 'async'] as const) {
        it(`${rule}/${read}: recalls each of ${n} uncorrupted 64-bit patterns exactly (below capacity)`, () => {
          const d = 64;
          const b = 2;
          const items = patterns(new Rng(7), b * n * d);
          const m = model(d, n, { rule, read });
          const x = tf.tensor3d(items, [b, n, d]);
          const state = m.write(m.initialState(b), x);
          const result = m.read(state, x);
          assert.deepEqual(values(result.retrieved), items);
          tf.dispose([x, ...Object.values(state)]);
          disposeRead(result);
        });
      }
    }
  });

  describe('descriptor', () => {
    it('counts d(d−1)/2 + d floats and serves only bipolar autoassociation', () => {
      assert.equal(model(128, 16).memoryFloats(), 8256);
      assert.equal(hopfield.supports(spec(7, 3)), null);
      assert.match(hopfield.supports({ ...spec(7, 3), output: 'image' }) ?? '', /bipolar/);
      assert.match(hopfield.supports({ ...spec(7, 3), autoassociative: false }) ?? '', /autoassociative/);
    });
  });
});
