// The `lab` object notebook cells use (typed in lab-types.ts): trains and evaluates recorded runs,
// sweeps grids, queries the lab book, and shows tables, figures and images as cell outputs.
// Kernel process.
import { availableParallelism } from 'node:os';
import type { TensorBytes } from '../api/kernel-protocol';
import type { RunFilter as ApiRunFilter } from '../api/lab-api';
import type { CellOutput } from '../api/notebook';
import type { RpcPeer } from '../api/rpc';
import type { Catalog, MetricSeries, RunDetail, RunId, RunSummary, SettingValue } from '../api/schemas';
import { recordValues } from '../core/tensors';
import { type CellContext, currentCell, KernelInterrupt } from './cell-runner';
import type {
  Figure,
  ImagesOptions,
  Lab,
  MetricPlot,
  RunConfig,
  RunHandle,
  RunInfo,
  RunResult,
  Snapshot,
  SweepGrid,
  SweepPlot,
} from './lab-types';
import { settingsOf, type PreparedRun, type TrainingHost } from './training-host';
import type { RunOutcome } from '../training/trainer';

/** Progress outputs are refreshed at most this often. */
const PROGRESS_EVERY_MS = 500;

function checkInterrupt(ctx: CellContext | undefined): void {
  if (ctx?.interrupted) throw new KernelInterrupt();
}

/** Tracks an async piece of work of a cell, so the cell finishes only after it. */
function track<T>(ctx: CellContext | undefined, work: Promise<T>): Promise<T> {
  ctx?.pending.add(work);
  void work.finally(() => ctx?.pending.delete(work)).catch(() => {});
  return work;
}

function settingsFor(config: RunConfig): Record<string, SettingValue> {
  return { ...(config.set ?? {}), ...(config.steps !== undefined ? { steps: config.steps } : {}) };
}

function originOf(ctx: CellContext | undefined) {
  return ctx ? { notebook: ctx.notebook, cellId: ctx.cellId, source: ctx.source } : undefined;
}

