// The EBMM Table 1 experiment: error bits of binary recall at one float budget for a list of models
// and set sizes, learned models meta-trained per set size. Engine layer; runs in the kernel, the
// CLI and scripts, reporting progress through a callback.
import { findModel } from '../models/registry';
import { resolveRunSpec } from './run-spec';
import type { RecordedRun, RunRecording } from './experiment-table';
import { evaluate, instantiate, memorySnapshot, train, type RunSink } from './trainer';

/** One row of the table: a registered model with its settings. */
export interface CapacityEntry {
  /** Row id; rows whose id is a key of `paperTable1` show the paper's numbers beside their own. */
  readonly id: string;
  readonly label: string;
  /** Registry id of the model. */
  readonly model: string;
  /** Model settings; `budgetFloats`, where the model has that field, defaults to the table's budget. */
  readonly modelConfig?: Readonly<Record<string, unknown>>;
  /** Trainer settings by field name (steps, batchSize, learningRate, …) for learned models. */
  readonly training?: Readonly<Record<string, unknown>>;
}

/** EBMM Table 1 (Bartunov et al. 2020, workshop Table 1; reference §10.7): error bits out of 128 at 8 256 floats. */
export const paperTable1: Readonly<Record<string, { readonly label: string; readonly errorBits: readonly number[] }>> = {
  'hopfield-hebb': { label: 'Hopfield network, Hebb rule', errorBits: [0.4, 5.0, 9.8, 13.0, 16.5] },
  'hopfield-storkey': { label: 'Hopfield network, Storkey rule', errorBits: [0.0, 0.9, 6.3, 11.3, 17.1] },
  'hopfield-pinv': { label: 'Hopfield network, pseudo-inverse rule', errorBits: [0.0, 0.0, 0.3, 4.3, 22.5] },
  plasticity: { label: 'Differentiable Plasticity', errorBits: [3.0, 13.2, 20.8, 26.3, 34.9] },
  mann: { label: 'MANN', errorBits: [0.1, 0.2, 1.8, 4.25, 9.6] },
  lstm: { label: 'LSTM', errorBits: [30, 58, 63, 64, 64] },
  'slot-memory': { label: 'Memory Networks', errorBits: [0.0, 0.0, 0.0, 0.0, 10.5] },
  ebmm: { label: 'EBMM (gated RNN energy)', errorBits: [0.0, 0.0, 0.1, 0.5, 4.2] },
};

/** The set sizes of the paper's columns. */
export const paperSetSizes: readonly number[] = [16, 32, 48, 64, 96];

/**
 * The rows the table runs by default. The paper trained for up to 2·10⁶ steps; slot memory with tied
 * embeddings reaches the paper's row in 300 steps (0 error bits up to N = 64, about 10 at N = 96).
 */
export const defaultCapacityEntries: readonly CapacityEntry[] = [
  { id: 'hopfield-hebb', label: 'Hopfield, Hebb', model: 'hopfield', modelConfig: { rule: 'hebb' } },
  { id: 'hopfield-storkey', label: 'Hopfield, Storkey', model: 'hopfield', modelConfig: { rule: 'storkey' } },
  { id: 'hopfield-pinv', label: 'Hopfield, pseudo-inverse', model: 'hopfield', modelConfig: { rule: 'pinv' } },
  { id: 'modern-hopfield', label: 'Modern Hopfield (truncated to budget)', model: 'modern-hopfield', modelConfig: { beta: 1 } },
  {
    id: 'slot-memory',
    label: 'Slot memory (MemN2N)',
    model: 'slot-memory',
    training: { steps: 300, batchSize: 16, learningRate: 3e-3 },
  },
  { id: 'kanerva-machine', label: 'Kanerva machine', model: 'kanerva-machine', training: { steps: 300, batchSize: 16 } },
  // At the budget's H = 4 128 the LSTM has ~70M parameters, beyond a CPU; its smaller self is honest
  // about what writing by reading in sequence does (the paper's LSTM row is at chance from N = 48).
  { id: 'lstm', label: 'LSTM (H = 128: 256 floats)', model: 'lstm', modelConfig: { hiddenSize: 128 }, training: { steps: 300, batchSize: 16 } },
];

