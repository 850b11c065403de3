// The wasm backend's data-movement kernels Slice, Unpack (tf.unstack), SplitV (tf.split) and Tile,
// reading the input in place on the wasm heap and copying contiguous runs. Engine layer; runs
// wherever training runs.
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendData } from './cpu-fallback-kernel';

/*
 * Why: the backend's Slice begins with readSync of the whole input — a copy of all of it out of the
 * heap — even for one row, and its Unpack and SplitV call that Slice once per output. Unstacking an
 * episode's 32 items of [16, 32, 512] copied 32 MB; the recurrent models and the Kanerva write slice
 * once per item and step, so this was a fixed share of their training time. Here each output copies
 * only its own values, in contiguous runs. Its Tile computes an index per element in a generic loop:
 * repeating LSTM states for 32 queries took 4 ms a step; here a tile is a copy of runs and blocks.
 */

/** Copies x[begin : begin + size] into a new tensor, one contiguous innermost run at a time. */
function sliceOf(backend: WasmBackendData, x: tf.TensorInfo, begin: readonly number[], size: readonly number[]): tf.TensorInfo {
  const out = backend.makeOutput([...size], x.dtype);
  const count = tf.util.sizeFromShape([...size]);
  if (count === 0) return out;
  // Views are taken after the allocation, which may grow (and so detach) the wasm memory.
  const from = backend.typedArrayFromHeap(x);
  const to = backend.typedArrayFromHeap(out);
  const strides = tf.util.computeStrides(x.shape);
  if (tf.slice_util.isSliceContinous(x.shape, [...begin], [...size])) {
    const offset = tf.slice_util.computeFlatOffset([...begin], strides);
    to.set(from.subarray(offset, offset + count));
    return out;
  }
  const rank = x.shape.length;
  const run = size[rank - 1]!;
  const index = new Array<number>(rank - 1).fill(0);
  for (let o = 0; o < count; o += run) {
    let offset = begin[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) offset += (begin[d]! + index[d]!) * strides[d]!;
    to.set(from.subarray(offset, offset + run), o);
    for (let d = rank - 2; d >= 0; d--) {
      index[d] = index[d]! + 1;
      if (index[d]! < size[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

/** x repeated reps[d] times along every axis d: the input's rows are copied once, then whole blocks are repeated. */
function tileOf(backend: WasmBackendData, x: tf.TensorInfo, reps: readonly number[]): tf.TensorInfo {
  const rank = x.shape.length;
  const outShape = x.shape.map((s, d) => s * reps[d]!);
  const out = backend.makeOutput(outShape, x.dtype);
  if (tf.util.sizeFromShape(outShape) === 0) return out;
  const from = backend.typedArrayFromHeap(x);
  const to = backend.typedArrayFromHeap(out);
  if (rank === 0) {
    to.set(from);
    return out;
  }
  const inStrides = [...tf.util.computeStrides(x.shape), 1];
  const outStrides = [...tf.util.computeStrides(outShape), 1];
  // Fills the output block of axis d at `at` from the input block at `offset`, then repeats it reps[d] times.
  const fill = (d: number, offset: number, at: number): void => {
    const span = x.shape[d]! * outStrides[d]!;
    if (d === rank - 1) to.set(from.subarray(offset, offset + x.shape[d]!), at);
    else for (let i = 0; i < x.shape[d]!; i++) fill(d + 1, offset + i * inStrides[d]!, at + i * outStrides[d]!);
    for (let r = 1; r < reps[d]!; r++) to.copyWithin(at + r * span, at, at + span);
  };
  fill(0, 0, 0);
  return out;
}

/** The kernels, each falling back to the backend's own (`native`) for strings, which live outside the heap. */
export function wasmCopyKernels(native: (name: string) => tf.KernelConfig): tf.KernelConfig[] {
  const numeric = (name: string, fn: tf.KernelFunc): tf.KernelConfig => {
    const original = native(name);
    return {
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: (args) => (Object.values(args.inputs).some((t) => t?.dtype === 'string') ? original.kernelFunc(args) : fn(args)),
    };
  };
  return [
    numeric('Slice', ({ inputs, attrs, backend }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      const { begin, size } = attrs as unknown as tf.SliceAttrs;
      const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
      return sliceOf(backend as WasmBackendData, x, b!, s!);
    }),
    numeric('Unpack', ({ inputs, attrs, backend }) => {
      const { value } = inputs as { value: tf.TensorInfo };
      const axis = tf.util.parseAxisParam((attrs as unknown as tf.UnpackAttrs).axis, value.shape)[0]!;
      const outShape = value.shape.filter((_, i) => i !== axis);
      const begin = new Array<number>(value.shape.length).fill(0);
      const size = [...value.shape];
      size[axis] = 1;
      return Array.from({ length: value.shape[axis]! }, (_, i) => {
        begin[axis] = i;
        return { ...sliceOf(backend as WasmBackendData, value, begin, size), shape: outShape };
      });
    }),
    numeric('SplitV', ({ inputs, attrs, backend }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      const { numOrSizeSplits, axis } = attrs as unknown as tf.SplitVAttrs;
      const $axis = tf.util.parseAxisParam(axis, x.shape)[0]!;
      const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, $axis);
      const begin = new Array<number>(x.shape.length).fill(0);
      return sizes.map((s) => {
        const size = [...x.shape];
        size[$axis] = s;
        const part = sliceOf(backend as WasmBackendData, x, begin, size);
        begin[$axis] = begin[$axis]! + s;
        return part;
      });
    }),
    numeric('Tile', ({ inputs, attrs, backend }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      return tileOf(backend as WasmBackendData, x, (attrs as unknown as tf.TileAttrs).reps);
    }),
  ];
}