export function createCellLab(deps: { host: TrainingHost; rpc: RpcPeer; catalog: Catalog }): Lab {
  const { host, rpc, catalog } = deps;
  const call = <T>(method: string, params: unknown) => rpc.request('lab.call', { method, params }) as Promise<T>;

  const progress = (ctx: CellContext | undefined, key: string, label: string) => {
    let lastMs = 0;
    return (done: number, total: number) => {
      const now = Date.now();
      if (!ctx || (now - lastMs < PROGRESS_EVERY_MS && done < total)) return;
      lastMs = now;
      ctx.emit({ type: 'progress', key, label, done, total });
    };
  };

  /** Starts a recorded training run, on this thread or (in a parallel sweep) in a worker thread. */
  const startRun = (config: RunConfig, inWorker: boolean): RunHandle => {
    const ctx = currentCell();
    checkInterrupt(ctx);
    const latest: Record<string, number> = {};
    let stopRequested = false;
    let resolveCreated!: (id: number) => void;
    let rejectCreated!: (e: unknown) => void;
    const created = new Promise<number>((res, rej) => {
      resolveCreated = res;
      rejectCreated = rej;
    });
    created.catch(() => {});
    const work = (async (): Promise<RunResult> => {
      let run;
      try {
        run = await host.prepare('train', { model: config.model, task: config.task, set: settingsFor(config), seed: config.seed, name: config.name }, originOf(ctx));
      } catch (err) {
        rejectCreated(err);
        throw err;
      }
      resolveCreated(run.runId);
      ctx?.emit({ type: 'run', runId: run.runId, name: config.name ?? `${run.spec.model}-${run.runId}`, model: run.spec.model, task: run.spec.task });
      const show = progress(ctx, `run-${run.runId}`, `training ${run.spec.model} on ${run.spec.task}`);
      const hooks = {
        onMetrics: (points: readonly { key: string; value: number }[]) => points.forEach((p) => (latest[p.key] = p.value)),
        onProgress: show,
        shouldStop: () => stopRequested || (ctx?.interrupted ?? false),
      };
      const outcome = await (inWorker ? host.trainInWorker(run, hooks) : host.train(run, hooks));
      show(outcome.step, run.spec.training.steps);
      checkInterrupt(ctx);
      return resultOf(run, outcome);
    })();
    // Training is not tracked: a cell may start a run and end while it goes on (await the handle to wait).
    work.catch(() => {});
    return {
      created,
      latest,
      stop: () => (stopRequested = true),
      then: (onFulfilled, onRejected) => work.then(onFulfilled, onRejected),
    };
  };

  const train = (config: RunConfig): RunHandle => startRun(config, false);

  const evalRun = async (config: RunConfig & { episodes?: number; fromRun?: number }): Promise<RunResult> => {
    const ctx = currentCell();
    checkInterrupt(ctx);
    return track(ctx, (async () => {
      let set = settingsFor(config);
      let checkpoint: { step: number; tensors: TensorBytes[] } | undefined;
      if (config.fromRun !== undefined) {
        const source = await call<RunDetail>('runs.get', { runId: config.fromRun });
        const inherited: Record<string, SettingValue> = {};
        for (const [k, v] of Object.entries(source.spec.modelConfig)) inherited[`model.${k}`] = v as SettingValue;
        if (config.task === source.task) for (const [k, v] of Object.entries(source.spec.taskConfig)) inherited[`task.${k}`] = v as SettingValue;
        set = { ...inherited, ...set };
        checkpoint = (await rpc.request('snapshots.tensors', { runId: config.fromRun, kind: 'checkpoint' })) as { step: number; tensors: TensorBytes[] };
      }
      const episodes = config.episodes ?? 64;
      const run = await host.prepare('eval', { model: config.model, task: config.task, set: { ...set, steps: 0, evalEpisodes: episodes }, seed: config.seed, name: config.name }, originOf(ctx));
      ctx?.emit({ type: 'run', runId: run.runId, name: config.name ?? `${run.spec.model}-${run.runId}`, model: run.spec.model, task: run.spec.task });
      const outcome = await host.evaluate(run, { episodes, ...(checkpoint ? { checkpoint } : {}) }, { onProgress: progress(ctx, `eval-${run.runId}`, `evaluating ${run.spec.model}`) });
      return resultOf(run, outcome);
    })());
  };

  // Models that learn nothing (the classical Hopfield rules, the Bloom filter) are evaluated in a sweep.
  const learned = new Set(catalog.models.filter((m) => m.learned).map((m) => m.id));
  const sweep = async (grid: SweepGrid): Promise<{ runs: RunResult[] }> => {
    const ctx = currentCell();
    const combos = expandGrid(grid);
    const { runs: lanes, reason } = await host.parallelism(Math.min(grid.parallel ?? availableParallelism(), combos.length));
    if (reason && (grid.parallel ?? 0) > 1) console.error(`lab.sweep: training one run at a time, because ${reason}`);
    const show = progress(ctx, `sweep-${Date.now()}`, `sweep of ${combos.length} runs${lanes > 1 ? `, ${lanes} at once` : ''}`);
    const runs: RunResult[] = new Array(combos.length);
    let next = 0;
    let done = 0;
    // Each lane takes the next combination when its run ends; results keep the grid's order. Lane 0
    // trains on this thread, where tfjs and its backend are already loaded and warm; the others each
    // in a worker thread, which starts cold.
    const lane = async (index: number) => {
      while (next < combos.length) {
        checkInterrupt(ctx);
        const i = next++;
        show(done, combos.length);
        const combo = combos[i]!;
        runs[i] = learned.has(combo.model) ? await startRun(combo, index > 0) : await evalRun(combo);
        done += 1;
      }
    };
    // Every lane ends before the workers go (an interrupt stops the others' runs at their next step).
    const settled = await Promise.allSettled(Array.from({ length: lanes }, (_, index) => lane(index)));
    if (lanes > 1) await host.closeWorkers();
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    show(done, combos.length);
    return { runs };
  };

  const plot = (figure: Figure | MetricPlot | SweepPlot): Promise<void> => {
    const ctx = currentCell();
    checkInterrupt(ctx);
    return track(ctx, (async () => {
      if ('data' in figure) return ctx?.emit({ type: 'figure', spec: { data: figure.data, ...(figure.layout ? { layout: figure.layout } : {}) } });
      if ('results' in figure) return ctx?.emit(sweepFigure(figure));
      const ids = await Promise.all(figure.runs.map(async (r) => (typeof r === 'number' ? r : 'runId' in r ? r.runId : await r.created)));
      const x = figure.x ?? 'step';
      const series = await Promise.all(
        ids.map(async (runId) => {
          const [s] = await call<MetricSeries[]>('runs.metrics', { runId, keys: [figure.metric], maxPoints: 2000 });
          const run = await call<RunDetail>('runs.get', { runId });
          return { runId, name: run.name, running: run.status === 'RUNNING' || run.status === 'PENDING', s };
        }),
      );
      const data = series.map(({ name, s }) => ({
        type: 'scatter',
        mode: 'lines',
        name,
        x: s ? (x === 'time' ? s.wallTimesMs.map((t) => (t - s.wallTimesMs[0]!) / 1000) : s.steps) : [],
        y: s?.values ?? [],
      }));
      const layout = { title: { text: figure.title ?? figure.metric }, xaxis: { title: { text: x === 'time' ? 'seconds' : 'step' } }, yaxis: { title: { text: figure.metric } } };
      const live = series.some((s) => s.running) ? { runIds: ids as RunId[], metric: figure.metric, x } : undefined;
      ctx?.emit({ type: 'figure', spec: { data, layout }, ...(live ? { live } : {}) });
    })());
  };

  const snapshot = async (runId: number, step?: number, kind: 'memory' | 'checkpoint' = 'memory'): Promise<Snapshot> => {
    const found = (await rpc.request('snapshots.tensors', { runId, kind, ...(step !== undefined ? { step } : {}) })) as { step: number; tensors: TensorBytes[] };
    const tensors: Record<string, { shape: number[]; values: Float32Array | Int32Array | Uint8Array }> = {};
    for (const t of found.tensors) tensors[t.name] = { shape: [...t.shape], values: recordValues(t) };
    return { runId, step: found.step, kind, tensors };
  };

  return {
    models: catalog.models,
    tasks: catalog.tasks,
    train,
    eval: evalRun,
    sweep,
    runs: async (filter) => {
      const list = await call<RunSummary[]>('runs.list', (filter ?? {}) as ApiRunFilter);
      return list.map((r): RunInfo => ({
        id: r.id,
        name: r.name,
        model: r.model,
        task: r.task,
        status: r.status,
        step: r.step,
        finalMetrics: r.finalMetrics,
        memoryFloats: r.memoryFloats,
        seed: r.seed,
        tags: r.tags,
      }));
    },
    plot,
    table: (rows, columns) => {
      const ctx = currentCell();
      ctx?.emit(tableOutput(rows, columns));
    },
    images: (data, options) => {
      const ctx = currentCell();
      ctx?.emit(imagesOutput(data, options ?? {}));
    },
    snapshot,
  };
}