export interface CapacityTableOptions {
  readonly entries?: readonly CapacityEntry[];
  readonly setSizes?: readonly number[];
  /** binary-recall settings: pattern width and corruption (default: 128 bits, erase 64). */
  readonly dim?: number;
  readonly corruption?: 'erase' | 'randomise' | 'flip';
  readonly corruptBits?: number;
  readonly flipProb?: number;
  /** Float budget given to every model that has a `budgetFloats` field. */
  readonly budgetFloats?: number;
  /** Held-out episodes per cell (the same episodes for every row: they depend only on the seed). */
  readonly episodes?: number;
  readonly evalBatchSize?: number;
  readonly seed?: number;
  readonly onProgress?: (progress: CapacityProgress) => void;
  /** Checked between cells and at every training step; true stops the table early. */
  readonly shouldStop?: () => boolean;
  /** Records each cell as a run (trained, or evaluated only); without it cells are measured, not kept. */
  readonly record?: RunRecording;
}

/** Where the table is: the cell being worked on, and the training step within it. */
export interface CapacityProgress {
  readonly entry: string;
  readonly setSize: number;
  readonly cell: number;
  readonly cells: number;
  readonly phase: 'train' | 'evaluate' | 'done';
  readonly step?: number;
  readonly steps?: number;
}

/** One cell: the mean error bits, or why there is none. */
export interface CapacityCell {
  readonly setSize: number;
  readonly errorBits: number | null;
  readonly memoryFloats: number | null;
  readonly trainSteps: number;
  readonly seconds: number;
  readonly error?: string;
}

export interface CapacityRow {
  readonly entry: CapacityEntry;
  readonly cells: readonly CapacityCell[];
}

export interface CapacityTable {
  readonly protocol: {
    readonly dim: number;
    readonly corruption: string;
    readonly corruptBits: number;
    readonly flipProb: number;
    readonly budgetFloats: number;
    readonly episodes: number;
    readonly seed: number;
    readonly setSizes: readonly number[];
  };
  readonly rows: readonly CapacityRow[];
  readonly stopped: boolean;
  readonly markdown: string;
}

/** Runs the table: every entry at every set size, trained first where it learns and asks for steps. */
export async function capacityTable(options: CapacityTableOptions = {}): Promise<CapacityTable> {
  const entries = options.entries ?? defaultCapacityEntries;
  const protocol = {
    dim: options.dim ?? 128,
    corruption: options.corruption ?? 'erase',
    corruptBits: options.corruptBits ?? 64,
    flipProb: options.flipProb ?? 0.2,
    budgetFloats: options.budgetFloats ?? 8256,
    episodes: options.episodes ?? 64,
    seed: options.seed ?? 0,
    setSizes: options.setSizes ?? paperSetSizes,
  };
  const evalBatchSize = options.evalBatchSize ?? 16;
  const shouldStop = options.shouldStop ?? (() => false);
  const cells = entries.length * protocol.setSizes.length;
  const rows: CapacityRow[] = [];
  let cell = 0;
  let stopped = false;
  for (const entry of entries) {
    const rowCells: CapacityCell[] = [];
    for (const setSize of protocol.setSizes) {
      if (shouldStop()) {
        stopped = true;
        break;
      }
      cell += 1;
      const report = (phase: CapacityProgress['phase'], step?: number, steps?: number) =>
        options.onProgress?.({ entry: entry.id, setSize, cell, cells, phase, ...(step !== undefined ? { step, steps } : {}) });
      rowCells.push(await runCell(entry, setSize, protocol, evalBatchSize, report, shouldStop, options.record));
      report('done');
    }
    rows.push({ entry, cells: rowCells });
    if (stopped) break;
  }
  const table = { protocol, rows, stopped };
  return { ...table, markdown: renderCapacityMarkdown(table) };
}

