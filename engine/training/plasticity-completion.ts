// The pattern-completion experiment of Miconi et al. 2018 (§4.1; Engram reference §19.9), CPU-sized:
// the sign-error fraction of plastic networks (decay and Oja rules) and of the non-plastic network of
// the same neurons, trained with the same budget. Engine layer; runs in the kernel, the CLI and scripts.
import { evaluate } from './trainer';
import { fixed, markdownTable, scoped, trainToEnd, type ExperimentControl, type ExperimentResult } from './experiment-table';
import type { HebbianRule } from '../models/plasticity';

export interface CompletionTableOptions extends ExperimentControl {
  readonly rules?: readonly HebbianRule[];
  /** Task settings (dim, patterns, presentSteps, gapSteps, cycles, queries). */
  readonly taskConfig?: Readonly<Record<string, unknown>>;
  /** Neurons N (default: one per pattern bit, as in the paper) and steps each query is shown. */
  readonly hiddenSize?: number;
  readonly readSteps?: number;
  readonly steps?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly testEpisodes?: number;
  readonly seed?: number;
}

export interface CompletionRow {
  readonly rule: HebbianRule;
  readonly neurons: number;
  readonly memoryFloats: number;
  readonly steps: number;
  /** Fraction of wrong bits in the completed pattern (chance 0.5; copying the query's known half gives 0.25). */
  readonly errorFrac: number;
}

/** CPU-sized defaults: 5 patterns of 32 bits, each shown 3 steps then 2 blank, twice; the test shown 3 steps. */
export const defaultCompletionTask = { dim: 32, patterns: 5, presentSteps: 3, gapSteps: 2, cycles: 2, queries: 1 } as const;

/** Trains one network per rule with the same budget and tests it; the defaults take ~7 minutes on wasm. */
export async function plasticityCompletionTable(options: CompletionTableOptions = {}): Promise<ExperimentResult<CompletionRow>> {
  const rules = options.rules ?? ['decay', 'oja', 'none'];
  const taskConfig = { ...defaultCompletionTask, ...options.taskConfig };
  const neurons = options.hiddenSize ?? (taskConfig.dim as number);
  const steps = options.steps ?? 1000;
  const seed = options.seed ?? 0;
  const total = rules.length * steps;
  const rows: CompletionRow[] = [];
  let done = 0;
  for (const rule of rules) {
    const run = await trainToEnd(
      {
        model: 'plasticity',
        task: 'pattern-completion',
        set: {
          ...scoped('model', { rule, hiddenSize: neurons, readSteps: options.readSteps ?? 3 }),
          ...scoped('task', taskConfig),
          steps,
          batchSize: options.batchSize ?? 16,
          learningRate: options.learningRate ?? 3e-3,
          evalEvery: 0,
          evalEpisodes: 4,
        },
        seed,
      },
      (step) => options.onProgress?.({ done: done + step, total, label: `plasticity, rule ${rule}` }),
      options,
    );
    if (!run) return result(rows, false);
    const metrics = evaluate(run.instance, { episodes: options.testEpisodes ?? 512, seed, batchSize: 64 });
    rows.push({ rule, neurons, memoryFloats: run.instance.memoryFloats, steps, errorFrac: metrics.error_frac! });
    run.report({ test_error_frac: metrics.error_frac! });
    run.instance.model.dispose();
    done += steps;
  }
  return result(rows, true);
}

function result(rows: readonly CompletionRow[], complete: boolean): ExperimentResult<CompletionRow> {
  const markdown = markdownTable<CompletionRow>(
    [
      { key: 'rule', title: 'Hebbian rule' },
      { key: 'neurons', title: 'neurons' },
      { key: 'memoryFloats', title: 'memory floats' },
      { key: 'steps', title: 'steps' },
      { key: 'errorFrac', title: 'error fraction', format: fixed(4) },
    ],
    rows,
  );
  return { rows, markdown, complete };
}
