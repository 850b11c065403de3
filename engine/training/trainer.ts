// Episodic meta-training and evaluation of a memory model on a task, reporting metric points,
// snapshots and progress to a sink. The same code runs inside a kernel process, in the CLI and in
// tests. Engine layer: no SQLite, no transport; the sink decides where things go.
import * as tf from '@tensorflow/tfjs';
import type { MetricPointData, SnapshotKind } from '../api/schemas';
import { ConfigError, type ConfigOf, type Fields } from '../core/config';
import { runEpisode } from '../core/episode';
import type { Episode, MemoryModel, Task } from '../core/memory-model';
import { deriveSeed, Rng } from '../core/random';
import { disposeEpisode, disposeRead, disposeState, fromRecords, tidy, toRecords, type TensorRecord } from '../core/tensors';
import { findModel } from '../models/registry';
import { findTask } from '../tasks/registry';
import type { RunSpec } from './run-spec';

/** One metric value at one step. */
export type MetricPoint = MetricPointData;

/** A snapshot: the memory after writing an evaluation episode, or the trained variables (checkpoint). */
export interface Snapshot {
  readonly step: number;
  readonly kind: SnapshotKind;
  readonly tensors: readonly TensorRecord[];
}

/** Where a run's results go: the kernel forwards them to the lab service, the CLI writes them directly. */
export interface RunSink {
  metrics(points: readonly MetricPoint[]): void;
  snapshot(snapshot: Snapshot): void;
  progress(step: number, totalSteps: number): void;
  /** Checked at every step: true ends the run as KILLED. */
  shouldStop(): boolean;
}

export type RunOutcome =
  | { status: 'FINISHED'; step: number; metrics: Record<string, number> }
  | { status: 'KILLED'; step: number; metrics: Record<string, number> }
  | { status: 'FAILED'; step: number; metrics: Record<string, number>; error: string };

/** Adam whose learning rate can change between steps, for a schedule (tfjs reads it at every update). */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }
}

/** The learning rate of step `step` (1 … cfg.steps). */
export function scheduledLearningRate(cfg: RunSpec['training'], step: number): number {
  if (cfg.learningRateSchedule === 'constant') return cfg.learningRate;
  return (cfg.learningRate * (1 + Math.cos((Math.PI * (step - 1)) / cfg.steps))) / 2;
}

/** A model and a task built from a spec, with the model's memory size. */
export interface Instance {
  readonly model: MemoryModel;
  readonly task: Task;
  readonly memoryFloats: number;
}

/** Builds the task, checks the model can serve it, and builds the model with its seeded initialisation. */
export function instantiate(spec: RunSpec): Instance {
  // The configs were validated against these very fields when the spec was resolved.
  const task = findTask(spec.task).create(spec.taskConfig as ConfigOf<Fields>);
  const descriptor = findModel(spec.model);
  const reason = descriptor.supports(task.spec);
  if (reason) throw new ConfigError('run', 'model', spec.model, `a model that serves task ${spec.task} (${reason})`);
  const model = descriptor.create(spec.modelConfig as ConfigOf<Fields>, task.spec, new Rng(deriveSeed(spec.seed, 'init')));
  return { model, task, memoryFloats: model.memoryFloats() };
}

/** Restores trained variables from a checkpoint snapshot's tensors. */
export function loadCheckpoint(model: MemoryModel, tensors: readonly TensorRecord[]): void {
  const variables = model.variables();
  const restored = fromRecords(tensors);
  try {
    for (const [name, variable] of Object.entries(variables)) {
      const value = restored[`var/${name}`];
      if (!value) throw new Error(`checkpoint has no variable "${name}"`);
      if (value.shape.join('x') !== variable.shape.join('x')) {
        throw new Error(`checkpoint variable "${name}" has shape [${value.shape}], the model [${variable.shape}]`);
      }
      variable.assign(value);
    }
  } finally {
    Object.values(restored).forEach((t) => t.dispose());
  }
}

/**
 * Mean metrics over `episodes` held-out episodes drawn from a generator seeded by `seed`, so that
 * every evaluation of a run sees the same episodes.
 */
export function evaluate(
  instance: Instance,
  options: { episodes: number; seed: number; batchSize: number },
  onProgress?: (episodesDone: number) => void,
): Record<string, number> {
  const { model, task } = instance;
  const rng = new Rng(deriveSeed(options.seed, 'eval'));
  const sums: Record<string, number> = {};
  let done = 0;
  while (done < options.episodes) {
    const batch = Math.min(options.batchSize, options.episodes - done);
    const episode = task.sample(rng, batch, 'test');
    const { state, read } = tidy(() => runEpisode(model, episode));
    const scores = task.score(episode, read, model);
    for (const [k, v] of Object.entries(scores)) sums[k] = (sums[k] ?? 0) + v * batch;
    disposeEpisode(episode);
    disposeState(state);
    disposeRead(read);
    done += batch;
    onProgress?.(done);
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / options.episodes]));
}

