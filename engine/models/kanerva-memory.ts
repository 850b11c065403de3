/**
 * The matrix-Gaussian memory shared by the Kanerva Machine and the Dynamic Kanerva Machine: its
 * prior, the exact online posterior update, reads, ridge-regression addressing and the KL terms.
 * Engine layer; runs in the kernel, the CLI and tests.
 *
 * Wu, Wayne, Graves, Lillicrap. "The Kanerva Machine: A Generative Distributed Memory." ICLR 2018.
 * https://arxiv.org/abs/1804.01756. The update follows DeepMind's `memory.py`
 * (google-deepmind/dynamic-kanerva-machines), reference §6–7.
 *
 * The memory M (K rows × C columns) is a matrix-variate Gaussian MN(R, U, I_C): every column shares
 * the K×K row covariance U. Writing a code z with address weights w is Bayesian linear regression:
 * z = wᵀM + ξ, ξ ~ N(0, σ_ξ² I_C). Written one item at a time the predictive covariance Σ_z is a
 * scalar, so the exact posterior needs no inverse.
 *
 * Symbols (B batch, T items written, Q queries, K rows, C code width):
 *   | paper | code       | shape      |
 *   | R     | mean       | [B, K, C]  | posterior mean of M
 *   | U     | cov        | [B, K, K]  | row covariance of M
 *   | R₀,U₀ | prior      | [K, C],[K] | learned prior mean, diagonal prior variance
 *   | z_t   | codes      | [B, T, C]  | codes written
 *   | w_t   | weights    | [B, T, K]  | their addresses
 *   | σ_ξ²  | noiseVar   | []         | observation noise variance
 *
 * Equations (one item; reference §6):
 *   (1) Δ = z − wᵀR                 prediction error            [B, C]
 *   (2) Σ_c = U w                   cross-covariance            [B, K]
 *   (3) Σ_z = wᵀU w + σ_ξ²          predictive variance         [B]
 *   (4) R ← R + Σ_c Δᵀ / Σ_z
 *   (5) U ← U − Σ_c Σ_cᵀ / Σ_z,  then diag(U) clipped to [1e-6, 1e10] (as DeepMind's code)
 *   (6) read: z = wᵀR
 *   (7) ridge addressing (DKM): w = (R Rᵀ + λI)⁻¹ R z,  λ = σ_ξ² / σ_w²
 *   (8) KL(q(M) ‖ p(M)) = ½ [C Σ_k U_kk/U₀_k + Σ_kc (R − R₀)²_kc / U₀_k − K C + C Σ_k log(U₀_k / U_kk)]
 *   (9) KL(N(μ_w, σ_w² I) ‖ N(0, σ_p² I)) = ½ Σ_k [σ_w²/σ_p² + μ_k²/σ_p² − 1 − 2 log(σ_w/σ_p)]
 *
 * Deviation: (8) uses the diagonal of U in place of log det U, as DeepMind's `get_dkl_total` does
 * (Hadamard's inequality: Σ log U_kk ≥ log det U, so this under-states the KL slightly once rows
 * correlate); DeepMind's code also omits the factor ½, which is kept here.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/config';
import { choleskySolve } from '../core/linalg';

/** The memory distribution for a batch of episodes. */
export type KanervaMemoryState = {
  readonly mean: tf.Tensor; // [B, K, C]  R
  readonly cov: tf.Tensor; // [B, K, K]  U
};

/** Bounds of the covariance diagonal after every update, from DeepMind's code (EPSILON, 1e10). */
export const COV_DIAGONAL_MIN = 1e-6;
export const COV_DIAGONAL_MAX = 1e10;
const COV_BOUNDS = { covMin: COV_DIAGONAL_MIN, covMax: COV_DIAGONAL_MAX };

/**
 * Rows K and code width C from a float budget K·C + K² ≤ budgetFloats. Unset, K = ⌊√(budget/4)⌋ —
 * the ratio of DeepMind's Omniglot memory (32 rows × 100, K·C ≈ 3K²), which it reproduces at
 * budget 4 224 — and C = ⌊(budget − K²)/K⌋; either can be fixed and the other follows.
 */
