// The EngramKanervaWrite kernel and its gradient kernel (the op is models/kanerva-memory.ts's
// writeOnline) for the wasm and cpu backends: the whole online write of a batch of episodes in one
// call, and all four input gradients in another; compiled in the engram_blas addon where it is built,
// in JavaScript otherwise. Engine layer; runs wherever training runs.
import * as tf from '@tensorflow/tfjs';
import { KANERVA_WRITE_GRAD_KERNEL, KANERVA_WRITE_KERNEL, type KanervaWriteAttrs } from '../models/kanerva-memory';
import { kernelAccess, type KernelAccess, type Values } from './kernel-access';
import { nativeKernels, type NativeCall } from './native-blas';

/*
 * Why: written as tensor ops, each item of a write costs some 20 kernels forward and 60 backward, so
 * the Kanerva machines' training steps were mostly the fixed cost of dispatching thousands of small
 * kernels (the bench's profile). The arithmetic itself is O(K·C + K²) per item.
 *
 * Per episode and item, with w = weights[t] [K], z = codes[t] [C], R [K, C] and U [K, K]:
 *   d = z − Rᵀw,  s = Uᵀw,  σ = s·w + σ_ξ²,  g = s/σ,  R ← R + g dᵀ,  U ← U − g sᵀ,
 *   then diag(U) clipped to [covMin, covMax].
 * The gradient runs the items backwards with the adjoints A_R, A_U of the state after the item:
 *   A_U's diagonal is zeroed where the clip bound (outside [covMin, covMax]; tfjs's clipByValue passes
 *   gradient at the bounds themselves), then
 *   a_d = A_Rᵀg,  a_g = A_R d − A_U s,  a_s = −A_Uᵀg + a_g/σ + a_σ w  with a_σ = −(a_g·s)/σ²,
 *   a_w = a_σ s + U a_s − R a_d,  a_z = a_d,  A_R ← A_R − w a_dᵀ,  A_U ← A_U + w a_sᵀ.
 * The states each item started from are recovered backwards from the posterior by undoing each item's
 * update (float64 throughout).
 */

interface Shapes {
  readonly batch: number;
  readonly items: number;
  readonly k: number;
  readonly c: number;
}

function shapesOf(mean: tf.TensorInfo, cov: tf.TensorInfo, codes: tf.TensorInfo, weights: tf.TensorInfo): Shapes {
  const [batch, k, c] = mean.shape as [number, number, number];
  const [b2, items, c2] = codes.shape as [number, number, number];
  const ok =
    mean.shape.length === 3 &&
    codes.shape.length === 3 &&
    weights.shape.length === 3 &&
    cov.shape.length === 3 &&
    cov.shape[0] === batch &&
    cov.shape[1] === k &&
    cov.shape[2] === k &&
    b2 === batch &&
    c2 === c &&
    weights.shape[0] === batch &&
    weights.shape[1] === items &&
    weights.shape[2] === k;
  if (!ok) throw new Error(`kanerva write: mean [${mean.shape}], cov [${cov.shape}], codes [${codes.shape}], weights [${weights.shape}] must be [B, K, C], [B, K, K], [B, T, C], [B, T, K]`);
  return { batch, items, k, c };
}

/** One episode's item t, applied to R and U in place; fills d, s and returns σ. Records the clip in `clipped` when given. */
function writeItem(
  sh: Shapes,
  r: Float64Array,
  u: Float64Array,
  w: ArrayLike<number>,
  wo: number,
  z: ArrayLike<number>,
  zo: number,
  attrs: KanervaWriteAttrs,
  d: Float64Array,
  s: Float64Array,
  clipped: Uint8Array | null,
  unclipped: Float64Array | null,
): number {
  const { k, c } = sh;
  for (let j = 0; j < c; j++) d[j] = z[zo + j]!;
  s.fill(0);
  for (let i = 0; i < k; i++) {
    const wi = w[wo + i]!;
    if (wi === 0) continue;
    for (let j = 0; j < c; j++) d[j] = d[j]! - wi * r[i * c + j]!;
    for (let j = 0; j < k; j++) s[j] = s[j]! + wi * u[i * k + j]!;
  }
  let sigma = attrs.noiseVar;
  for (let i = 0; i < k; i++) sigma += s[i]! * w[wo + i]!;
  for (let i = 0; i < k; i++) {
    const g = s[i]! / sigma;
    for (let j = 0; j < c; j++) r[i * c + j] = r[i * c + j]! + g * d[j]!;
    for (let j = 0; j < k; j++) u[i * k + j] = u[i * k + j]! - g * s[j]!;
    const v = u[i * k + i]!;
    const out = v < attrs.covMin || v > attrs.covMax;
    if (clipped) clipped[i] = out ? 1 : 0;
    if (unclipped) unclipped[i] = v;
    if (out) u[i * k + i] = v < attrs.covMin ? attrs.covMin : attrs.covMax;
  }
  return sigma;
}

