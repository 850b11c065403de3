// BatchMatMul on the native BLAS (native-blas.ts) for the wasm and cpu backends: the operands are read
// where the backend keeps them (the wasm heap, the cpu backend's arrays) and the transpose flags go to
// the BLAS, so no product copies or transposes anything. Engine layer; runs wherever training runs.
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendData } from './cpu-fallback-kernel';
import { nativeBlas, type Gemm } from './native-blas';
import { productShape } from './product-shape';

/*
 * Why: the wasm backend's products run on XNNPACK's WebAssembly at 20–35 GFLOP/s and the cpu
 * backend's in JavaScript at ~1; OpenBLAS does 100+ on one core of this machine (machine-probe.md §3),
 * and most of the talk's models spend a third or more of a training step in products.
 */

/** Where a float32 tensor's values are: an array and the element offset of the first one. */
interface Located {
  readonly array: Float32Array;
  readonly offset: number;
}

/** How a backend makes an output and finds values, as the kernel needs them. */
interface Storage {
  output(shape: number[]): tf.TensorInfo;
  /** Call after every output of the kernel is made: a wasm allocation may move the heap. */
  locate(t: tf.TensorInfo): Located;
}

function wasmStorage(backend: tf.KernelBackend): Storage {
  const wasm = backend as WasmBackendData & { readonly wasm: { readonly HEAPF32: Float32Array } };
  return {
    output: (shape) => wasm.makeOutput(shape, 'float32'),
    locate: (t) => ({ array: wasm.wasm.HEAPF32, offset: wasm.dataIdMap.get(t.dataId).memoryOffset / 4 }),
  };
}

function cpuStorage(backend: tf.KernelBackend): Storage {
  const cpu = backend as tf.KernelBackend & {
    readonly data: { get(dataId: tf.DataId): { values: unknown } };
    makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  };
  return {
    output: (shape) => cpu.makeTensorInfo(shape, 'float32', new Float32Array(tf.util.sizeFromShape(shape))),
    locate: (t) => ({ array: cpu.data.get(t.dataId).values as Float32Array, offset: 0 }),
  };
}

/**
 * The native BatchMatMul for `backendName` ('wasm' or 'cpu'). Products it does not take — other
 * dtypes, and batch shapes that broadcast other than one operand against a whole batch — go to
 * `fallback`.
 */
export function nativeBatchMatMulKernel(backendName: 'wasm' | 'cpu', gemm: Gemm, fallback: tf.KernelConfig): tf.KernelConfig {
  const storageOf = backendName === 'wasm' ? wasmStorage : cpuStorage;
  const kernelFunc: tf.KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback.kernelFunc(args);
    const shape = productShape(a, b, transposeA, transposeB);
    if (shape === null) return fallback.kernelFunc(args);
    const { m, k, n, batchA, batchB, batch, outer } = shape;
    const storage = storageOf(args.backend as tf.KernelBackend);
    // The cpu backend may hold values in another array type (made from plain numbers, say).
    if (!(storage.locate(a).array instanceof Float32Array) || !(storage.locate(b).array instanceof Float32Array)) return fallback.kernelFunc(args);
    const out = storage.output([...outer, m, n]);
    if (m * n === 0) return out;
    const c = storage.locate(out);
    if (k === 0) {
      c.array.fill(0, c.offset, c.offset + batch * m * n);
      return out;
    }
    const x = storage.locate(a);
    const y = storage.locate(b);
    if (batchB === 1 && batchA > 1 && !transposeA) {
      // Every batch element of a against the one b: a single product of batchA·m rows.
      gemm(1, false, transposeB, batchA * m, n, k, x.array, x.offset, 0, y.array, y.offset, 0, c.array, c.offset, 0);
    } else {
      gemm(batch, transposeA, transposeB, m, n, k, x.array, x.offset, batchA === 1 ? 0 : m * k, y.array, y.offset, batchB === 1 ? 0 : k * n, c.array, c.offset, m * n);
    }
    return out;
  };
  return { kernelName: 'BatchMatMul', backendName, kernelFunc };
}

const installed = new Map<string, string>();

/**
 * Puts the native BatchMatMul in front of the backend's current one (call after the backend's own
 * kernels are in place); returns what the products run on, for the backend's description.
 */
export function installNativeMatMul(backendName: 'wasm' | 'cpu'): string {
  const known = installed.get(backendName);
  if (known) return known;
  const blas = nativeBlas();
  let description: string;
  if ('gemm' in blas) {
    const current = tf.getKernel('BatchMatMul', backendName)!;
    tf.unregisterKernel('BatchMatMul', backendName);
    tf.registerKernel(nativeBatchMatMulKernel(backendName, blas.gemm, current));
    description = `products on ${blas.library}, ${blas.threads} thread${blas.threads === 1 ? '' : 's'}`;
  } else {
    description = `no native products: ${blas.problem}`;
  }
  installed.set(backendName, description);
  return description;
}
