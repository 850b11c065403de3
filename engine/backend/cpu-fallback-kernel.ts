// Runs a kernel the wasm backend lacks on the cpu backend's implementation: inputs are copied out of
// the wasm heap, the cpu kernel runs, the outputs are copied back. Also the storage convention for
// complex64 on wasm, which has none of its own. Engine layer; runs wherever training runs.
import * as tf from '@tensorflow/tfjs';

/** What of the wasm backend this module touches (its class is not part of the public typings). */
export interface WasmBackendData extends tf.KernelBackend {
  readonly dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number; shape: number[]; dtype: tf.DataType } };
  readonly wasm: { readonly HEAPU8: Uint8Array };
  readSync(dataId: tf.DataId, start?: number, end?: number): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

interface CpuBackend extends tf.KernelBackend {
  firstUse: boolean;
}

function cpuBackend(): CpuBackend {
  const cpu = tf.findBackend('cpu') as CpuBackend | null;
  if (!cpu) throw new Error('the cpu backend, which runs the kernels wasm lacks, is not available');
  // The cpu backend greets its first write in Node with a banner advising tfjs-node; here it only
  // stands in for single kernels, so the advice does not apply.
  cpu.firstUse = false;
  return cpu;
}

/**
 * The values of a complex64 tensor on the wasm heap: interleaved (re, im) float32 pairs, the same
 * layout the cpu backend's readSync returns, so `dataSync()` means the same on both backends.
 */
export function readComplex(backend: WasmBackendData, dataId: tf.DataId): Float32Array {
  const { memoryOffset, shape } = backend.dataIdMap.get(dataId);
  const size = 2 * tf.util.sizeFromShape(shape);
  return new Float32Array(backend.wasm.HEAPU8.slice(memoryOffset, memoryOffset + 4 * size).buffer);
}

function readInput(backend: WasmBackendData, info: tf.TensorInfo): tf.backend_util.BackendValues {
  return info.dtype === 'complex64' ? readComplex(backend, info.dataId) : backend.readSync(info.dataId);
}

/** Copies one wasm tensor into the cpu backend; the copy is the caller's to free there. */
function toCpu(cpu: CpuBackend, backend: WasmBackendData, info: tf.TensorInfo): tf.TensorInfo {
  const values = readInput(backend, info);
  if (info.dtype !== 'complex64') return { dataId: cpu.write(values, info.shape, info.dtype), shape: info.shape, dtype: info.dtype };
  const pairs = values as Float32Array;
  const real = new Float32Array(pairs.length / 2);
  const imag = new Float32Array(pairs.length / 2);
  for (let i = 0; i < real.length; i++) {
    real[i] = pairs[2 * i]!;
    imag[i] = pairs[2 * i + 1]!;
  }
  const parts = {
    real: { dataId: cpu.write(real, info.shape, 'float32'), shape: info.shape, dtype: 'float32' as const },
    imag: { dataId: cpu.write(imag, info.shape, 'float32'), shape: info.shape, dtype: 'float32' as const },
  };
  const complex = tf.getKernel('Complex', 'cpu').kernelFunc({ inputs: parts, backend: cpu }) as tf.TensorInfo;
  cpu.disposeData(parts.real.dataId);
  cpu.disposeData(parts.imag.dataId);
  return complex;
}

/**
 * A kernel function for the wasm backend that runs `kernelName`'s cpu implementation. Inputs may be
 * a named map or, for kernels such as Einsum, an array; optional inputs may be absent.
 */
export function cpuFallbackKernelFunc(kernelName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as WasmBackendData;
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    if (!cpuKernel) throw new Error(`Kernel '${kernelName}' is registered neither for wasm nor for cpu`);
    const cpu = cpuBackend();
    const cpuInputs: Record<string, tf.TensorInfo | undefined> | (tf.TensorInfo | undefined)[] = Array.isArray(inputs) ? [] : {};
    const copies: tf.TensorInfo[] = [];
    let outputs: (tf.TensorInfo | tf.Tensor)[] = [];
    try {
      for (const [name, info] of Object.entries(inputs)) {
        if (info == null) continue;
        const copy = toCpu(cpu, wasm, info);
        copies.push(copy);
        (cpuInputs as Record<string, tf.TensorInfo>)[name] = copy;
      }
      const out = cpuKernel.kernelFunc({ inputs: cpuInputs as tf.NamedTensorInfoMap, backend: cpu, attrs });
      outputs = Array.isArray(out) ? out : [out];
      const results = outputs.map((o) => wasm.makeOutput([...o.shape], o.dtype, undefined, cpu.readSync(o.dataId)));
      return Array.isArray(out) ? results : results[0]!;
    } finally {
      // A cpu kernel may return one of its inputs (reference-counted) or, for a few kernels, a tensor
      // registered with the engine; each reference is released once.
      for (const o of outputs) {
        if (o instanceof tf.Tensor) o.dispose();
        else cpu.disposeData(o.dataId);
      }
      for (const c of copies) cpu.disposeData(c.dataId);
    }
  };
}

/**
 * True when a kernel call involves complex64 values, which wasm kernels cannot read. It runs before
 * every wasm kernel, so it allocates nothing.
 */
export function involvesComplex(inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined): boolean {
  if (attrs !== undefined && attrs['dtype'] === 'complex64') return true;
  for (const name in inputs) if (inputs[name]?.dtype === 'complex64') return true;
  return false;
}
