// Training and evaluation runs inside the kernel: validates a request, has the service record the run,
// runs the engine's trainer (on this thread, or in a worker thread so that sweeps train several runs
// at once) or evaluation with cooperative stops, and streams metrics, progress and snapshots to the
// service. Shared by the service's `train` requests and the cells' `lab` API. Kernel process.
import type { KernelToService, RunCreation, TensorBytes } from '../api/kernel-protocol';
import { RpcError, type RpcPeer } from '../api/rpc';
import type { MetricPointData, RunId, RunKind, SettingValue } from '../api/schemas';
import type { BackendInfo } from '../backend/select';
import { ConfigError } from '../core/config';
import { flattenRunSpec, resolveRunSpec, type RunSpec } from '../training/run-spec';
import { evaluate, instantiate, loadCheckpoint, memorySnapshot, train, type Instance, type RunOutcome, type RunSink } from '../training/trainer';
import { TrainingPool } from './training-pool';

/** How often a running training reports its step. */
const PROGRESS_INTERVAL_MS = 100;

/** Where a run came from, when a notebook cell started it. */
export interface CellOrigin {
  readonly notebook: string;
  readonly cellId: string;
  readonly source: string;
}

/** A validated, recorded run ready to execute. */
export interface PreparedRun {
  readonly runId: RunId;
  readonly spec: RunSpec;
  readonly instance: Instance;
}

/** Hooks a caller (a cell) adds to a run: live metrics, progress, and its own reasons to stop. */
export interface RunHooks {
  onMetrics?(points: readonly MetricPointData[]): void;
  onProgress?(step: number, totalSteps: number): void;
  shouldStop?(): boolean;
}

export class TrainingHost {
  private readonly active = new Map<RunId, { stop: boolean }>();
  private pool: TrainingPool | null = null;

  constructor(
    private readonly post: (message: KernelToService) => void,
    private readonly rpc: RpcPeer,
    private readonly backend: Promise<BackendInfo>,
  ) {}

  get activeRuns(): RunId[] {
    return [...this.active.keys()];
  }

  /**
   * Resolves and validates a request (a ConfigError becomes an invalid_params RpcError naming the
   * field), builds the model and has the service create the run row.
   */
  async prepare(
    kind: RunKind,
    request: { model: string; task: string; set?: Record<string, SettingValue>; seed?: number; name?: string },
    origin?: CellOrigin,
  ): Promise<PreparedRun> {
    const backend = await this.backend;
    let spec: RunSpec;
    let instance: Instance;
    try {
      spec = resolveRunSpec({ model: request.model, task: request.task, set: request.set ?? {}, seed: request.seed });
      instance = instantiate(spec);
    } catch (err) {
      if (err instanceof ConfigError) throw new RpcError('invalid_params', err.message);
      throw err;
    }
    const creation: RunCreation = {
      kind,
      spec,
      memoryFloats: instance.memoryFloats,
      backend: backend.name,
      ...(request.name ? { name: request.name } : {}),
      ...(origin ?? {}),
    };
    const { runId } = (await this.rpc.request('runs.create', creation)) as { runId: RunId };
    return { runId, spec, instance };
  }

  /** Meta-trains a prepared run to its end; never throws for a run-level failure. */
  async train(run: PreparedRun, hooks: RunHooks = {}): Promise<RunOutcome> {
    return this.execute(run, hooks, (sink) => train(run.spec, run.instance, sink));
  }

  /**
   * How many runs can train at once here (one on this thread, one per worker thread; `wanted` at
   * most), or 1 with the reason when runs must train one after another on this thread.
   */
  async parallelism(wanted: number): Promise<{ runs: number; reason: string | null }> {
    if (wanted <= 1) return { runs: 1, reason: null };
    const backend = await this.backend;
    // The native backend already spreads one run over every core.
    if (backend.name !== 'wasm' && backend.name !== 'cpu') return { runs: 1, reason: `the ${backend.name} backend uses every core for one run` };
    this.pool ??= new TrainingPool(backend.name);
    const problem = this.pool.problem;
    return problem ? { runs: 1, reason: problem } : { runs: wanted, reason: null };
  }