/** The posterior R, U of every episode after writing its items in order. */
export function writeBatch(
  sh: Shapes,
  mean: ArrayLike<number>,
  cov: ArrayLike<number>,
  codes: ArrayLike<number>,
  weights: ArrayLike<number>,
  attrs: KanervaWriteAttrs,
  outMean: { [i: number]: number },
  outCov: { [i: number]: number },
): void {
  const { batch, items, k, c } = sh;
  const r = new Float64Array(k * c);
  const u = new Float64Array(k * k);
  const d = new Float64Array(c);
  const s = new Float64Array(k);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < k * c; i++) r[i] = mean[b * k * c + i]!;
    for (let i = 0; i < k * k; i++) u[i] = cov[b * k * k + i]!;
    for (let t = 0; t < items; t++) writeItem(sh, r, u, weights, (b * items + t) * k, codes, (b * items + t) * c, attrs, d, s, null, null);
    for (let i = 0; i < k * c; i++) outMean[b * k * c + i] = r[i]!;
    for (let i = 0; i < k * k; i++) outCov[b * k * k + i] = u[i]!;
  }
}

/** Gradients of the four inputs from those of the two outputs (dMean [B, K, C], dCov [B, K, K]). */
export function writeGradBatch(
  sh: Shapes,
  mean: ArrayLike<number>,
  cov: ArrayLike<number>,
  codes: ArrayLike<number>,
  weights: ArrayLike<number>,
  dMean: ArrayLike<number>,
  dCov: ArrayLike<number>,
  attrs: KanervaWriteAttrs,
  out: { readonly mean: { [i: number]: number }; readonly cov: { [i: number]: number }; readonly codes: { [i: number]: number }; readonly weights: { [i: number]: number } },
): void {
  const { batch, items, k, c } = sh;
  // The write is replayed keeping only what each item computed (d, s, σ, and the diagonal before a
  // clip); going backwards, each item's update is undone to recover the state it started from, so
  // that the whole pass stays in cache.
  const r = new Float64Array(k * c);
  const u = new Float64Array(k * k);
  const ds = new Float64Array(items * c);
  const ss = new Float64Array(items * k);
  const sigmas = new Float64Array(items);
  const clips = new Uint8Array(items * k);
  const unclipped = new Float64Array(items * k);
  const aR = new Float64Array(k * c);
  const aU = new Float64Array(k * k);
  const aD = new Float64Array(c);
  const aG = new Float64Array(k);
  const aS = new Float64Array(k);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < k * c; i++) r[i] = mean[b * k * c + i]!;
    for (let i = 0; i < k * k; i++) u[i] = cov[b * k * k + i]!;
    for (let t = 0; t < items; t++) {
      sigmas[t] = writeItem(sh, r, u, weights, (b * items + t) * k, codes, (b * items + t) * c, attrs, ds.subarray(t * c, (t + 1) * c), ss.subarray(t * k, (t + 1) * k), clips.subarray(t * k, (t + 1) * k), unclipped.subarray(t * k, (t + 1) * k));
    }
    for (let i = 0; i < k * c; i++) aR[i] = dMean[b * k * c + i]!;
    for (let i = 0; i < k * k; i++) aU[i] = dCov[b * k * k + i]!;
    for (let t = items - 1; t >= 0; t--) {
      const d = ds.subarray(t * c, (t + 1) * c);
      const s = ss.subarray(t * k, (t + 1) * k);
      const sigma = sigmas[t]!;
      const wo = (b * items + t) * k;
      // Undo the item: the clipped diagonal back to its value, then R −= g dᵀ, U += g sᵀ.
      for (let i = 0; i < k; i++) {
        if (clips[t * k + i]) {
          u[i * k + i] = unclipped[t * k + i]!;
          aU[i * k + i] = 0;
        }
      }
      for (let i = 0; i < k; i++) {
        const g = s[i]! / sigma;
        for (let j = 0; j < c; j++) r[i * c + j] = r[i * c + j]! - g * d[j]!;
        for (let j = 0; j < k; j++) u[i * k + j] = u[i * k + j]! + g * s[j]!;
      }
      // a_d = A_Rᵀ g;  a_g = A_R d − A_U s.
      aD.fill(0);
      for (let i = 0; i < k; i++) {
        const g = s[i]! / sigma;
        let ag = 0;
        for (let j = 0; j < c; j++) {
          aD[j] = aD[j]! + aR[i * c + j]! * g;
          ag += aR[i * c + j]! * d[j]!;
        }
        for (let j = 0; j < k; j++) ag -= aU[i * k + j]! * s[j]!;
        aG[i] = ag;
      }
      // a_σ = −(a_g·s)/σ²;  a_s = −A_Uᵀ g + a_g/σ + a_σ w.
      let aSigma = 0;
      for (let i = 0; i < k; i++) aSigma -= (aG[i]! * s[i]!) / (sigma * sigma);
      for (let j = 0; j < k; j++) aS[j] = aG[j]! / sigma + aSigma * weights[wo + j]!;
      for (let i = 0; i < k; i++) {
        const g = s[i]! / sigma;
        for (let j = 0; j < k; j++) aS[j] = aS[j]! - aU[i * k + j]! * g;
      }
      // a_w = a_σ s + U a_s − R a_d (U, R as the item found them);  a_z = a_d.
      for (let i = 0; i < k; i++) {
        let aw = aSigma * s[i]!;
        for (let j = 0; j < k; j++) aw += u[i * k + j]! * aS[j]!;
        for (let j = 0; j < c; j++) aw -= r[i * c + j]! * aD[j]!;
        out.weights[wo + i] = aw;
      }
      const zo = (b * items + t) * c;
      for (let j = 0; j < c; j++) out.codes[zo + j] = aD[j]!;
      // A_R ← A_R − w a_dᵀ;  A_U ← A_U + w a_sᵀ.
      for (let i = 0; i < k; i++) {
        const wi = weights[wo + i]!;
        if (wi === 0) continue;
        for (let j = 0; j < c; j++) aR[i * c + j] = aR[i * c + j]! - wi * aD[j]!;
        for (let j = 0; j < k; j++) aU[i * k + j] = aU[i * k + j]! + wi * aS[j]!;
      }
    }
    for (let i = 0; i < k * c; i++) out.mean[b * k * c + i] = aR[i]!;
    for (let i = 0; i < k * k; i++) out.cov[b * k * k + i] = aU[i]!;
  }
}