export function kanervaShape(
  owner: string,
  budgetFloats: number,
  rows: number | null,
  codeSize: number | null,
): { rows: number; codeSize: number } {
  let k = rows;
  if (k === null) {
    k = codeSize === null ? Math.floor(Math.sqrt(budgetFloats / 4)) : Math.floor((-codeSize + Math.sqrt(codeSize * codeSize + 4 * budgetFloats)) / 2);
  }
  const c = codeSize ?? Math.floor((budgetFloats - k * k) / Math.max(k, 1));
  if (k < 1 || c < 1 || k * c + k * k > budgetFloats) {
    const field = rows !== null ? 'rows' : codeSize !== null ? 'codeSize' : 'budgetFloats';
    const value = rows ?? codeSize ?? budgetFloats;
    throw new ConfigError(owner, field, value, `K rows and C code width with K·C + K² ≤ budgetFloats (${budgetFloats}) and K, C ≥ 1 (got K = ${k}, C = ${c})`);
  }
  return { rows: k, codeSize: c };
}

/** The prior MN(R₀, diag(U₀), I) for a batch of episodes. */
export function priorState(priorMean: tf.Tensor, priorLogVar: tf.Tensor, batchSize: number): KanervaMemoryState {
  return tf.tidy(() => ({
    mean: priorMean.expandDims(0).tile([batchSize, 1, 1]), // [B, K, C]
    // eye ⊙ U₀ rather than tf.diag, which has no gradient in tfjs.
    cov: tf.eye(priorLogVar.shape[0]!).mul(priorVariance(priorLogVar)).expandDims(0).tile([batchSize, 1, 1]), // [B, K, K]
  }));
}

/** U₀ = exp(log var) + ε, the diagonal of the prior covariance. */
export function priorVariance(priorLogVar: tf.Tensor): tf.Tensor {
  return tf.exp(priorLogVar).add(COV_DIAGONAL_MIN); // [K]
}

/** The kernel names of writeOnline and its gradient, for backends that register kernels for the whole write. */
export const KANERVA_WRITE_KERNEL = 'EngramKanervaWrite';
export const KANERVA_WRITE_GRAD_KERNEL = 'EngramKanervaWriteGrad';

/** The attributes both kernels take: σ_ξ² and the bounds of the covariance diagonal. */
export interface KanervaWriteAttrs {
  readonly noiseVar: number;
  readonly covMin: number;
  readonly covMax: number;
}

/**
 * (1)–(5) applied item by item, in order; returns the posterior. Where the backend has the
 * EngramKanervaWrite kernel (engine/backend: wasm and cpu) one call writes the whole batch, and one
 * call computes its gradient; elsewhere the write is some 20 tensor ops per item, and three times as
 * many backward. The kernel's gradient is not differentiable again (the Kanerva models need first
 * derivatives only).
 */
