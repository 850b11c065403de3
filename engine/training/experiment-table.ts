// What the experiment functions share: a progress callback in, rows plus a Markdown table out, and
// one helper that trains a run to its end. The CLI wires the experiments to commands and stores their
// runs. Engine layer; runs in the kernel, the CLI and tests.
import { resolveRunSpec, type RunSpec, type RunSpecInput } from './run-spec';
import { instantiate, train, type Instance, type MetricPoint, type RunOutcome, type RunSink } from './trainer';

/** Progress of an experiment: `done` of `total` units (training steps), and what is running now. */
export type ExperimentProgress = (update: { readonly done: number; readonly total: number; readonly label: string }) => void;

/** A run an experiment trains, as its caller records it (the CLI: a run in the lab book). */
export interface RecordedRun {
  /** Receives the run's metric points, snapshots and progress as the trainer produces them. */
  readonly sink: Pick<RunSink, 'metrics' | 'snapshot' | 'progress'>;
  /** Ends the run; `metrics` are the experiment's own measurements of it, stored at its last step. */
  end(outcome: RunOutcome, metrics?: Readonly<Record<string, number>>): void;
}

/** Starts recording a run an experiment is about to train. */
export type RunRecording = (run: { readonly spec: RunSpec; readonly instance: Instance }) => RecordedRun;

/** What every experiment accepts besides its own settings. */
export interface ExperimentControl {
  readonly onProgress?: ExperimentProgress;
  /** Checked at every training step; true ends the experiment early with the rows measured so far. */
  readonly shouldStop?: () => boolean;
  /** Records every run the experiment trains (without it, runs are trained and measured, not kept). */
  readonly record?: RunRecording;
}

/** An experiment's result: one row per measured configuration, and the same as a Markdown table. */
export interface ExperimentResult<Row> {
  readonly rows: readonly Row[];
  readonly markdown: string;
  /** False when shouldStop ended the experiment before every row was measured. */
  readonly complete: boolean;
}

/** One column of a Markdown table: a row key, its heading, and how to print its value. */
export interface Column<Row> {
  readonly key: keyof Row & string;
  readonly title: string;
  readonly format?: (value: Row[keyof Row]) => string;
}

/** A GitHub-flavoured Markdown table of the rows. */
export function markdownTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cell = (c: Column<Row>, r: Row): string => (c.format ? c.format(r[c.key]) : String(r[c.key]));
  return [
    `| ${columns.map((c) => c.title).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${columns.map((c) => cell(c, r)).join(' | ')} |`),
  ].join('\n');
}

/** Prints a number with a fixed count of decimals (anything else as it is). */
export const fixed =
  (digits: number) =>
  (value: unknown): string =>
    typeof value === 'number' ? value.toFixed(digits) : String(value);

/** Settings of one scope of a run spec (`model`, `task`), keyed `scope.name` as `--set` takes them. */
export function scoped(scope: 'model' | 'task', values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${scope}.${k}`, v]));
}

/** A trained run: its spec and instance (the caller disposes the model), or null when it was stopped. */
export interface TrainedRun {
  readonly spec: RunSpec;
  readonly instance: Instance;
  /**
   * Adds the experiment's measurements of the run to its record — final values, and whole series
   * such as a per-iteration curve — and ends it (once; later calls do nothing).
   */
  report(metrics: Readonly<Record<string, number>>, series?: readonly MetricPoint[]): void;
}

/**
 * Resolves and trains one run to its end, reporting steps through `onStep` and recording it through
 * `control.record`. Returns null when `shouldStop` ended it; throws, with the trainer's reason, when the
 * run fails (a NaN, a leak, an error). A recorded run stays open until `report` (or the caller's
 * recording closes it).
 */
export async function trainToEnd(
  input: RunSpecInput,
  onStep: (step: number, total: number) => void,
  control: Pick<ExperimentControl, 'shouldStop' | 'record'> = {},
): Promise<TrainedRun | null> {
  const spec = resolveRunSpec(input);
  const instance = instantiate(spec);
  const recorded = control.record?.({ spec, instance });
  const outcome = await train(spec, instance, {
    metrics: (points) => recorded?.sink.metrics(points),
    snapshot: (snapshot) => recorded?.sink.snapshot(snapshot),
    progress: (step, total) => {
      recorded?.sink.progress(step, total);
      onStep(step, total);
    },
    shouldStop: control.shouldStop ?? (() => false),
  });
  if (outcome.status === 'FINISHED') {
    let reported = false;
    return {
      spec,
      instance,
      report(metrics, series) {
        if (reported) return;
        reported = true;
        if (series?.length) recorded?.sink.metrics(series);
        recorded?.end(outcome, metrics);
      },
    };
  }
  recorded?.end(outcome);
  instance.model.dispose();
  if (outcome.status === 'KILLED') return null;
  throw new Error(`${spec.model} on ${spec.task}: ${outcome.error}`);
}
