// UnsortedSegmentSum for the wasm backend (the gradient of gather and of embeddings): one pass that
// adds each row of x into its segment, reading and writing the wasm heap in place. Engine layer;
// runs wherever training runs.
import * as tf from '@tensorflow/tfjs';
import { cpuFallbackKernelFunc, type WasmBackendData } from './cpu-fallback-kernel';

const fallback = cpuFallbackKernelFunc('UnsortedSegmentSum');

// out[s, …] = Σ_{i : ids[i] = s} x[i, …]; ids outside [0, numSegments) are dropped, as in TensorFlow.
const unsortedSegmentSum: tf.KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  if ((x.dtype !== 'float32' && x.dtype !== 'int32') || segmentIds.dtype !== 'int32') return fallback(args);
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const wasm = backend as WasmBackendData;
  const rowShape = x.shape.slice(segmentIds.shape.length);
  const rowSize = tf.util.sizeFromShape(rowShape);
  const out = wasm.makeOutput([numSegments, ...rowShape], x.dtype);
  // Views are taken after the allocation, which may grow (and so detach) the wasm memory.
  const sums = wasm.typedArrayFromHeap(out);
  const values = wasm.typedArrayFromHeap(x);
  const ids = wasm.typedArrayFromHeap(segmentIds);
  sums.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const segment = ids[i]!;
    if (segment < 0 || segment >= numSegments) continue;
    const from = i * rowSize;
    const to = segment * rowSize;
    for (let k = 0; k < rowSize; k++) sums[to + k] = sums[to + k]! + values[from + k]!;
  }
  return out;
};

export const wasmSegmentSumKernel: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum,
};