/** The memory after writing one held-out episode, with the episode and the read trace, as tensors to store. */
export function memorySnapshot(instance: Instance, seed: number): TensorRecord[] {
  const { model, task } = instance;
  const episode = task.sample(new Rng(deriveSeed(seed, 'eval')), 1, 'test');
  const { state, read } = tidy(() => runEpisode(model, episode));
  const tensors: Record<string, tf.Tensor> = {
    'episode/items': episode.items,
    'episode/queries': episode.queries,
    'episode/targets': episode.targets,
    'read/retrieved': read.retrieved,
  };
  for (const [k, v] of Object.entries(state)) tensors[`state/${k}`] = v;
  if (read.weights) tensors['read/weights'] = read.weights;
  if (read.iterates) tensors['read/iterates'] = read.iterates;
  if (read.energies) tensors['read/energies'] = read.energies;
  const records = toRecords(tensors);
  disposeEpisode(episode);
  disposeState(state);
  disposeRead(read);
  return records;
}

function checkpoint(model: MemoryModel): TensorRecord[] {
  const named: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(model.variables())) named[`var/${k}`] = v;
  return toRecords(named);
}

/** What one training step leaves for the next log: its loss terms and per-variable gradient norms. */
interface PendingStep {
  readonly step: number;
  readonly total: tf.Scalar;
  readonly terms: Record<string, tf.Scalar>;
  readonly gradNorms: tf.Tensor1D; // [V]
}

/**
 * Meta-trains `instance` as `spec` says, streaming to `sink`. Never throws for a run-level problem:
 * a NaN, a tensor leak or an error in a model ends the run FAILED with the reason.
 */
export async function train(spec: RunSpec, instance: Instance, sink: RunSink): Promise<RunOutcome> {
  const { model, task } = instance;
  const cfg = spec.training;
  const variables = model.variables();
  const names = Object.keys(variables);
  const varList = names.map((n) => variables[n]!);
  const optimizer = new ScheduledAdam(cfg.learningRate, 0.9, 0.999);
  const rng = new Rng(deriveSeed(spec.seed, 'train'));
  const evalOptions = { episodes: cfg.evalEpisodes, seed: spec.seed, batchSize: Math.min(cfg.batchSize, 32) };
  let pending: PendingStep[] = [];
  let lastMetrics: Record<string, number> = {};
  let baselineTensors = -1;
  let step = 0;

  const flush = async (): Promise<string | null> => {
    const batch = pending;
    pending = [];
    const points: MetricPoint[] = [];
    const now = Date.now();
    let failure: string | null = null;
    for (const p of batch) {
      const total = (await p.total.data())[0]!;
      const terms = await Promise.all(Object.entries(p.terms).map(async ([k, t]) => [k, (await t.data())[0]!] as const));
      const norms = await p.gradNorms.data();
      if (!failure) {
        const badTerm = terms.find(([, v]) => !Number.isFinite(v));
        const badVar = names.findIndex((_, i) => !Number.isFinite(norms[i]!));
        if (!Number.isFinite(total) || badTerm) {
          failure = `loss term "${badTerm ? badTerm[0] : 'total'}" is ${badTerm ? badTerm[1] : total} at step ${p.step}`;
        } else if (badVar >= 0) {
          failure = `gradient of variable "${names[badVar]}" is ${norms[badVar]} at step ${p.step}`;
        }
      }
      points.push({ key: 'loss', step: p.step, value: total, wallTimeMs: now });
      for (const [k, v] of terms) if (terms.length > 1) points.push({ key: `loss/${k}`, step: p.step, value: v, wallTimeMs: now });
      tf.dispose([p.total, p.gradNorms, ...Object.values(p.terms)]);
    }
    if (points.length) sink.metrics(points);
    return failure;
  };

  const runEvaluation = (atStep: number): void => {
    lastMetrics = evaluate(instance, evalOptions);
    const now = Date.now();
    sink.metrics(Object.entries(lastMetrics).map(([key, value]) => ({ key, step: atStep, value, wallTimeMs: now })));
  };

  const finish = (status: 'FINISHED' | 'KILLED'): RunOutcome => {
    runEvaluation(step);
    sink.snapshot({ step, kind: 'memory', tensors: memorySnapshot(instance, spec.seed) });
    if (varList.length) sink.snapshot({ step, kind: 'checkpoint', tensors: checkpoint(model) });
    return { status, step, metrics: lastMetrics };
  };

  try {
    if (cfg.steps > 0 && varList.length === 0) {
      throw new ConfigError('training', 'steps', cfg.steps, `0: model ${spec.model} has no trained parameters (evaluate it instead)`);
    }
    for (step = 0; step < cfg.steps; ) {
      if (sink.shouldStop()) {
        await flush();
        return finish('KILLED');
      }
      pending.push(trainStep(instance, rng, cfg, optimizer, names, varList, step + 1));
      step += 1;
      sink.progress(step, cfg.steps);
      if (step % cfg.logEvery === 0 || step === cfg.steps) {
        const failure = await flush();
        if (failure) return { status: 'FAILED', step, metrics: lastMetrics, error: failure };
        const count = tf.memory().numTensors;
        if (baselineTensors < 0) baselineTensors = count;
        else if (count > baselineTensors) {
          return {
            status: 'FAILED',
            step,
            metrics: lastMetrics,
            error: `tensor leak: ${count - baselineTensors} tensors left behind between step ${cfg.logEvery} and step ${step}`,
          };
        }
      }
      if (cfg.evalEvery > 0 && step % cfg.evalEvery === 0 && step < cfg.steps) runEvaluation(step);
      if (cfg.snapshotEvery > 0 && step % cfg.snapshotEvery === 0 && step < cfg.steps) {
        sink.snapshot({ step, kind: 'memory', tensors: memorySnapshot(instance, spec.seed) });
      }
      // Yield so that interrupts, heartbeats and outgoing messages get through between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return finish('FINISHED');
  } catch (err) {
    tf.dispose(pending.flatMap((p) => [p.total, p.gradNorms, ...Object.values(p.terms)]));
    return { status: 'FAILED', step, metrics: lastMetrics, error: failureMessage(err, wasmHeapBytes()) };
  } finally {
    optimizer.dispose();
  }
}

/** The size of the wasm backend's heap, or null on another backend. */
function wasmHeapBytes(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  return (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
}

/**
 * The error a failed run records. A WebAssembly trap says only "memory access out of bounds"; when
 * the wasm heap, which cannot pass 4 GiB, had grown past half of that, the backend most likely ran
 * out of memory (EBMM at D = 128, N = 96 needs about 1.1 GiB per 4 episodes of a batch, so a batch
 * of 16 traps), and the researcher needs to know what to change.
 */
export function failureMessage(err: unknown, heapBytes: number | null): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof Error && err.name === 'RuntimeError') || heapBytes === null) return message;
  const gib = heapBytes / 2 ** 30;
  if (gib < 2) return `${message} (a trap in the wasm backend, whose memory was ${gib.toFixed(1)} GiB)`;
  return (
    `${message}: the wasm backend's memory had grown to ${gib.toFixed(1)} GiB of the 4 GiB it can address, so it most likely ran out. ` +
    'A smaller batchSize, set size or model needs less; the tensorflow backend has no such limit'
  );
}