async function runCell(
  entry: CapacityEntry,
  setSize: number,
  protocol: CapacityTable['protocol'],
  evalBatchSize: number,
  report: (phase: CapacityProgress['phase'], step?: number, steps?: number) => void,
  shouldStop: () => boolean,
  record: RunRecording | undefined,
): Promise<CapacityCell> {
  const startedMs = Date.now();
  const seconds = () => (Date.now() - startedMs) / 1000;
  let instance: ReturnType<typeof instantiate> | null = null;
  let trainSteps = 0;
  // The cell's recorded run until it has ended: a cell that throws after opening it ends it as FAILED.
  let open: RecordedRun | undefined;
  try {
    const descriptor = findModel(entry.model);
    const modelConfig: Record<string, unknown> = { ...(entry.modelConfig ?? {}) };
    if ('budgetFloats' in descriptor.fields && !('budgetFloats' in modelConfig)) modelConfig.budgetFloats = protocol.budgetFloats;
    const set: Record<string, unknown> = {
      'task.dim': protocol.dim,
      'task.setSize': setSize,
      'task.corruption': protocol.corruption,
      'task.corruptBits': protocol.corruptBits,
      'task.flipProb': protocol.flipProb,
    };
    for (const [k, v] of Object.entries(modelConfig)) set[`model.${k}`] = v;
    const training = descriptor.learned ? { steps: 0, ...(entry.training ?? {}) } : { steps: 0 };
    for (const [k, v] of Object.entries(training)) set[`training.${k}`] = v;
    set['training.evalEvery'] = 0;
    set['training.evalEpisodes'] = protocol.episodes;
    const spec = resolveRunSpec({ model: entry.model, task: 'binary-recall', set, seed: protocol.seed });
    instance = instantiate(spec);
    const recorded = record?.({ spec, instance });
    open = recorded;
    let metrics: Record<string, number>;
    if (spec.training.steps > 0) {
      const sink: RunSink = {
        metrics: (points) => recorded?.sink.metrics(points),
        snapshot: (snapshot) => recorded?.sink.snapshot(snapshot),
        progress: (step, steps) => {
          recorded?.sink.progress(step, steps);
          report('train', step, steps);
        },
        shouldStop,
      };
      const outcome = await train(spec, instance, sink);
      open = undefined;
      recorded?.end(outcome);
      trainSteps = outcome.step;
      if (outcome.status === 'FAILED') throw new Error(outcome.error);
      metrics = outcome.metrics;
    } else {
      report('evaluate');
      metrics = evaluate(instance, { episodes: protocol.episodes, seed: protocol.seed, batchSize: evalBatchSize });
      const now = Date.now();
      recorded?.sink.metrics(Object.entries(metrics).map(([key, value]) => ({ key, step: 0, value, wallTimeMs: now })));
      recorded?.sink.snapshot({ step: 0, kind: 'memory', tensors: memorySnapshot(instance, protocol.seed) });
      open = undefined;
      recorded?.end({ status: 'FINISHED', step: 0, metrics });
    }
    const errorBits = metrics.error_bits;
    if (errorBits === undefined) throw new Error('the evaluation returned no error_bits');
    return { setSize, errorBits, memoryFloats: instance.memoryFloats, trainSteps, seconds: seconds() };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    open?.end({ status: 'FAILED', step: trainSteps, metrics: {}, error });
    return { setSize, errorBits: null, memoryFloats: instance?.memoryFloats ?? null, trainSteps, seconds: seconds(), error };
  } finally {
    instance?.model.dispose();
  }
}

/** The table as Markdown: one row per entry, "ours (paper)" where the paper has the row and column. */
export function renderCapacityMarkdown(table: Omit<CapacityTable, 'markdown'>): string {
  const { protocol, rows } = table;
  const corruption =
    protocol.corruption === 'flip' ? `flip p = ${protocol.flipProb}` : `${protocol.corruption} ${protocol.corruptBits}`;
  const lines = [
    `Error bits out of ${protocol.dim} (mean over ${protocol.episodes} held-out episodes, seed ${protocol.seed}); ` +
      `queries: ${corruption}; budget ${protocol.budgetFloats} floats.${protocol.dim === 128 ? ' In parentheses: EBMM Table 1.' : ''}`,
    '',
    `| model | memory floats | ${protocol.setSizes.join(' | ')} | train steps | seconds |`,
    `|---|---|${protocol.setSizes.map(() => '---').join('|')}|---|---|`,
  ];
  for (const { entry, cells } of rows) {
    const paper = paperTable1[entry.id];
    const floats = [...new Set(cells.map((c) => c.memoryFloats).filter((f) => f !== null))].join(' / ') || '—';
    const values = protocol.setSizes.map((n) => {
      const c = cells.find((x) => x.setSize === n);
      if (!c) return '';
      const ours = c.errorBits === null ? 'failed' : c.errorBits.toFixed(1);
      const column = paperSetSizes.indexOf(n);
      const theirs = paper && column >= 0 && protocol.dim === 128 ? ` (${paper.errorBits[column]})` : '';
      return ours + theirs;
    });
    const steps = [...new Set(cells.map((c) => c.trainSteps))].join(' / ');
    const secs = cells.reduce((s, c) => s + c.seconds, 0).toFixed(1);
    lines.push(`| ${entry.label} | ${floats} | ${values.join(' | ')} | ${steps} | ${secs} |`);
  }
  const failures = rows.flatMap(({ entry, cells }) => cells.filter((c) => c.error).map((c) => `- ${entry.label}, N = ${c.setSize}: ${c.error}`));
  if (failures.length) lines.push('', 'Failed cells:', ...failures);
  return lines.join('\n');
}
