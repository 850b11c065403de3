// The matrix-Gaussian Kanerva memory: the online update against the batch posterior (order
// invariance), the covariance staying positive, ridge addressing and the KL terms against loops.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../engine/backend/select';
import { Rng } from '../../../engine/core/random';
import {
  COV_DIAGONAL_MIN,
  kanervaShape,
  klAddress,
  klMemory,
  priorState,
  solveWeights,
  writeOnline,
} from '../../../engine/models/kanerva-memory';
import { expectClose, values } from '../../helpers/tensors';

const K = 3;
const C = 5;
const T = 7;

/** Inverse of a small matrix (Gauss–Jordan with partial pivoting), float64. */
function inverse(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...a.map((_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const pivot = m[c]![c]!;
    m[c] = m[c]!.map((v) => v / pivot);
    for (let r = 0; r < n; r++) if (r !== c) m[r] = m[r]!.map((v, j) => v - m[r]![c]! * m[c]![j]!);
  }
  return m.map((row) => row.slice(n));
}

const mul = (a: number[][], b: number[][]) => a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, t) => s + v * b[t]![j]!, 0)));
const transpose = (a: number[][]) => a[0]!.map((_, j) => a.map((row) => row[j]!));
const rows = (flat: ArrayLike<number>, r: number, c: number, offset = 0) =>
  Array.from({ length: r }, (_, i) => Array.from({ length: c }, (__, j) => flat[offset + i * c + j]!));

/** A memory state with a random mean and a random non-diagonal SPD covariance. */
function randomState(rng: Rng, b: number): { mean: tf.Tensor; cov: tf.Tensor } {
  const cov: number[] = [];
  for (let e = 0; e < b; e++) {
    const g = rows(rng.normals(K * K), K, K);
    const u = mul(g, transpose(g)).map((row, i) => row.map((v, j) => v / K + (i === j ? 0.5 : 0)));
    cov.push(...u.flat());
  }
  return { mean: tf.tensor3d(rng.normals(b * K * C), [b, K, C]), cov: tf.tensor3d(cov, [b, K, K]) };
}

