// The `lab` API that notebook cells call, as types with documentation. This file is also fed, as
// text, to the editor's TypeScript service, so it must stay self-contained: no imports.
// Kernel process (implemented in cell-lab.ts); editor (typings).

/** A setting of a model, task or training field: `--set name=value` in the CLI. */
export type Setting = string | number | boolean | null;

/** What to train or evaluate. Field names are those of `lab.models` / `lab.tasks` (and training fields). */
export interface RunConfig {
  /** A model id, e.g. `'hopfield'`, `'slot-memory'`, `'ebmm'` (see `lab.models`). */
  model: string;
  /** A task id, e.g. `'binary-recall'`, `'image-recall'` (see `lab.tasks`). */
  task: string;
  /** Model, task and training fields by name (`'model.x'` / `'task.x'` / `'training.x'` when ambiguous). */
  set?: Record<string, Setting>;
  /** Training steps (a training field; 0 evaluates the initial model). */
  steps?: number;
  /** Seed of initialisation and episodes; the same seed and backend reproduce a run. */
  seed?: number;
  /** A name for the run in the runs view. */
  name?: string;
}

/** How a run ended, with its final evaluation metrics. */
export interface RunResult {
  readonly runId: number;
  readonly status: 'FINISHED' | 'FAILED' | 'KILLED';
  readonly step: number;
  /** Final evaluation metrics, e.g. `{ error_bits: 3.2 }`. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Floats of fast memory state the model writes per episode. */
  readonly memoryFloats: number;
  readonly model: string;
  readonly task: string;
  /** The settings the run used, flattened (`'model.rule'`, `'task.setSize'`, …). */
  readonly settings: Readonly<Record<string, Setting>>;
  readonly error: string | null;
}

/** A training run in progress: await it for its result. */
export interface RunHandle extends PromiseLike<RunResult> {
  /** The run's id, once the lab book has recorded it. */
  readonly created: Promise<number>;
  /** The latest value of every metric streamed so far (loss, evaluation metrics). */
  readonly latest: Readonly<Record<string, number>>;
  /** Asks the run to stop at its next step; it ends KILLED. */
  stop(): void;
}

/** A grid of runs: every combination of the listed values, for every seed. */
export interface SweepGrid {
  model: string | string[];
  task: string;
  /** Each field takes one value or a list of values to sweep over. */
  set?: Record<string, Setting | Setting[]>;
  steps?: number;
  /** One run per seed for each combination (default [0]). */
  seeds?: number[];
  /** Runs trained at once: one on the kernel's own thread, each other in a worker thread (default: one per core; 1: one after another). */
  parallel?: number;
}

export interface SweepResult {
  readonly runs: readonly RunResult[];
}

/** A run from the lab book. */
export interface RunInfo {
  readonly id: number;
  readonly name: string;
  readonly model: string;
  readonly task: string;
  readonly status: string;
  readonly step: number;
  readonly finalMetrics: Readonly<Record<string, number>>;
  readonly memoryFloats: number | null;
  readonly seed: number;
  readonly tags: readonly string[];
}

export interface RunFilter {
  text?: string;
  status?: ('PENDING' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED' | 'CRASHED')[];
  model?: string;
  task?: string;
  tag?: string;
  limit?: number;
}

/** A plotly figure: `data` traces and an optional `layout` (https://plotly.com/javascript/reference/). */
export interface Figure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
}

/** Metrics of runs against steps (or wall time); grows live while the runs progress. */
export interface MetricPlot {
  runs: (number | RunHandle | RunResult)[];
  metric: string;
  x?: 'step' | 'time';
  title?: string;
}

/** A final metric against a setting across runs (a capacity curve), one line per group. */
export interface SweepPlot {
  results: readonly RunResult[];
  /** A setting on the x axis, e.g. `'task.setSize'`, or `'memoryFloats'`. */
  x: string;
  metric: string;
  /** One line per value of this setting (e.g. `'model'`, `'model.rule'`), or per label a function gives. */
  groupBy?: string | ((result: RunResult) => string);
  title?: string;
  logY?: boolean;
}

export interface ImagesOptions {
  /** `'bits'` draws ±1 patterns as black/white rows; `'image'` draws pixels in [0, 1] (default). */
  kind?: 'image' | 'bits';
  /** Height and width of one image (default: a square from the length, or one row of bits). */
  height?: number;
  width?: number;
  labels?: string[];
  title?: string;
}

/** A stored snapshot: the memory after writing an evaluation episode, or trained variables. */
export interface Snapshot {
  readonly runId: number;
  readonly step: number;
  readonly kind: 'memory' | 'checkpoint';
  /** Tensors by name (`state/…`, `episode/…`, `read/…`, `var/…`) as flat arrays with shapes. */
  readonly tensors: Readonly<Record<string, { shape: number[]; values: Float32Array | Int32Array | Uint8Array }>>;
}

/** Description of a model or task and its config fields. */
export interface CatalogEntry {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  /** Models only: whether the model has parameters to train (false: evaluate it, e.g. `hopfield`). */
  readonly learned?: boolean;
  readonly fields: readonly { name: string; kind: string; description: string; default: unknown; min?: number; max?: number; values?: readonly string[] }[];
}

/** The lab: train, evaluate and compare memory models from a cell. */
export interface Lab {
  /** The memory models, with their papers' names and config fields. */
  readonly models: readonly CatalogEntry[];
  /** The tasks (episode generators), with their config fields. */
  readonly tasks: readonly CatalogEntry[];
  /**
   * Meta-trains a model on a task as a recorded run; shows a run card and progress. Await the handle
   * for the result.
   * @example const run = await lab.train({ model: 'slot-memory', task: 'binary-recall', set: { setSize: 32 }, steps: 300 });
   */
  train(config: RunConfig): RunHandle;
  /**
   * Evaluates a model on held-out episodes (an untrained one such as `hopfield`, or a trained run via
   * `fromRun`), recorded as a run.
   */
  eval(config: RunConfig & { episodes?: number; fromRun?: number }): Promise<RunResult>;
  /**
   * Runs every combination of a grid (× seeds), one run each, with progress: models that learn
   * (`learned` in the catalog) are trained, the others (e.g. `hopfield`) evaluated.
   */
  sweep(grid: SweepGrid): Promise<SweepResult>;
  /** Earlier runs from the lab book, newest first. */
  runs(filter?: RunFilter): Promise<RunInfo[]>;
  /**
   * Shows a figure: a plotly spec, metrics of runs over steps (growing live while they run), or a
   * metric against a setting across runs. The cell finishes only once the figure is shown.
   */
  plot(figure: Figure | MetricPlot | SweepPlot): Promise<void>;
  /** Shows a table from objects (columns from their keys) or from rows with column names. */
  table(rows: readonly Record<string, unknown>[] | readonly unknown[][], columns?: string[]): void;
  /** Shows images (pixels in [0,1]) or ±1 bit patterns as a grid; accepts arrays or tensors. */
  images(data: ArrayLike<number> | ArrayLike<ArrayLike<number>> | { arraySync(): unknown; shape: number[] }, options?: ImagesOptions): void;
  /** Loads a run's snapshot: the one at `step`, else the last memory snapshot. */
  snapshot(runId: number, step?: number, kind?: 'memory' | 'checkpoint'): Promise<Snapshot>;
}
