// Throughput of a run spec on the current backend, for `engram bench`: training steps per second
// through the real training loop, and held-out evaluation episodes per second, each the median of
// timed windows after warm-up, and the tfjs kernels one training step dispatches with their time. Engine layer; runs
// in the bench's child processes.
import * as tf from '@tensorflow/tfjs';
import type { RunSpecInput } from './run-spec';
import { resolveRunSpec } from './run-spec';
import type { Task } from '../core/memory-model';
import { deriveSeed, Rng } from '../core/random';
import { disposeEpisode } from '../core/tensors';
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
  /** Milliseconds per step inside kernels (the backend's own timing of each innermost kernel). */
  readonly kernelMs: number;
  /** Milliseconds per step drawing the training episode (the task's sampler, in JavaScript, outside any kernel). */
  readonly sampleMs: number;
  /** Count and time per step by kernel name, the most time first (a kernel that runs others gets only its own count). */
  readonly byKernel: readonly { readonly name: string; readonly count: number; readonly ms: number }[];
}

const PROFILE_WARMUP_STEPS = 2;
/** Steps are profiled until both these many have run and this much time has passed. */
const PROFILE_MIN_STEPS = 3;
const PROFILE_MIN_MS = 1000;

/**
 * The kernels the training steps after warm-up run (sampling, forward, backward, clipping, the
 * optimiser), with their time, per step. The time of an unprofiled step beyond `kernelMs` is spent
 * outside the kernels: dispatch, the gradient tape, tensor bookkeeping and JavaScript glue. (A
 * profiled step is slower: the profiler's records cost time outside the kernels.)
 */
export async function trainingStepProfile(input: RunSpecInput): Promise<StepProfile> {
  const spec = resolveRunSpec({ ...input, set: { ...input.set, steps: 1_000_000, evalEvery: 0, evalEpisodes: 1, snapshotEvery: 0 } });
  const instance = instantiate(spec);
  // tf.profile's own bookkeeping, switched on by hand for the profiled steps only: tf.profile itself
  // spreads every kernel's record into Math.max, which overflows the stack beyond some 10⁵ kernels.
  // Each record is kept with the depth it ran at: a kernel that runs others (a fallback, a custom
  // gradient's scope) is recorded after them with their time inside its own.
  const { state } = tf.engine();
  type KernelRecord = (typeof state.activeProfile.kernels)[number];
  const records: { info: KernelRecord; depth: number }[] = [];
  let startedMs = 0;
  let profiled = 0;
  const sink: RunSink = {
    metrics() {},
    snapshot() {},
    progress(step) {
      if (step === PROFILE_WARMUP_STEPS) {
        state.profiling = true;
        state.activeProfile.kernels = { push: (info: KernelRecord) => records.push({ info, depth: state.kernelDepth }) } as never;
        startedMs = performance.now();
      } else if (state.profiling && step - PROFILE_WARMUP_STEPS >= PROFILE_MIN_STEPS && performance.now() - startedMs >= PROFILE_MIN_MS) {
        state.profiling = false;
        profiled = step - PROFILE_WARMUP_STEPS;
      }
    },
    shouldStop: () => profiled > 0,
  };
  try {
    const outcome = await train(spec, instance, sink);
    if (outcome.status === 'FAILED') throw new Error(outcome.error);
  } finally {
    state.profiling = false;
    state.activeProfile.kernels = [];
    instance.model.dispose();
  }
  const byName = new Map<string, { count: number; ms: number }>();
  for (const [i, { info, depth }] of records.entries()) {
    // Children are recorded before their parent: a record right after a deeper one is a parent.
    const innermost = i === 0 || records[i - 1]!.depth <= depth;
    const ms = innermost ? await info.kernelTimeMs : 0;
    const entry = byName.get(info.name) ?? { count: 0, ms: 0 };
    entry.count += 1 / profiled;
    entry.ms += (typeof ms === 'number' ? ms : 0) / profiled;
    byName.set(info.name, entry);
  }
  const byKernel = [...byName].map(([name, t]) => ({ name, count: Math.round(t.count), ms: t.ms })).sort((a, b) => b.ms - a.ms);
  return { kernels: byKernel.reduce((n, k) => n + k.count, 0), kernelMs: byKernel.reduce((n, k) => n + k.ms, 0), sampleMs: sampleMs(instance.task, spec.training.batchSize, spec.seed), byKernel };
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

/** The median time of drawing one training batch of the task, after one draw as warm-up. */
function sampleMs(task: Task, batchSize: number, seed: number): number {
  const rng = new Rng(deriveSeed(seed, 'profile'));
  const times: number[] = [];
  for (let i = 0; i <= 2 * PROFILE_MIN_STEPS; i++) {
    const started = performance.now();
    const episode = task.sample(rng, batchSize, 'train');
    const ms = performance.now() - started;
    disposeEpisode(episode);
    if (i > 0) times.push(ms);
  }
  return median(times);
}