/** One optimisation step on a fresh batch of episodes; returns the kept loss terms and gradient norms. */
function trainStep(
  instance: Instance,
  rng: Rng,
  cfg: RunSpec['training'],
  optimizer: ScheduledAdam,
  names: readonly string[],
  varList: readonly tf.Variable[],
  step: number,
): PendingStep {
  const { model, task } = instance;
  const episode = task.sample(rng, cfg.batchSize, 'train');
  const rate = scheduledLearningRate(cfg, step);
  optimizer.setLearningRate(rate);
  try {
    return tf.tidy(() => {
      let terms: Record<string, tf.Scalar> = {};
      const { value, grads } = tf.variableGrads(() => {
        const result = model.loss(episode, task);
        terms = Object.fromEntries(Object.entries(result.terms).map(([k, t]) => [k, tf.keep(t.clone())]));
        return result.total;
      }, varList as tf.Variable[]);
      const gradList = varList.map((v, i) => {
        const g = grads[v.name];
        if (!g) throw new Error(`no gradient reaches variable "${names[i]}"`);
        return g;
      });
      const norms = tf.stack(gradList.map((g) => g.square().sum().sqrt())) as tf.Tensor1D; // [V]
      let scale: tf.Scalar | null = null;
      if (cfg.clipNorm !== null) {
        const globalNorm = norms.square().sum().sqrt();
        scale = tf.minimum(tf.scalar(1), tf.scalar(cfg.clipNorm).div(globalNorm.add(1e-12))) as tf.Scalar;
      }
      optimizer.applyGradients(
        varList.map((v, i) => ({ name: v.name, tensor: scale ? gradList[i]!.mul(scale) : gradList[i]! })),
      );
      if (cfg.optimizer === 'adamw' && cfg.weightDecay > 0) {
        const keep = 1 - rate * cfg.weightDecay;
        for (const v of varList) v.assign(v.mul(keep));
      }
      return { step, total: tf.keep(value as tf.Scalar), terms, gradNorms: tf.keep(norms) };
    });
  } finally {
    disposeEpisode(episode);
  }
}
