// The optional native matrix product: the engram_blas addon (engine/backend/native-blas/, built by
// `npm install` where a C compiler is at hand) over the system's OpenBLAS or Accelerate, and the
// addon's compiled kernels. Loaded once; where it is missing Engram runs its WebAssembly products and
// its JavaScript kernels, and says why. Engine layer; runs in the
// kernel process, its worker threads, the CLI and tests.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** C_i = op(A_i)·op(B_i) for i < batch, row-major, each operand at an element offset with a batch stride (0: shared). */
export type Gemm = (
  batch: number,
  transposeA: boolean,
  transposeB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  aOffset: number,
  aStride: number,
  b: Float32Array,
  bOffset: number,
  bStride: number,
  c: Float32Array,
  cOffset: number,
  cStride: number,
) => void;

export type NativeBlas = { readonly gemm: Gemm; readonly library: string; readonly threads: number } | { readonly problem: string };

/** A compiled kernel of the addon: numbers first, then the Float32Arrays it reads and writes. */
export type NativeCall = (...args: (number | Float32Array)[]) => void;

/** The addon's compiled kernels, which need no BLAS: the Kanerva write, its gradient, batched Cholesky solves. */
export interface NativeKernels {
  readonly kanervaWrite: NativeCall;
  readonly kanervaWriteGrad: NativeCall;
  readonly choleskySolve: NativeCall;
}

interface Addon extends NativeKernels {
  load(threads: number): string;
  gemm(...args: (number | Float32Array)[]): void;
}

let addon: Addon | { readonly problem: string } | null = null;
let loaded: NativeBlas | null = null;

/** The addon itself, loaded once, or why it is not there. ENGRAM_NATIVE_BLAS=0 turns it off. */
function nativeAddon(): Addon | { readonly problem: string } {
  if (addon) return addon;
  const file = join(__dirname, 'native-blas', 'build', 'Release', 'engram_blas.node');
  if (process.env['ENGRAM_NATIVE_BLAS'] === '0') addon = { problem: 'turned off by ENGRAM_NATIVE_BLAS=0' };
  else if (!existsSync(file)) addon = { problem: `the engram_blas addon is not built (${file}); npm install builds it where a C compiler is at hand` };
  else {
    try {
      addon = createRequire(__filename)(file) as Addon;
    } catch (err) {
      addon = { problem: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
    }
  }
  return addon;
}

/**
 * The native product, or why there is none. ENGRAM_NATIVE_BLAS=0 turns it off; ENGRAM_BLAS_THREADS
 * sets the BLAS's threads (default 1: a run per core, and sweeps run one per core side by side).
 */
export function nativeBlas(): NativeBlas {
  if (loaded) return loaded;
  loaded = load();
  return loaded;
}

function load(): NativeBlas {
  const native = nativeAddon();
  if ('problem' in native) return native;
  const threads = Math.max(1, Number(process.env['ENGRAM_BLAS_THREADS'] ?? 1) || 1);
  try {
    const library = native.load(threads);
    const gemm: Gemm = (batch, ta, tb, m, n, k, a, ao, as, b, bo, bs, c, co, cs) =>
      native.gemm(batch, ta ? 1 : 0, tb ? 1 : 0, m, n, k, a, ao, as, b, bo, bs, c, co, cs);
    return { gemm, library, threads };
  } catch (err) {
    return { problem: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  }
}

/** The addon's compiled kernels, or why there are none. */
export function nativeKernels(): NativeKernels | { readonly problem: string } {
  const native = nativeAddon();
  if ('problem' in native) return native;
  if (typeof native.kanervaWrite !== 'function' || typeof native.choleskySolve !== 'function') {
    return { problem: 'the engram_blas addon predates its compiled kernels; npm install rebuilds it' };
  }
  return native;
}
