// BatchMatMul for the wasm backend that keeps every sizeable product on XNNPACK: transpose flags become
// explicit transposes, and batched products run one XNNPACK product per batch element on views into
// the wasm heap. Engine layer; runs wherever training runs.
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendData } from './cpu-fallback-kernel';
import { KernelScope } from './kernel-scope';
import { productShape } from './product-shape';

/*
 * Why: tfjs-backend-wasm sends a product to XNNPACK only when it has no transpose flag and a batch of
 * one; everything else (every batched product, and the transposed products of tf.matMul's own
 * gradient) runs a naive blocked loop at 1–2 GFLOP/s against XNNPACK's 20–35. Measured on this
 * machine's wasm (`engram bench --ops`): [16,32,32]·[16,32,258] 4.1 ms → 0.55 ms, 128×512ᵀ·512×258
 * 48 ms → 1.1 ms.
 *
 * How: the backend's own `_BatchMatMul` entry takes tensor ids, and a tensor id is only a registered
 * (offset, size) pair on the wasm side; freeing memory is done by the JavaScript side. So a batch
 * element is multiplied by registering views (ids) at its offset inside the operands and the output,
 * calling the entry with rank-3 shapes of batch one, and unregistering the views; unregistering also
 * deletes the XNNPACK operator the entry cached for the view of b.
 */

/** Below this many multiply-adds per batch element the naive loop beats an XNNPACK call's setup. */
const MIN_XNN_MACS_PER_ELEMENT = 16384;

/** What of the wasm backend this kernel uses beyond cpu-fallback-kernel's view of it. */
interface WasmBackendInternals extends Omit<WasmBackendData, 'dataIdMap'> {
  readonly dataIdMap: { get(dataId: tf.DataId): { id: number; memoryOffset: number } };
  dataIdNextNumber: number;
  readonly wasm: WasmBackendData['wasm'] & {
    readonly HEAPU32: Uint32Array;
    _malloc(bytes: number): number;
    _BatchMatMul(aId: number, aShape: number, aRank: number, bId: number, bShape: number, bRank: number, transposeA: number, transposeB: number, outId: number): void;
    readonly tfjs: { registerTensor(id: number, size: number, memoryOffset: number): void; disposeData(id: number): void };
  };
}

/** Two rank-3 shapes in the wasm heap, written before each call (allocated once per module). */
const shapeBuffers = new WeakMap<object, number>();

/** out[m×n] = a[m×k] · b[k×n] on XNNPACK, for tensors registered under these ids. */
function xnnProduct(backend: WasmBackendInternals, aId: number, bId: number, outId: number, m: number, k: number, n: number): void {
  const module = backend.wasm;
  let shapes = shapeBuffers.get(module);
  if (shapes === undefined) {
    shapes = module._malloc(24);
    shapeBuffers.set(module, shapes);
  }
  // Read HEAPU32 afresh: a growing heap replaces the array.
  module.HEAPU32.set([1, m, k, 1, k, n], shapes / 4);
  module._BatchMatMul(aId, shapes, 3, bId, shapes + 12, 3, 0, 0, outId);
}

/** Registers `size` floats at byte `offset` under a fresh id: a view, owned by whoever made the memory. */
function registerView(backend: WasmBackendInternals, offset: number, size: number): number {
  const id = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(id, size, offset);
  return id;
}

/** The wasm BatchMatMul kernel; `native` is the backend's own kernel, used where it is as fast or faster. */
export function wasmBatchMatMulKernel(native: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return native.kernelFunc(args);
    const shape = productShape(a, b, transposeA, transposeB);
    if (shape === null) return native.kernelFunc(args);
    const { m, k, n, batchA, batchB, batch, outer } = shape;
    const perElementMacs = batchB === 1 ? batchA * m * k * n : m * k * n;
    if (m * k * n === 0 || perElementMacs < MIN_XNN_MACS_PER_ELEMENT) return native.kernelFunc(args);

    const backend = args.backend as WasmBackendInternals;
    const scope = new KernelScope('wasm', backend);
    try {
      let a3 = scope.reshape(a, transposeA ? [batchA, k, m] : [batchA, m, k]);
      let b3 = scope.reshape(b, transposeB ? [batchB, n, k] : [batchB, k, n]);
      if (transposeA) a3 = scope.transpose(a3, [0, 2, 1]); // [batchA, m, k]
      if (transposeB) b3 = scope.transpose(b3, [0, 2, 1]); // [batchB, k, n]
      const out = scope.adopt(backend.makeOutput([batch, m, n], 'float32'));
      const ids = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId);
      if (batchB === 1) {
        // Rows of every batch element of a against the one b: a single product of batchA·m rows.
        xnnProduct(backend, ids(a3).id, ids(b3).id, ids(out).id, batchA * m, k, n);
      } else {
        const [aAt, bAt, outAt] = [ids(a3).memoryOffset, ids(b3).memoryOffset, ids(out).memoryOffset];
        for (let i = 0; i < batch; i++) {
          const views = [
            registerView(backend, aAt + (batchA === 1 ? 0 : 4 * i * m * k), m * k),
            registerView(backend, bAt + 4 * i * k * n, k * n),
            registerView(backend, outAt + 4 * i * m * n, m * n),
          ] as const;
          try {
            xnnProduct(backend, views[0], views[1], views[2], m, k, n);
          } finally {
            for (const id of views) backend.wasm.tfjs.disposeData(id);
          }
        }
      }
      return scope.finish(scope.reshape(out, [...outer, m, n]));
    } catch (err) {
      scope.dispose();
      throw err;
    }
  };
  return { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc };
}
