// Sum over leading axes for the wasm backend, without the transpose the backend makes first: the
// reduction every bias gradient needs. Engine layer; runs wherever training runs.
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendData } from './cpu-fallback-kernel';
import type { Gemm } from './native-blas';

/*
 * Why: the backend's Sum reduces only innermost axes, so a sum over the rows of dy — the gradient of
 * every broadcast bias add — first transposes the whole of dy. Summing the rows in place costs one
 * pass over the values instead of a transpose and a pass; with the native BLAS the pass is a product
 * of a row of ones with the rows (plasticity sums 512 copies of its 90×90 trace this way, dozens of
 * times a step).
 */

/** Rows from which the sum goes to the BLAS (below it a loop costs less than the call). */
const GEMM_MIN_ROWS = 32;

/** The Sum kernel; `native` (the backend's own) takes every other reduction; `gemm` is the native BLAS, if any. */
export function wasmSumKernel(native: tf.KernelConfig, gemm: Gemm | null): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    if (x.dtype !== 'float32') return native.kernelFunc(args);
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    if (!leading) return native.kernelFunc(args);
    const backend = args.backend as WasmBackendData;
    const kept = x.shape.slice(axes.length);
    const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32');
    const width = tf.util.sizeFromShape(kept);
    const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
    if (gemm && rows >= GEMM_MIN_ROWS) {
      const ones = backend.makeOutput([rows], 'float32');
      backend.typedArrayFromHeap(ones).fill(1);
      // Views are taken after the allocations, which may grow (and so detach) the wasm memory.
      const heap = (backend as WasmBackendData & { readonly wasm: { readonly HEAPF32: Float32Array } }).wasm.HEAPF32;
      const at = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset / 4;
      gemm(1, false, false, 1, width, rows, heap, at(ones), 0, heap, at(x), 0, heap, at(out), 0);
      backend.disposeData(ones.dataId);
      return out;
    }
    // Views are taken after the allocation, which may grow (and so detach) the wasm memory.
    const from = backend.typedArrayFromHeap(x);
    const sums = new Float64Array(width);
    for (let r = 0; r < rows; r++) {
      const row = r * width;
      for (let c = 0; c < width; c++) sums[c] = sums[c]! + from[row + c]!;
    }
    backend.typedArrayFromHeap(out).set(sums);
    return out;
  };
  return { kernelName: 'Sum', backendName: 'wasm', kernelFunc };
}
