// The EngramCholeskySolve kernel (the op is core/linalg.ts's choleskySolve) for the wasm and cpu
// backends: a whole batch of small symmetric positive-definite systems solved in one call, in
// float64, where the op's own fallback takes a few hundred tensor ops; compiled in the engram_blas
// addon where it is built, in JavaScript otherwise. Engine layer; runs wherever training runs.
import * as tf from '@tensorflow/tfjs';
import { CHOLESKY_SOLVE_KERNEL } from '../core/linalg';
import { kernelAccess, type Values } from './kernel-access';
import { nativeKernels } from './native-blas';

/*
 * Why: a K×K Cholesky factorisation and its two triangular solves, written as tensor ops, cost
 * about 10·K ops forward and more backward; at K = 32 the dynamic Kanerva machine spent most of a
 * training step dispatching them. Here one kernel call does the arithmetic (K³/3 + 2·K²·M
 * multiply-adds per system, microseconds at these sizes).
 */

/**
 * X = A⁻¹ R for each of `batch` systems: A [K, K] read from its lower triangle and diagonal (as the
 * op's fallback does), R [K, M], X [K, M], all row-major at the given element offsets.
 */
export function solveBatch(batch: number, k: number, m: number, a: ArrayLike<number>, r: ArrayLike<number>, x: { [i: number]: number }): void {
  const l = new Float64Array(k * k);
  const y = new Float64Array(k * m);
  for (let b = 0; b < batch; b++) {
    const ao = b * k * k;
    const ro = b * k * m;
    // L Lᵀ = A (Cholesky–Banachiewicz, row by row).
    for (let i = 0; i < k; i++) {
      for (let j = 0; j <= i; j++) {
        let s = a[ao + i * k + j]!;
        for (let p = 0; p < j; p++) s -= l[i * k + p]! * l[j * k + p]!;
        l[i * k + j] = i === j ? Math.sqrt(s) : s / l[j * k + j]!;
      }
    }
    // L Y = R, then Lᵀ X = Y.
    for (let i = 0; i < k; i++) {
      for (let c = 0; c < m; c++) {
        let s = r[ro + i * m + c]!;
        for (let p = 0; p < i; p++) s -= l[i * k + p]! * y[p * m + c]!;
        y[i * m + c] = s / l[i * k + i]!;
      }
    }
    for (let i = k - 1; i >= 0; i--) {
      for (let c = 0; c < m; c++) {
        let s = y[i * m + c]!;
        for (let p = i + 1; p < k; p++) s -= l[p * k + i]! * y[p * m + c]!;
        y[i * m + c] = s / l[i * k + i]!;
      }
    }
    for (let i = 0; i < k * m; i++) x[ro + i] = y[i]!;
  }
}

function shapes(a: tf.TensorInfo, rhs: tf.TensorInfo): { batch: number; k: number; m: number } {
  const [batch, k, k2] = a.shape as [number, number, number];
  const [batchR, kR, m] = rhs.shape as [number, number, number];
  if (a.shape.length !== 3 || rhs.shape.length !== 3 || k !== k2 || batch !== batchR || k !== kR) {
    throw new Error(`choleskySolve: A [${a.shape}] and R [${rhs.shape}] must be [B, K, K] and [B, K, M]`);
  }
  return { batch, k, m };
}

/** The addon's compiled solve where it is built and the arrays are float32, else the JavaScript. */
function solve(batch: number, k: number, m: number, a: Values, r: Values, x: Values): void {
  const native = nativeKernels();
  if (!('problem' in native) && a instanceof Float32Array && r instanceof Float32Array && x instanceof Float32Array) native.choleskySolve(batch, k, m, a, r, x);
  else solveBatch(batch, k, m, a, r, x);
}

/** Registers the kernel for a backend (once); core/linalg.ts uses it wherever it is registered. */
export function installCholeskySolveKernel(backendName: 'wasm' | 'cpu'): void {
  if (tf.getKernel(CHOLESKY_SOLVE_KERNEL, backendName)) return;
  const accessOf = kernelAccess(backendName);
  const kernelFunc: tf.KernelFunc = ({ inputs, backend }) => {
    const { a, rhs } = inputs as { a: tf.TensorInfo; rhs: tf.TensorInfo };
    const { batch, k, m } = shapes(a, rhs);
    const access = accessOf(backend as tf.KernelBackend);
    const out = access.outputs([[batch, k, m]])[0]!;
    solve(batch, k, m, access.input(a), access.input(rhs), out.values);
    return out.info;
  };
  tf.registerKernel({ kernelName: CHOLESKY_SOLVE_KERNEL, backendName, kernelFunc });
}
