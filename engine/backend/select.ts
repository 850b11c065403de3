// Chooses the tfjs backend at kernel or CLI start: native TensorFlow (tfjs-node-gpu, then tfjs-node)
// when it loads, else WebAssembly, else the pure-JS cpu backend. The choice is recorded on every run.
// Engine layer; runs in the kernel process and the CLI.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/config';
import { backendNames, type BackendName } from './names';
import { installCholeskySolveKernel } from './cholesky-solve-kernels';
import { installKanervaWriteKernels } from './kanerva-write-kernels';
import { installGridKernels } from './grid-kernels';
import { installNativeMatMul } from './native-mat-mul-kernel';
import { installWasmKernels } from './wasm-kernels';

export { backendNames, type BackendName } from './names';

/** The backend in use, what exactly was loaded, and why the ones before it were passed over. */
export interface BackendInfo {
  readonly name: BackendName;
  readonly detail: string;
  readonly skipped: { name: string; reason: string }[];
}

// The native packages are optional dependencies that are often absent (their install downloads
// libtensorflow); they are loaded by a runtime require so that bundlers never try to resolve them.
const requireOptional = createRequire(__filename);

async function tryTensorflow(): Promise<string> {
  const failures: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      requireOptional(pkg);
      if (await tf.setBackend('tensorflow')) return pkg === '@tensorflow/tfjs-node-gpu' ? `${pkg} (CUDA)` : pkg;
      failures.push(`${pkg}: the backend did not initialise`);
    } catch (err) {
      failures.push(`${pkg}: ${firstLine(err)}`);
    }
  }
  throw new Error(failures.join('; '));
}

async function tryWasm(): Promise<string> {
  requireOptional('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
  // The wasm backend lacks kernels that training needs (conv filter gradients, gather's gradient, …).
  const { products } = installWasmKernels();
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  return `@tensorflow/tfjs-backend-wasm (${simd ? 'SIMD' : 'no SIMD'}, 1 thread; ${products})`;
}

async function tryCpu(): Promise<string> {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
  // The cpu backend greets its first use in Node with a banner on stderr advising tfjs-node; the
  // choice was made here on purpose, so the banner is switched off.
  (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  installCholeskySolveKernel('cpu');
  installKanervaWriteKernels('cpu');
  installGridKernels('cpu');
  return `@tensorflow/tfjs cpu (pure JavaScript; ${installNativeMatMul('cpu')})`;
}

const loaders: Record<BackendName, () => Promise<string>> = { tensorflow: tryTensorflow, wasm: tryWasm, cpu: tryCpu };

/**
 * Selects a backend. With `preferred` (from `--backend` or ENGRAM_BACKEND) only that one is tried,
 * and failing to load it is an error; otherwise the fastest that loads wins.
 */
export async function selectBackend(preferred?: string): Promise<BackendInfo> {
  if (preferred !== undefined && !(backendNames as readonly string[]).includes(preferred)) {
    throw new ConfigError('engram', 'backend', preferred, backendNames.join(' | '));
  }
  const order: BackendName[] = preferred ? [preferred as BackendName] : [...backendNames];
  const skipped: { name: string; reason: string }[] = [];
  for (const name of order) {
    try {
      const detail = await loaders[name]();
      return { name, detail, skipped };
    } catch (err) {
      skipped.push({ name, reason: firstLine(err) });
    }
  }
  throw new Error(`no tfjs backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

/** The backends that load on this machine, for tests and the benchmark. */
export async function availableBackends(): Promise<BackendName[]> {
  const previous = tf.getBackend();
  const out: BackendName[] = [];
  for (const name of backendNames) {
    try {
      await loaders[name]();
      out.push(name);
    } catch {
      // Not available here; the list says which are.
    }
  }
  if (previous) await tf.setBackend(previous);
  return out;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!;
}