export function writeOnline(state: KanervaMemoryState, codes: tf.Tensor, weights: tf.Tensor, noiseVar: number, bounds = COV_BOUNDS): KanervaMemoryState {
  if (!tf.getKernel(KANERVA_WRITE_KERNEL, tf.getBackend())) return writeOnlineOps(state, codes, weights, noiseVar, bounds);
  const attrs: KanervaWriteAttrs = { noiseVar, ...bounds };
  const [mean, cov] = tf.engine().runKernel(KANERVA_WRITE_KERNEL, { mean: state.mean, cov: state.cov, codes, weights }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { mean: mean!, cov: cov! };
}

/** (1)–(5) as tensor ops: for backends without the kernel, and the reference its tests compare with. */
export function writeOnlineOps(state: KanervaMemoryState, codes: tf.Tensor, weights: tf.Tensor, noiseVar: number, bounds = COV_BOUNDS): KanervaMemoryState {
  return tf.tidy(() => {
    const t = codes.shape[1]!;
    const k = state.cov.shape[1]!;
    const eye = tf.eye(k); // [K, K]
    let mean = state.mean; // [B, K, C]
    let cov = state.cov; // [B, K, K]
    for (let i = 0; i < t; i++) {
      const z = codes.slice([0, i, 0], [-1, 1, -1]); // [B, 1, C]
      const w = weights.slice([0, i, 0], [-1, 1, -1]); // [B, 1, K]
      const delta = z.sub(tf.matMul(w, mean)); // [B, 1, C]  (1)
      const sigmaC = tf.matMul(w, cov); // [B, 1, K]  (2) as a row: wᵀU = (U w)ᵀ, U symmetric
      const sigmaZ = sigmaC.mul(w).sum(-1, true).add(noiseVar); // [B, 1, 1]  (3)
      const gain = sigmaC.div(sigmaZ).transpose([0, 2, 1]); // [B, K, 1]
      mean = mean.add(gain.mul(delta)); // [B, K, C]  (4)
      cov = cov.sub(gain.mul(sigmaC)); // [B, K, K]  (5)
      const diagonal = cov.mul(eye).sum(-1); // [B, K]
      const clipped = diagonal.clipByValue(bounds.covMin, bounds.covMax); // [B, K]  (5)
      cov = cov.add(eye.mul(clipped.sub(diagonal).expandDims(-1))); // [B, K, K]
    }
    return { mean, cov };
  });
}

// The gradient kernel takes the write's inputs and the gradients of both outputs, and returns the
// gradients of all four inputs at once (it replays the write to get the states it passed through).
tf.registerGradient({
  kernelName: KANERVA_WRITE_KERNEL,
  inputsToSave: ['mean', 'cov', 'codes', 'weights'],
  gradFunc: (dy, saved, attrs) => {
    const [mean, cov, codes, weights] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const [dMean, dCov] = dy as tf.Tensor[];
    const [gMean, gCov, gCodes, gWeights] = tf.engine().runKernel(KANERVA_WRITE_GRAD_KERNEL, { mean, cov, codes, weights, dMean: dMean!, dCov: dCov! }, attrs) as tf.Tensor[];
    return { mean: () => gMean!, cov: () => gCov!, codes: () => gCodes!, weights: () => gWeights! };
  },
});

/** (6) z = wᵀR for weights [B, Q, K]. */
export function readMean(state: KanervaMemoryState, weights: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.matMul(weights, state.mean)); // [B, Q, C]
}

/** (7) ridge-regression addresses of codes [B, Q, C] against the memory mean, via a K×K Cholesky solve. */
export function solveWeights(mean: tf.Tensor, codes: tf.Tensor, lambda: number | tf.Scalar): tf.Tensor {
  return tf.tidy(() => {
    const k = mean.shape[1]!;
    const gram = tf.matMul(mean, mean, false, true).add(tf.eye(k).mul(lambda)) as tf.Tensor3D; // [B, K, K]
    const rhs = tf.matMul(mean, codes, false, true) as tf.Tensor3D; // [B, K, Q]
    return choleskySolve(gram, rhs).transpose([0, 2, 1]); // [B, Q, K]  (7)
  });
}

/** (8) per episode: KL of the memory posterior from the prior. */
export function klMemory(state: KanervaMemoryState, priorMean: tf.Tensor, priorLogVar: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [, k, c] = state.mean.shape as [number, number, number];
    const p = priorVariance(priorLogVar); // [K]
    const q = state.cov.mul(tf.eye(k)).sum(-1); // [B, K]
    const trace = q.div(p).sum(-1).mul(c); // [B]
    const meanTerm = state.mean.sub(priorMean).square().div(p.expandDims(-1)).sum([1, 2]); // [B]
    const logRatio = p.log().sub(q.log()).sum(-1).mul(c); // [B]
    return trace.add(meanTerm).add(logRatio).sub(k * c).mul(0.5); // [B]  (8)
  });
}

/** (9) per item: KL of the address posterior N(μ_w, σ_w² I) from the prior N(0, σ_p² I). */
export function klAddress(weightMeans: tf.Tensor, logStd: tf.Tensor, priorStd: number): tf.Tensor {
  return tf.tidy(() => {
    const k = weightMeans.shape[weightMeans.rank - 1]!;
    const ratio = tf.exp(logStd.mul(2)).div(priorStd * priorStd); // []  σ_w²/σ_p²
    const meanTerm = weightMeans.square().sum(-1).div(priorStd * priorStd); // [B, T]
    const logTerm = logStd.sub(Math.log(priorStd)).mul(2 * k); // []
    return meanTerm.add(ratio.mul(k)).sub(k).sub(logTerm).mul(0.5); // [B, T]  (9)
  });
}
