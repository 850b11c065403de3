// Throughput of a run spec on the current backend, for `engram bench`: training steps per second
// through the real training loop, and held-out evaluation episodes per second, each the median of
// timed windows after warm-up, and the tfjs kernels one training step dispatches with their time. Engine layer; runs
// in the bench's child processes.
import * as tf from '@tensorflow/tfjs';
import type { RunSpecInput } from './run-spec';
import { resolveRunSpec } from './run-spec';
import { evaluate, instantiate, train, type RunSink } from './trainer';

export interface Throughput {
  /** Median over the timed windows. */
  readonly perSec: number;
  readonly windows: number;
}

const WARMUP_STEPS = 2;
const MAX_WINDOWS = 7;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Steps/s of trainer.train (sampling, forward, backward, clipping, the optimiser, the loss read every
 * logEvery steps): after WARMUP_STEPS, windows of whole steps are timed between the loop's own
 * progress calls until `budgetMs` is spent (at least one window) or MAX_WINDOWS are in.
 */
export async function trainingThroughput(input: RunSpecInput, budgetMs: number): Promise<Throughput> {
  const spec = resolveRunSpec({ ...input, set: { ...input.set, steps: 1_000_000, evalEvery: 0, evalEpisodes: 1, snapshotEvery: 0 } });
  const instance = instantiate(spec);
  const logEvery = spec.training.logEvery;
  const stamps = new Map<number, number>();
  const rates: number[] = [];
  let window = 0;
  let windowStart = -1;
  let deadline = Infinity;
  const sink: RunSink = {
    metrics() {},
    snapshot() {},
    progress(step) {
      const now = performance.now();
      stamps.set(step, now);
      if (step === WARMUP_STEPS) {
        const stepMs = now - stamps.get(WARMUP_STEPS - 1)!;
        // Fast steps are timed in whole log periods, so that every window holds its share of loss reads.
        const steps = Math.max(1, Math.round(budgetMs / MAX_WINDOWS / Math.max(stepMs, 1e-3)));
        window = steps >= logEvery ? Math.round(steps / logEvery) * logEvery : steps;
        deadline = now + budgetMs;
      }
      if (window === 0 || step < WARMUP_STEPS) return;
      if (windowStart < 0 ? step % Math.min(window, logEvery) === 0 : step - windowStart === window) {
        if (windowStart >= 0) rates.push((1000 * window) / (now - stamps.get(windowStart)!));
        windowStart = step;
      }
    },
    shouldStop: () => rates.length >= MAX_WINDOWS || (rates.length > 0 && performance.now() > deadline),
  };
  try {
    const outcome = await train(spec, instance, sink);
    if (outcome.status === 'FAILED') throw new Error(outcome.error);
  } finally {
    instance.model.dispose();
  }
  return { perSec: median(rates), windows: rates.length };
}

/** What one training step runs: its tfjs kernels, and the time spent inside them. */
export interface StepProfile {
  /** Kernels dispatched per step; each is one call from JavaScript, the fixed cost that bounds small models. */
  readonly kernels: number;
  /** Milliseconds per step inside kernels (the backend's own timing of each), over all kernels. */
  readonly kernelMs: number;
  /** The same per kernel name, largest first. */
  readonly byKernel: readonly { readonly name: string; readonly count: number; readonly ms: number }[];
}

/**
 * The kernels one training step runs (sampling, forward, backward, clipping, the optimiser) and their
 * time: what a 3-step run executes beyond a 1-step run, halved, so that building, evaluating and
 * snapshotting cancel. Step time beyond `kernelMs` is spent outside the kernels: dispatch, the
 * gradient tape, tensor bookkeeping and JavaScript glue.
 */
export async function trainingStepProfile(input: RunSpecInput): Promise<StepProfile> {
  const profile = async (steps: number): Promise<Map<string, { count: number; ms: number }>> => {
    const spec = resolveRunSpec({ ...input, set: { ...input.set, steps, evalEvery: 0, evalEpisodes: 1, snapshotEvery: 0 } });
    const instance = instantiate(spec);
    const sink: RunSink = { metrics() {}, snapshot() {}, progress() {}, shouldStop: () => false };
    // tf.profile's own bookkeeping, switched on by hand: tf.profile itself spreads every kernel's
    // record into Math.max, which overflows the stack beyond some 10⁵ kernels (EBMM on images).
    // A kernel that runs other kernels through the engine (a fallback, a composite) is pushed after
    // them with their time inside its own, so only kernels run from outside any kernel are timed.
    const { state } = tf.engine();
    const records: { info: (typeof state.activeProfile.kernels)[number]; outermost: boolean }[] = [];
    state.profiling = true;
    state.activeProfile.kernels = { push: (info: (typeof records)[number]['info']) => records.push({ info, outermost: state.kernelDepth === 0 }) } as never;
    try {
      const outcome = await train(spec, instance, sink);
      if (outcome.status === 'FAILED') throw new Error(outcome.error);
      const byName = new Map<string, { count: number; ms: number }>();
      for (const { info, outermost } of records) {
        const ms = outermost ? await info.kernelTimeMs : 0;
        const entry = byName.get(info.name) ?? { count: 0, ms: 0 };
        entry.count += 1;
        entry.ms += typeof ms === 'number' ? ms : 0;
        byName.set(info.name, entry);
      }
      return byName;
    } finally {
      state.profiling = false;
      state.activeProfile.kernels = [];
      instance.model.dispose();
    }
  };
  const three = await profile(3);
  const one = await profile(1);
  const byKernel = [...three]
    .map(([name, t]) => ({ name, count: (t.count - (one.get(name)?.count ?? 0)) / 2, ms: Math.max(0, t.ms - (one.get(name)?.ms ?? 0)) / 2 }))
    .filter((k) => k.count > 0)
    .sort((a, b) => b.ms - a.ms);
  return { kernels: byKernel.reduce((n, k) => n + k.count, 0), kernelMs: byKernel.reduce((n, k) => n + k.ms, 0), byKernel };
}

/** Episodes/s of trainer.evaluate, in the batches the trainer uses (min(batch, 32)). */
export function evaluationThroughput(input: RunSpecInput, budgetMs: number): Throughput {
  const spec = resolveRunSpec(input);
  const instance = instantiate(spec);
  const batchSize = Math.min(spec.training.batchSize, 32);
  try {
    // One batch as warm-up, which also sizes the timed windows.
    let started = performance.now();
    evaluate(instance, { episodes: batchSize, seed: 1, batchSize });
    const batchMs = performance.now() - started;
    const episodes = batchSize * Math.max(1, Math.round(budgetMs / MAX_WINDOWS / Math.max(batchMs, 1e-3)));
    const rates: number[] = [];
    const deadline = performance.now() + budgetMs;
    while (rates.length < MAX_WINDOWS && (rates.length === 0 || performance.now() < deadline)) {
      started = performance.now();
      evaluate(instance, { episodes, seed: 2 + rates.length, batchSize });
      rates.push((1000 * episodes) / (performance.now() - started));
    }
    return { perSec: median(rates), windows: rates.length };
  } finally {
    instance.model.dispose();
  }
}
