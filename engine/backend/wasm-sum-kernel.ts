// Sum over leading axes for the wasm backend, without the transpose the backend makes first: the
// reduction every bias gradient needs. Engine layer; runs wherever training runs.
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendData } from './cpu-fallback-kernel';

/*
 * Why: the backend's Sum reduces only innermost axes, so a sum over the rows of dy — the gradient of
 * every broadcast bias add — first transposes the whole of dy. Summing the rows in place costs one
 * pass over the values instead of a transpose and a pass.
 */

/** The Sum kernel; `native` (the backend's own) takes every other reduction. */
export function wasmSumKernel(native: tf.KernelConfig): tf.KernelConfig {
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
