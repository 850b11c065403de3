// Completes the tfjs wasm backend for training: fast kernels for the gradients it lacks (conv and
// depthwise filter gradients, UnsortedSegmentSum), a BatchMatMul that keeps transposed and batched
// products on XNNPACK (or the native BLAS), an Identity, slices, tiles and sums that do not copy
// their whole input, a vectorised tanh, the cpu implementation for every other kernel it lacks, and
// complex64 values.
// Engine layer; runs in the kernel process, the CLI and tests.
import * as tf from '@tensorflow/tfjs';
import { installCholeskySolveKernel } from './cholesky-solve-kernels';
import { installKanervaWriteKernels } from './kanerva-write-kernels';
import { cpuFallbackKernelFunc, involvesComplex, readComplex, type WasmBackendData } from './cpu-fallback-kernel';
import { installGridKernels } from './grid-kernels';
import { wasmConvGradKernels } from './wasm-conv-grad-kernels';
import { wasmIdentityKernel } from './wasm-identity-kernel';
import { nativeBlas } from './native-blas';
import { installNativeMatMul } from './native-mat-mul-kernel';
import { wasmBatchMatMulKernel } from './wasm-mat-mul-kernel';
import { wasmSegmentSumKernel } from './wasm-segment-sum-kernel';
import { wasmSumKernel } from './wasm-sum-kernel';
import { wasmTanhKernel } from './wasm-tanh-kernel';
import { wasmCopyKernels } from './wasm-copy-kernels';

/** Which kernels were added to the wasm backend, and how. */
export interface WasmKernelReport {
  /** Implemented on the wasm backend itself. */
  readonly fast: readonly string[];
  /** Running the cpu backend's implementation on copies of the inputs. */
  readonly fallback: readonly string[];
  /** The backend's own kernels replaced by faster ones. */
  readonly replaced: readonly string[];
  /** What the matrix products run on: the native BLAS, or why not. */
  readonly products: string;
}

/** The native BLAS product, or null where there is none. */
function nativeGemm() {
  const blas = nativeBlas();
  return 'gemm' in blas ? blas.gemm : null;
}

const fastKernels: readonly tf.KernelConfig[] = [...wasmConvGradKernels(), wasmSegmentSumKernel];

let report: WasmKernelReport | null = null;

function replaceKernel(config: tf.KernelConfig): void {
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

/**
 * Makes every kernel of the cpu backend available on the wasm backend. Call once the wasm backend has
 * initialised (after `tf.setBackend('wasm')`); later calls return the first call's report.
 */
export function installWasmKernels(): WasmKernelReport {
  if (report) return report;
  const backend = tf.findBackend('wasm') as WasmBackendData | null;
  if (!backend) throw new Error('installWasmKernels: the wasm backend has not been initialised');
  const cpuKernels = new Set(tf.getKernelsForBackend('cpu').map((k) => k.kernelName));
  const wasmKernels = tf.getKernelsForBackend('wasm');
  const present = new Set(wasmKernels.map((k) => k.kernelName));

  // wasm kernels cannot read complex64 values, so any call that involves them runs on the cpu kernel.
  for (const config of wasmKernels) {
    if (!cpuKernels.has(config.kernelName)) continue;
    const native = config.kernelFunc;
    const viaCpu = cpuFallbackKernelFunc(config.kernelName);
    replaceKernel({ ...config, kernelFunc: (args) => (involvesComplex(args.inputs, args.attrs) ? viaCpu(args) : native(args)) });
  }
  const own = (name: string) => tf.getKernel(name, 'wasm')!;
  const faster = [wasmBatchMatMulKernel(own('BatchMatMul')), wasmIdentityKernel, ...wasmCopyKernels(own), wasmSumKernel(own('Sum'), nativeGemm()), wasmTanhKernel({ sigmoid: own('Sigmoid'), multiply: own('Multiply'), sub: own('Sub'), tanh: own('Tanh') })];
  for (const config of faster) replaceKernel(config);
  const replaced = faster.map((k) => k.kernelName);
  const products = installNativeMatMul('wasm');
  installCholeskySolveKernel('wasm');
  installKanervaWriteKernels('wasm');
  installGridKernels('wasm');
  const fast: string[] = [];
  for (const config of fastKernels) {
    if (present.has(config.kernelName)) continue;
    tf.registerKernel(config);
    present.add(config.kernelName);
    fast.push(config.kernelName);
  }
  const fallback: string[] = [];
  for (const kernelName of cpuKernels) {
    if (present.has(kernelName)) continue;
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: cpuFallbackKernelFunc(kernelName) });
    fallback.push(kernelName);
  }

  // complex64 values live on the wasm heap as interleaved float32 pairs (see readComplex); the
  // backend's own readSync knows no complex64, so reads of them are answered here.
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId: tf.DataId, start?: number, end?: number) => {
    if (backend.dataIdMap.get(dataId).dtype !== 'complex64') return readSync(dataId, start, end);
    const pairs = readComplex(backend, dataId);
    return start === undefined && end === undefined ? pairs : pairs.slice(2 * (start ?? 0), end === undefined ? undefined : 2 * end);
  };

  report = { fast, fallback, replaced, products };
  return report;
}