/** What a cell gets back from a run it trained or evaluated. */
function resultOf(run: PreparedRun, outcome: RunOutcome): RunResult {
  return {
    runId: run.runId,
    status: outcome.status,
    step: outcome.step,
    metrics: outcome.metrics,
    memoryFloats: run.instance.memoryFloats,
    model: run.spec.model,
    task: run.spec.task,
    settings: settingsOf(run.spec),
    error: outcome.status === 'FAILED' ? outcome.error : null,
  };
}

/** Every combination of the grid's listed values, for every seed. */
export function expandGrid(grid: SweepGrid): RunConfig[] {
  const models = Array.isArray(grid.model) ? grid.model : [grid.model];
  let combos: Record<string, SettingValue>[] = [{}];
  for (const [key, value] of Object.entries(grid.set ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  const seeds = grid.seeds ?? [0];
  return models.flatMap((model) =>
    combos.flatMap((set) => seeds.map((seed) => ({ model, task: grid.task, set, seed, ...(grid.steps !== undefined ? { steps: grid.steps } : {}) }))),
  );
}

/** A metric against a setting across runs: mean per x with a ± std band over seeds, one line per group. */
export function sweepFigure(p: SweepPlot): Extract<CellOutput, { type: 'figure' }> {
  const valueOf = (r: RunResult, key: string): SettingValue | number =>
    key === 'memoryFloats' ? r.memoryFloats : key === 'model' ? r.model : (r.settings[key] ?? null);
  const groups = new Map<string, RunResult[]>();
  for (const r of p.results) {
    const g = typeof p.groupBy === 'function' ? p.groupBy(r) : p.groupBy ? String(valueOf(r, p.groupBy)) : p.metric;
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const data: Record<string, unknown>[] = [];
  for (const [name, runs] of groups) {
    const byX = new Map<number, number[]>();
    for (const r of runs) {
      const x = Number(valueOf(r, p.x));
      const y = r.metrics[p.metric];
      if (Number.isFinite(x) && y !== undefined) byX.set(x, [...(byX.get(x) ?? []), y]);
    }
    const xs = [...byX.keys()].sort((a, b) => a - b);
    const mean = xs.map((x) => avg(byX.get(x)!));
    const std = xs.map((x, i) => Math.sqrt(avg(byX.get(x)!.map((v) => (v - mean[i]!) ** 2))));
    if (std.some((s) => s > 0)) {
      data.push({ type: 'scatter', mode: 'lines', x: xs, y: mean.map((m, i) => m + std[i]!), line: { width: 0 }, showlegend: false, hoverinfo: 'skip', legendgroup: name });
      data.push({ type: 'scatter', mode: 'lines', x: xs, y: mean.map((m, i) => m - std[i]!), line: { width: 0 }, fill: 'tonexty', opacity: 0.25, showlegend: false, hoverinfo: 'skip', legendgroup: name });
    }
    data.push({ type: 'scatter', mode: 'lines+markers', name, x: xs, y: mean, legendgroup: name });
  }
  const layout = {
    title: { text: p.title ?? `${p.metric} vs ${p.x}` },
    xaxis: { title: { text: p.x } },
    yaxis: { title: { text: p.metric }, ...(p.logY ? { type: 'log' } : {}) },
  };
  return { type: 'figure', spec: { data, layout } };
}

function avg(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function tableOutput(rows: readonly Record<string, unknown>[] | readonly unknown[][], columns?: string[]): Extract<CellOutput, { type: 'table' }> {
  if (rows.length && Array.isArray(rows[0])) {
    const arrays = rows as readonly unknown[][];
    const width = Math.max(0, ...arrays.map((r) => r.length));
    return { type: 'table', columns: columns ?? Array.from({ length: width }, (_, i) => String(i)), rows: arrays.map((r) => [...r]) };
  }
  const objects = rows as readonly Record<string, unknown>[];
  const keys = columns ?? [...new Set(objects.flatMap((o) => Object.keys(o)))];
  return { type: 'table', columns: keys, rows: objects.map((o) => keys.map((k) => o[k] ?? null)) };
}

type ImagesInput = Parameters<Lab['images']>[0];

/** Flattens images (tensor, nested arrays or one flat array) into a grid output of grey bytes. */
export function imagesOutput(data: ImagesInput, options: ImagesOptions): Extract<CellOutput, { type: 'images' }> {
  const kind = options.kind ?? 'image';
  const raw = 'arraySync' in data && typeof data.arraySync === 'function' ? (data.arraySync() as unknown) : data;
  const rows: number[][] = isNested(raw) ? (raw as ArrayLike<unknown>[]).map((r) => flatten(r)) : [flatten(raw)];
  const length = rows[0]?.length ?? 0;
  const width = options.width ?? (kind === 'bits' ? length : Math.round(Math.sqrt(length)));
  const height = options.height ?? Math.max(1, Math.round(length / Math.max(1, width)));
  if (height * width !== length) {
    throw new Error(`lab.images: each image has ${length} values, which is not height ${height} × width ${width}; pass height and width`);
  }
  const bytes = new Uint8Array(rows.length * length);
  rows.forEach((r, i) =>
    r.forEach((v, j) => (bytes[i * length + j] = kind === 'bits' ? (v >= 0 ? 255 : 0) : Math.round(255 * Math.min(1, Math.max(0, v))))),
  );
  return {
    type: 'images',
    kind,
    count: rows.length,
    height,
    width,
    pixelsBase64: Buffer.from(bytes).toString('base64'),
    ...(options.labels ? { labels: options.labels } : {}),
    ...(options.title ? { title: options.title } : {}),
  };
}

function isNested(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'length' in value && typeof (value as ArrayLike<unknown>)[0] === 'object';
}

function flatten(value: unknown): number[] {
  const out: number[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'number') out.push(v);
    else if (v && typeof v === 'object' && 'length' in v) for (const x of Array.from(v as ArrayLike<unknown>)) walk(x);
  };
  walk(value);
  return out;
}
