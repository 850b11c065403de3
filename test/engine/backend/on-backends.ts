// Runs one computation on the wasm and the cpu backend and compares the results, for the tests of
// the wasm kernels; seeded random inputs so each backend builds the same tensors.
import type { TestContext } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '../../../engine/backend/select';
import { Rng } from '../../../engine/core/random';
import { backendsHere } from '../../helpers/backends';
import { expectClose } from '../../helpers/tensors';

/** True when the wasm backend loads here; otherwise the test is skipped, saying why. */
export async function wasmHere(t: TestContext): Promise<boolean> {
  if ((await backendsHere()).includes('wasm')) return true;
  t.skip('the wasm backend does not load on this machine, so there is nothing to compare');
  return false;
}

/** Normal random values for a shape, reproducible by seed. */
export function randomValues(seed: number, shape: number[]): Float32Array {
  return new Rng(seed).normals(shape.reduce((a, b) => a * b, 1));
}

/** The outputs of `fn` on one backend, read back as plain arrays; everything made is freed. */
export async function valuesOn(backend: BackendName, fn: () => tf.Tensor | tf.Tensor[]): Promise<number[][]> {
  await selectBackend(backend);
  const out = tf.tidy(fn);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => Array.from(t.dataSync() as ArrayLike<number>));
  tf.dispose(list);
  return values;
}

/**
 * Asserts `fn` gives the same outputs on wasm as on cpu, within `relTol` of the largest cpu
 * magnitude (float32 sums in a different order differ in the last bits). Leaves cpu selected.
 */
export async function expectWasmMatchesCpu(fn: () => tf.Tensor | tf.Tensor[], relTol: number, what: string): Promise<void> {
  const wasm = await valuesOn('wasm', fn);
  const cpu = await valuesOn('cpu', fn);
  if (wasm.length !== cpu.length) throw new Error(`${what}: ${wasm.length} outputs on wasm, ${cpu.length} on cpu`);
  cpu.forEach((expected, i) => {
    const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
    expectClose(wasm[i]!, expected, relTol * scale, `${what}, output ${i}`);
  });
}