describe('kanerva-memory', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  describe('#writeOnline', () => {
    it('equals the batch posterior R + Σ_cᵀΣ_z⁻¹Δ, U − Σ_cᵀΣ_z⁻¹Σ_c within 1e-4, in any order', () => {
      const rng = new Rng(1);
      const b = 2;
      const noiseVar = 0.7;
      const state = randomState(rng, b);
      const z = rng.normals(b * T * C);
      const w = rng.normals(b * T * K, 0.5);
      const online = writeOnline(state, tf.tensor3d(z, [b, T, C]), tf.tensor3d(w, [b, T, K]), noiseVar);
      const order = new Rng(2).permutation(T);
      const permute = (flat: Float32Array, width: number) =>
        Array.from({ length: b }, (_, e) => order.flatMap((t) => Array.from(flat.subarray((e * T + t) * width, (e * T + t + 1) * width)))).flat();
      const shuffled = writeOnline(state, tf.tensor3d(permute(z, C), [b, T, C]), tf.tensor3d(permute(w, K), [b, T, K]), noiseVar);
      const m0 = values(state.mean);
      const u0 = values(state.cov);
      for (let e = 0; e < b; e++) {
        const R = rows(m0, K, C, e * K * C);
        const U = rows(u0, K, K, e * K * K);
        const W = rows(w, T, K, e * T * K);
        const Z = rows(z, T, C, e * T * C);
        const delta = Z.map((row, t) => row.map((v, c) => v - mul([W[t]!], R)[0]![c]!)); // [T, C]
        const sigmaC = mul(W, U); // [T, K]
        const sigmaZ = mul(sigmaC, transpose(W)).map((row, i) => row.map((v, j) => v + (i === j ? noiseVar : 0)));
        const gain = mul(transpose(sigmaC), inverse(sigmaZ)); // [K, T]
        const R1 = R.map((row, k) => row.map((v, c) => v + mul(gain, delta)[k]![c]!));
        const U1 = U.map((row, k) => row.map((v, j) => v - mul(gain, sigmaC)[k]![j]!));
        for (const [what, got] of [['online', online], ['shuffled', shuffled]] as const) {
          expectClose(values(got.mean).slice(e * K * C, (e + 1) * K * C), R1.flat(), 1e-4, `${what} R, episode ${e}`);
          expectClose(values(got.cov).slice(e * K * K, (e + 1) * K * K), U1.flat(), 1e-4, `${what} U, episode ${e}`);
        }
      }
      tf.dispose([state.mean, state.cov, online.mean, online.cov, shuffled.mean, shuffled.cov]);
    });

    it('keeps the covariance diagonal ≥ 1e-6 and finite after many near-noiseless writes', () => {
      const rng = new Rng(3);
      const state = randomState(rng, 2);
      const n = 40;
      const after = writeOnline(state, tf.tensor3d(rng.normals(2 * n * C), [2, n, C]), tf.tensor3d(rng.normals(2 * n * K), [2, n, K]), 1e-6);
      const u = values(after.cov);
      for (let e = 0; e < 2; e++) {
        for (let k = 0; k < K; k++) {
          const v = u[e * K * K + k * K + k]!;
          assert.ok(Number.isFinite(v) && v >= COV_DIAGONAL_MIN * (1 - 1e-6), `U[${e}][${k}][${k}] = ${v}`);
        }
      }
      tf.dispose([state.mean, state.cov, after.mean, after.cov]);
    });
  });

  describe('#solveWeights', () => {
    it('solves (R Rᵀ + λI) w = R z for every query', () => {
      const rng = new Rng(4);
      const mean = rng.normals(K * C);
      const z = rng.normals(2 * C);
      const lambda = 0.3;
      const w = values(tf.tidy(() => solveWeights(tf.tensor3d(mean, [1, K, C]), tf.tensor3d(z, [1, 2, C]), lambda)));
      const R = rows(mean, K, C);
      const A = mul(R, transpose(R)).map((row, i) => row.map((v, j) => v + (i === j ? lambda : 0)));
      const expected = mul(inverse(A), mul(R, transpose(rows(z, 2, C)))); // [K, 2]
      expectClose(w, transpose(expected).flat(), 1e-4, 'w');
    });
  });

  describe('KL terms', () => {
    it('klMemory is zero at the prior and matches the closed form after a write', () => {
      const rng = new Rng(5);
      const priorMean = tf.tensor2d(rng.normals(K * C), [K, C]);
      const priorLogVar = tf.tensor1d([0.1, -0.2, 0.3]);
      const prior = priorState(priorMean, priorLogVar, 2);
      expectClose(values(klMemory(prior, priorMean, priorLogVar)), [0, 0], 1e-4, 'KL at the prior');
      const post = writeOnline(prior, tf.tensor3d(rng.normals(2 * T * C), [2, T, C]), tf.tensor3d(rng.normals(2 * T * K), [2, T, K]), 1);
      const kl = values(klMemory(post, priorMean, priorLogVar));
      const p = [0.1, -0.2, 0.3].map((v) => Math.exp(v) + 1e-6);
      const R = values(post.mean);
      const U = values(post.cov);
      const R0 = values(priorMean);
      for (let e = 0; e < 2; e++) {
        let s = -K * C;
        for (let k = 0; k < K; k++) {
          const q = U[e * K * K + k * K + k]!;
          s += C * (q / p[k]!) + C * Math.log(p[k]! / q);
          for (let c = 0; c < C; c++) s += (R[e * K * C + k * C + c]! - R0[k * C + c]!) ** 2 / p[k]!;
        }
        assert.ok(Math.abs(kl[e]! - s / 2) < 1e-3 * Math.max(1, s), `KL of episode ${e}: ${kl[e]} vs ${s / 2}`);
        assert.ok(kl[e]! > 0);
      }
      tf.dispose([priorMean, priorLogVar, prior.mean, prior.cov, post.mean, post.cov]);
    });

    it('klAddress matches ½ Σ (σ²/σp² + μ²/σp² − 1 − 2 log(σ/σp)) per item', () => {
      const mu = [0.5, -1, 2, 0, 0.25, -0.75];
      const logStd = Math.log(0.3);
      const priorStd = 1.5;
      const kl = values(tf.tidy(() => klAddress(tf.tensor3d(mu, [1, 2, K]), tf.scalar(logStd), priorStd)));
      const expected = [0, 1].map((t) =>
        mu.slice(t * K, (t + 1) * K).reduce((s, m) => s + 0.5 * (0.09 / priorStd ** 2 + (m * m) / priorStd ** 2 - 1 - 2 * Math.log(0.3 / priorStd)), 0),
      );
      expectClose(kl, expected, 1e-5, 'KL_w');
    });
  });

  describe('#kanervaShape', () => {
    it('reproduces DeepMind\'s 32 × 100 at 4 224 floats and fills the budget otherwise', () => {
      assert.deepEqual(kanervaShape('t', 4224, null, null), { rows: 32, codeSize: 100 });
      const { rows: k, codeSize: c } = kanervaShape('t', 8256, null, null);
      assert.ok(k * c + k * k <= 8256 && (k * (c + 1) + k * k > 8256), `K = ${k}, C = ${c}`);
      const fixedC = kanervaShape('t', 8256, null, 100);
      assert.equal(fixedC.codeSize, 100);
      assert.ok(fixedC.rows * 100 + fixedC.rows ** 2 <= 8256 && (fixedC.rows + 1) * 100 + (fixedC.rows + 1) ** 2 > 8256);
    });

    it('names the field when the budget cannot hold the asked shape', () => {
      assert.throws(() => kanervaShape('model kanerva-machine', 20, 3, 5), /field "rows" got 3.*K·C \+ K² ≤ budgetFloats \(20\)/);
      assert.throws(() => kanervaShape('model kanerva-machine', 1, null, null), /field "budgetFloats" got 1/);
    });
  });
});
