// How Engram's own JavaScript kernels read their inputs and make their outputs on the wasm and cpu
// backends, whose memories differ: one view for the grid, Cholesky and Kanerva-write kernels. Engine
// layer; runs wherever training runs.
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendData } from './cpu-fallback-kernel';

/** A tensor's float32 values as a kernel reads or writes them (a typed array on either backend). */
export type Values = { length: number; [i: number]: number };

/** One kernel call's access to its backend's memory. */
export interface KernelAccess {
  input(t: tf.TensorInfo): Values;
  /**
   * Zero-filled float32 outputs of these shapes. Their values stay valid until the next allocation:
   * on wasm an allocation may grow (and so detach) the heap, so views are taken after the last one.
   */
  outputs(shapes: readonly number[][]): { info: tf.TensorInfo; values: Values }[];
}

function wasmAccess(backend: tf.KernelBackend): KernelAccess {
  const wasm = backend as WasmBackendData;
  return {
    input: (t) => wasm.typedArrayFromHeap(t),
    outputs: (shapes) => {
      const infos = shapes.map((shape) => wasm.makeOutput(shape, 'float32'));
      return infos.map((info) => ({ info, values: wasm.typedArrayFromHeap(info).fill(0) }));
    },
  };
}

function cpuAccess(backend: tf.KernelBackend): KernelAccess {
  const cpu = backend as tf.KernelBackend & {
    readonly data: { get(dataId: tf.DataId): { values: Values } };
    makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  };
  return {
    input: (t) => cpu.data.get(t.dataId).values,
    outputs: (shapes) =>
      shapes.map((shape) => {
        const values = new Float32Array(tf.util.sizeFromShape(shape));
        return { info: cpu.makeTensorInfo(shape, 'float32', values), values };
      }),
  };
}

/** The access of the named backend, to be given each call's backend. */
export function kernelAccess(backendName: 'wasm' | 'cpu'): (backend: tf.KernelBackend) => KernelAccess {
  return backendName === 'wasm' ? wasmAccess : cpuAccess;
}
