// Tanh for the wasm backend as 2·σ(2x) − 1 on the backend's XNNPACK sigmoid. Engine layer; runs
// wherever training runs.
import type * as tf from '@tensorflow/tfjs';
import type { WasmBackendData } from './cpu-fallback-kernel';

/*
 * Why: the backend's Tanh calls the C library's tanhf per element, 15 ns each on this machine, while
 * its Sigmoid runs XNNPACK's vectorised kernel at under 1 ns; the recurrent models and EBMM's energies
 * spent up to a tenth of a training step in tanh. tanh x = 2σ(2x) − 1 exactly; in float32 the
 * difference from tanhf is a few 1e-8 (absolute), which the tests hold against the cpu backend. The
 * scaling runs on the backend's own (vectorised) Multiply and Sub kernels: 1.5 ns per element in all.
 */

/** The backend's own kernels the Tanh is made of. */
export interface TanhParts {
  readonly sigmoid: tf.KernelConfig;
  readonly multiply: tf.KernelConfig;
  readonly sub: tf.KernelConfig;
  /** The backend's own Tanh, for dtypes other than float32. */
  readonly tanh: tf.KernelConfig;
}

export function wasmTanhKernel(parts: TanhParts): tf.KernelConfig {
  // Scalars 1 and 2 on the heap, made once per backend and kept for its lifetime.
  const constants = new WeakMap<object, { one: tf.TensorInfo; two: tf.TensorInfo }>();
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32') return parts.tanh.kernelFunc(args);
    const backend = args.backend as WasmBackendData;
    let c = constants.get(backend);
    if (!c) {
      c = { one: backend.makeOutput([], 'float32', undefined, new Float32Array([1])), two: backend.makeOutput([], 'float32', undefined, new Float32Array([2])) };
      constants.set(backend, c);
    }
    const run = (kernel: tf.KernelConfig, inputs: tf.NamedTensorInfoMap) => kernel.kernelFunc({ inputs, backend, attrs: {} }) as tf.TensorInfo;
    const doubled = run(parts.multiply, { a: x, b: c.two });
    const s = run(parts.sigmoid, { x: doubled });
    const twice = run(parts.multiply, { a: s, b: c.two });
    const out = run(parts.sub, { a: twice, b: c.one });
    for (const t of [doubled, s, twice]) backend.disposeData(t.dataId);
    return out;
  };
  return { kernelName: 'Tanh', backendName: 'wasm', kernelFunc };
}
