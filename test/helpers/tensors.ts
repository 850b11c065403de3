// Shared assertions for engine tests: closeness with a stated tolerance, and tensor-leak guards.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

/** Asserts every |actual − expected| ≤ tol (absolute), naming the first index that is not. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what = 'values',
): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol)) assert.fail(`${what}[${i}] = ${a}, expected ${e} ± ${tol}`);
  }
}

/** Runs fn and asserts it leaves exactly `extra` more tensors alive than before. */
export async function expectNoTensorLeak(fn: () => unknown, extra = 0, what = 'operation'): Promise<void> {
  const before = tf.memory().numTensors;
  await fn();
  const after = tf.memory().numTensors;
  assert.equal(after - before, extra, `${what} left ${after - before - extra} tensors behind`);
}

/** The values of a tensor as a plain array (synchronous read). */
export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}
