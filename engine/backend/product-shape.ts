// The shape of a BatchMatMul as the replacement kernels (wasm-mat-mul-kernel.ts, native-mat-mul-kernel.ts)
// take it: one product per batch element, each operand's batch being either the whole batch or 1.
// Engine layer; runs wherever training runs.
import * as tf from '@tensorflow/tfjs';

export interface ProductShape {
  /** Rows of a·b, the inner dimension, its columns (after the transpose flags). */
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** Batch elements of a and of b (1 or `batch`), and of the product. */
  readonly batchA: number;
  readonly batchB: number;
  readonly batch: number;
  /** The product's broadcast batch dimensions. */
  readonly outer: number[];
}

/** The product's shape, or null when a batch broadcasts other than one operand against a whole batch. */
export function productShape(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): ProductShape | null {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  let outer: number[];
  try {
    outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return null;
  }
  const batch = tf.util.sizeFromShape(outer);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  if ((batchA !== 1 && batchA !== batch) || (batchB !== 1 && batchB !== batch)) return null;
  return {
    m: transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!,
    k: transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!,
    n: transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!,
    batchA,
    batchB,
    batch,
    outer,
  };
}