  /**
   * Meta-trains a prepared run in a worker thread (after parallelism() said workers can run): the
   * model is built again there from the same spec and seed, and everything it reports is recorded as
   * for train().
   */
  async trainInWorker(run: PreparedRun, hooks: RunHooks = {}): Promise<RunOutcome> {
    const pool = this.pool;
    if (!pool) throw new Error('trainInWorker: no worker pool (ask parallelism() first)');
    return this.execute(run, hooks, (sink) => pool.run(run.runId, run.spec, sink));
  }

  /** Ends the worker threads of finished parallel runs. */
  async closeWorkers(): Promise<void> {
    await this.pool?.close();
  }

  /**
   * Evaluates a prepared run on held-out episodes (after loading a checkpoint, if given) and stores
   * the metrics and a memory snapshot at the checkpoint's step.
   */
  async evaluate(run: PreparedRun, options: { episodes: number; checkpoint?: { step: number; tensors: readonly TensorBytes[] } }, hooks: RunHooks = {}): Promise<RunOutcome> {
    return this.execute(run, hooks, async (sink) => {
      const step = options.checkpoint?.step ?? 0;
      if (options.checkpoint) loadCheckpoint(run.instance.model, options.checkpoint.tensors);
      const metrics = evaluate(run.instance, { episodes: options.episodes, seed: run.spec.seed, batchSize: Math.min(run.spec.training.batchSize, 32) }, (done) =>
        sink.progress(done, options.episodes),
      );
      const now = Date.now();
      sink.metrics(Object.entries(metrics).map(([key, value]) => ({ key, step, value, wallTimeMs: now })));
      sink.snapshot({ step, kind: 'memory', tensors: memorySnapshot(run.instance, run.spec.seed) });
      return { status: 'FINISHED', step, metrics };
    });
  }

  stop(runId: RunId | null): void {
    for (const [id, control] of this.active) if (runId === null || id === runId) control.stop = true;
  }

  private async execute(run: PreparedRun, hooks: RunHooks, body: (sink: RunSink) => Promise<RunOutcome>): Promise<RunOutcome> {
    const { runId, spec } = run;
    const control = { stop: false };
    this.active.set(runId, control);
    this.post({ type: 'run.started', runId, totalSteps: spec.training.steps });
    let lastProgressMs = 0;
    const sink: RunSink = {
      metrics: (points) => {
        this.post({ type: 'run.metrics', runId, points });
        hooks.onMetrics?.(points);
      },
      snapshot: (s) => this.post({ type: 'run.snapshot', runId, step: s.step, kind: s.kind, tensors: s.tensors }),
      progress: (step, totalSteps) => {
        const now = Date.now();
        if (now - lastProgressMs >= PROGRESS_INTERVAL_MS || step === totalSteps) {
          lastProgressMs = now;
          this.post({ type: 'run.progress', runId, step, totalSteps });
          hooks.onProgress?.(step, totalSteps);
        }
      },
      shouldStop: () => control.stop || (hooks.shouldStop?.() ?? false),
    };
    let outcome: RunOutcome;
    try {
      outcome = await body(sink);
    } catch (err) {
      outcome = { status: 'FAILED', step: 0, metrics: {}, error: err instanceof Error ? err.message : String(err) };
    } finally {
      run.instance.model.dispose();
      this.active.delete(runId);
    }
    this.post({ type: 'run.ended', runId, status: outcome.status, step: outcome.step, error: outcome.status === 'FAILED' ? outcome.error : null });
    return outcome;
  }
}

/** A run's settings flattened for results and plots (`model.rule`, `task.setSize`, …). */
export function settingsOf(spec: RunSpec): Record<string, SettingValue> {
  const out: Record<string, SettingValue> = {};
  for (const [k, v] of Object.entries(flattenRunSpec(spec))) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[k] = v as SettingValue;
  }
  return out;
}
