// What the experiment functions share: a progress callback in, rows plus a Markdown table out, and
// one helper that trains a run to its end. The CLI wires the experiments to commands and stores their
// runs. Engine layer; runs in the kernel, the CLI and tests.
import { resolveRunSpec, type RunSpec, type RunSpecInput } from './run-spec';
import { instantiate, train, type Instance } from './trainer';

/** Progress of an experiment: `done` of `total` units (training steps), and what is running now. */
export type ExperimentProgress = (update: { readonly done: number; readonly total: number; readonly label: string }) => void;

/** What every experiment accepts besides its own settings. */
export interface ExperimentControl {
  readonly onProgress?: ExperimentProgress;
  /** Checked at every training step; true ends the experiment early with the rows measured so far. */
  readonly shouldStop?: () => boolean;
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
}

/**
 * Resolves and trains one run to its end, reporting steps through `onStep`. Returns null when
 * `shouldStop` ended it; throws, with the trainer's reason, when the run fails (a NaN, a leak, an error).
 */
export async function trainToEnd(
  input: RunSpecInput,
  onStep: (step: number, total: number) => void,
  shouldStop: () => boolean = () => false,
): Promise<TrainedRun | null> {
  const spec = resolveRunSpec(input);
  const instance = instantiate(spec);
  const outcome = await train(spec, instance, { metrics() {}, snapshot() {}, progress: onStep, shouldStop });
  if (outcome.status === 'FINISHED') return { spec, instance };
  instance.model.dispose();
  if (outcome.status === 'KILLED') return null;
  throw new Error(`${spec.model} on ${spec.task}: ${outcome.error}`);
}
