// The associative-recall experiment of Ba et al. 2016 (Table 1; Engram reference §19.4): test error of
// fast weights (S = 1 and the S = 0 control) and of an LSTM of the same hidden size, for several
// numbers of pairs K, each trained with the same budget. Engine layer; runs in the kernel, the CLI and
// scripts, reporting progress through a callback.
import { evaluate } from './trainer';
import { fixed, markdownTable, scoped, trainToEnd, type ExperimentControl, type ExperimentResult } from './experiment-table';

/** One trained configuration: a registered recurrent model with its settings (hiddenSize comes from the table). */
export interface RecallEntry {
  readonly label: string;
  readonly model: string;
  readonly modelConfig?: Readonly<Record<string, unknown>>;
}

export const defaultRecallEntries: readonly RecallEntry[] = [
  { label: 'fast weights, S = 1', model: 'fast-weights', modelConfig: { innerSteps: 1 } },
  { label: 'fast weights, S = 0 (no fast weights)', model: 'fast-weights', modelConfig: { innerSteps: 0 } },
  { label: 'LSTM', model: 'lstm' },
];

export interface RecallTableOptions extends ExperimentControl {
  /** Numbers of key–value pairs K (columns of the comparison). */
  readonly pairs?: readonly number[];
  /** Hidden size R shared by every entry (Ba et al.: 20, 50, 100). */
  readonly hiddenSize?: number;
  readonly entries?: readonly RecallEntry[];
  /** Training steps, episodes per step and Adam's learning rate, the same for every entry. */
  readonly steps?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  /** Held-out test sequences per cell (each asks all K keys). */
  readonly testEpisodes?: number;
  readonly seed?: number;
}

export interface RecallRow {
  readonly pairs: number;
  readonly entry: string;
  readonly hiddenSize: number;
  readonly memoryFloats: number;
  readonly steps: number;
  readonly accuracy: number;
  readonly errorPct: number;
}

/**
 * Trains and tests every entry at every K. Every sequence is trained and tested with all K of its keys
 * as queries — K independent continuations of one written sequence, so K samples of the paper's
 * task for the price of one write. The defaults (K = 2, 4, 6; R = 50; 8,000 steps of 32 sequences at
 * lr 2e-3) took 35 minutes on the wasm backend of a shared 2-core machine.
 */
export async function fastWeightsRecallTable(options: RecallTableOptions = {}): Promise<ExperimentResult<RecallRow>> {
  const pairs = options.pairs ?? [2, 4, 6];
  const entries = options.entries ?? defaultRecallEntries;
  const hiddenSize = options.hiddenSize ?? 50;
  const steps = options.steps ?? 8000;
  const seed = options.seed ?? 0;
  const total = pairs.length * entries.length * steps;
  const rows: RecallRow[] = [];
  let done = 0;
  for (const K of pairs) {
    for (const entry of entries) {
      const label = `${entry.label}, K = ${K}`;
      const run = await trainToEnd(
        {
          model: entry.model,
          task: 'associative-recall',
          set: {
            ...scoped('model', { ...entry.modelConfig, hiddenSize }),
            'task.pairs': K,
            'task.queries': K,
            steps,
            batchSize: options.batchSize ?? 32,
            learningRate: options.learningRate ?? 2e-3,
            evalEvery: 0,
            evalEpisodes: 8,
          },
          seed,
        },
        (step) => options.onProgress?.({ done: done + step, total, label }),
        options,
      );
      if (!run) return result(rows, false);
      const metrics = evaluate(run.instance, { episodes: options.testEpisodes ?? 1000, seed, batchSize: 250 });
      rows.push({
        pairs: K,
        entry: entry.label,
        hiddenSize,
        memoryFloats: run.instance.memoryFloats,
        steps,
        accuracy: metrics.accuracy!,
        errorPct: metrics.error_pct!,
      });
      run.report({ test_accuracy: metrics.accuracy!, test_error_pct: metrics.error_pct! });
      run.instance.model.dispose();
      done += steps;
    }
  }
  return result(rows, true);
}

function result(rows: readonly RecallRow[], complete: boolean): ExperimentResult<RecallRow> {
  const markdown = markdownTable<RecallRow>(
    [
      { key: 'pairs', title: 'K' },
      { key: 'entry', title: 'model' },
      { key: 'hiddenSize', title: 'R' },
      { key: 'memoryFloats', title: 'memory floats' },
      { key: 'steps', title: 'steps' },
      { key: 'errorPct', title: 'test error %', format: fixed(2) },
    ],
    rows,
  );
  return { rows, markdown, complete };
}
