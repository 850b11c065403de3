// Op-level timings on the current backend for `engram bench`: matrix-product GFLOP/s (the physical
// reference), the fixed cost of dispatching one op, matrix products with transpose flags and batches
// (Engram's wasm BatchMatMul against the one tfjs ships), and Engram's wasm gradient kernels against
// the cpu fallback they replace. Engine layer; runs in the bench's child processes.
import * as tf from '@tensorflow/tfjs';
import { cpuFallbackKernelFunc } from './cpu-fallback-kernel';

export interface OpTiming {
  readonly op: string;
  /** Milliseconds per call with the kernels Engram installs. */
  readonly engramMs: number;
  /** The same with the kernel Engram's replaces (the backend's own, or the cpu fallback). */
  readonly replacedMs?: number;
}

const REPEATS = 9;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function medianMs(fn: () => void, repeats = REPEATS): number {
  fn();
  return median(
    Array.from({ length: repeats }, () => {
      const started = performance.now();
      fn();
      return performance.now() - started;
    }),
  );
}

/** Waits for a result and frees it: reads one value (the backends here compute synchronously). */
function settle(t: tf.Tensor): void {
  tf.tidy(() => void t.reshape([-1]).slice(0, 1).dataSync());
  t.dispose();
}

/** GFLOP/s of an n×n by n×n product: median of `repeats`, each with a right operand never multiplied before. */
export function matMulGflops(n: number, repeats: number): number {
  const a = tf.randomNormal([n, n]);
  // XNNPACK caches a packed copy of the right operand per tensor, which training never reuses.
  const operands = Array.from({ length: repeats + 1 }, () => tf.randomNormal([n, n]));
  const times = operands.map((b) => {
    const started = performance.now();
    settle(tf.matMul(a, b));
    return performance.now() - started;
  });
  tf.dispose([a, ...operands]);
  return (2 * n ** 3) / (median(times.slice(1)) * 1e6);
}

/** The wasm backend's own BatchMatMul, before Engram replaces it; call before selectBackend('wasm'). */
export async function shippedWasmMatMul(): Promise<tf.KernelConfig | null> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) return null;
  } catch {
    return null;
  }
  return tf.getKernel('BatchMatMul', 'wasm') ?? null;
}

/**
 * Median time of `op` on inputs made afresh for every call (made before the clock starts), as in a
 * training step: XNNPACK caches packed operands per tensor, which a step never reuses.
 */
function opMs(inputs: tf.Tensor[], op: (...fresh: tf.Tensor[]) => tf.Tensor, repeats = REPEATS): number {
  const sets = Array.from({ length: repeats + 1 }, (_, i) => inputs.map((t) => (t.dtype === 'float32' ? t.add(1e-3 * (i + 1)) : t.clone())));
  const times = sets.map((fresh) => {
    const started = performance.now();
    settle(op(...fresh));
    return performance.now() - started;
  });
  tf.dispose(sets.flat());
  return median(times.slice(1));
}

/** Runs `fn` with `config` registered in place of the current kernel of that name. */
function withKernel<T>(config: tf.KernelConfig, fn: () => T): T {
  const current = tf.getKernel(config.kernelName, config.backendName)!;
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
  try {
    return fn();
  } finally {
    tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(current);
  }
}

/** ms of one small elementwise op (16×128 add): the fixed cost every op of a model pays. */
export function dispatchMs(): number {
  const a = tf.ones([16, 128]);
  const b = tf.ones([16, 128]);
  const ops = 2000;
  const ms = medianMs(() => tf.tidy(() => {
    let x = a;
    for (let i = 0; i < ops; i++) x = x.add(b);
    x.dataSync();
  }), 5);
  tf.dispose([a, b]);
  return ms / ops;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** The op table for the current backend; `shippedMatMul` is the wasm kernel Engram's BatchMatMul replaced. */
export function opTimings(shippedMatMul: tf.KernelConfig | null): OpTiming[] {
  const onWasm = tf.getBackend() === 'wasm';
  const rows: OpTiming[] = [{ op: 'one 16×128 add (the dispatch cost of any op)', engramMs: round(dispatchMs()) }];
  const r = (shape: number[]) => tf.randomNormal(shape);
  const matMuls: [string, number[], number[], boolean, boolean][] = [
    ['matMul 64×256 · 256×784', [64, 256], [256, 784], false, false],
    ['matMul (256×64)ᵀ · 64×784 (transposeA)', [256, 64], [256, 784], true, false],
    ['matMul 64×784 · (256×784)ᵀ (transposeB)', [64, 784], [256, 784], false, true],
    ['matMul [16,32,258] · [16,32,258]ᵀ (batched, attention scores)', [16, 32, 258], [16, 32, 258], false, true],
    ['matMul [16,32,32] · [16,32,258] (batched, attention read)', [16, 32, 32], [16, 32, 258], false, false],
    ['matMul [16,32,90] · [16,90,90] (batched, fast weights)', [16, 32, 90], [16, 90, 90], false, false],
  ];
  for (const [op, sa, sb, ta, tb] of matMuls) {
    const a = r(sa);
    const b = r(sb);
    const run = (x?: tf.Tensor, y?: tf.Tensor) => tf.matMul(x!, y!, ta, tb);
    const engramMs = round(opMs([a, b], run));
    rows.push(onWasm && shippedMatMul ? { op, engramMs, replacedMs: round(withKernel(shippedMatMul, () => opMs([a, b], run))) } : { op, engramMs });
    tf.dispose([a, b]);
  }
  if (onWasm) {
    const ids = tf.tensor1d(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 10), 'int32');
    const gradients: [string, string, tf.Tensor[], (...t: tf.Tensor[]) => tf.Tensor][] = [
      [
        'Conv2DBackpropFilter',
        'x 32×28×28×1, filter 3×3×1×32',
        [r([32, 28, 28, 1]), r([32, 28, 28, 32])],
        (x, dy) => tf.engine().runKernel('Conv2DBackpropFilter', { x: x!, dy: dy! }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 1, 32] }) as tf.Tensor,
      ],
      ['UnsortedSegmentSum', '4096×64 into 10 segments', [r([4096, 64])], (x) => tf.unsortedSegmentSum(x!, ids, 10)],
    ];
    for (const [kernelName, shapes, inputs, run] of gradients) {
      const fallback = { kernelName, backendName: 'wasm', kernelFunc: cpuFallbackKernelFunc(kernelName) };
      // The cpu fallbacks take seconds a call, so they are timed once, after one warm-up call.
      rows.push({ op: `${kernelName} ${shapes}`, engramMs: round(opMs(inputs, run)), replacedMs: round(withKernel(fallback, () => opMs(inputs, run, 1))) });
      tf.dispose(inputs);
    }
    ids.dispose();
  }
  return rows;
}