/** Runs the compiled code when the addon has it and every array is float32, else the JavaScript. */
function compiled(call: NativeCall | null, sh: Shapes, attrs: KanervaWriteAttrs, arrays: readonly Values[]): boolean {
  if (!call || !arrays.every((a) => a instanceof Float32Array)) return false;
  call(sh.batch, sh.items, sh.k, sh.c, attrs.noiseVar, attrs.covMin, attrs.covMax, ...(arrays as Float32Array[]));
  return true;
}

function kernels(accessOf: (backend: tf.KernelBackend) => KernelAccess): { write: tf.KernelFunc; grad: tf.KernelFunc } {
  const native = nativeKernels();
  const nativeWrite = 'problem' in native ? null : native.kanervaWrite;
  const nativeGrad = 'problem' in native ? null : native.kanervaWriteGrad;
  return {
    write: ({ inputs, backend, attrs }) => {
      const { mean, cov, codes, weights } = inputs as Record<'mean' | 'cov' | 'codes' | 'weights', tf.TensorInfo>;
      const sh = shapesOf(mean, cov, codes, weights);
      const a = attrs as unknown as KanervaWriteAttrs;
      const access = accessOf(backend as tf.KernelBackend);
      const outs = access.outputs([mean.shape, cov.shape]);
      const values = outs.map((o) => o.values);
      const ins = [access.input(mean), access.input(cov), access.input(codes), access.input(weights)] as const;
      if (!compiled(nativeWrite, sh, a, [...ins, ...values])) writeBatch(sh, ...ins, a, values[0]!, values[1]!);
      return outs.map((o) => o.info);
    },
    grad: ({ inputs, backend, attrs }) => {
      const { mean, cov, codes, weights, dMean, dCov } = inputs as Record<'mean' | 'cov' | 'codes' | 'weights' | 'dMean' | 'dCov', tf.TensorInfo>;
      const sh = shapesOf(mean, cov, codes, weights);
      const a = attrs as unknown as KanervaWriteAttrs;
      const access = accessOf(backend as tf.KernelBackend);
      const outs = access.outputs([mean.shape, cov.shape, codes.shape, weights.shape]);
      const values = outs.map((o) => o.values);
      const ins = [access.input(mean), access.input(cov), access.input(codes), access.input(weights), access.input(dMean), access.input(dCov)] as const;
      if (!compiled(nativeGrad, sh, a, [...ins, ...values])) {
        writeGradBatch(sh, ...ins, a, { mean: values[0]!, cov: values[1]!, codes: values[2]!, weights: values[3]! });
      }
      return outs.map((o) => o.info);
    },
  };
}

/** Registers both kernels for a backend (once); models/kanerva-memory.ts uses them wherever they are registered. */
export function installKanervaWriteKernels(backendName: 'wasm' | 'cpu'): void {
  if (tf.getKernel(KANERVA_WRITE_KERNEL, backendName)) return;
  const { write, grad } = kernels(kernelAccess(backendName));
  tf.registerKernel({ kernelName: KANERVA_WRITE_KERNEL, backendName, kernelFunc: write });
  tf.registerKernel({ kernelName: KANERVA_WRITE_GRAD_KERNEL, backendName, kernelFunc: grad });
}
