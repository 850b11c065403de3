// Every experiment Engram can rerun by name (`engram experiment NAME`): the papers' reference
// measurements, each with defaults that reproduce the table in the README. Engine layer; runs in the
// CLI and scripts.
import { bloomFormulaTable, bloomSpaceTable } from './bloom-space';
import { capacityTable, defaultCapacityEntries } from './capacity-table';
import { cpuBinaryEbmm, ebmmBinaryTable, ebmmImageTable, ebmmThroughputTable, type BinaryTableOptions } from './ebmm-experiments';
import type { ExperimentControl, ExperimentResult } from './experiment-table';
import { fastWeightsRecallTable } from './fast-weights-recall';
import { dynamicKanervaReadTable, kanervaAblationTable } from './kanerva-experiments';
import { plasticityCompletionTable } from './plasticity-completion';

/** Options an experiment takes from the command line (`--option key=value`), typed loosely. */
export type ExperimentOptions = Record<string, unknown>;

export interface Experiment {
  /** One line: what it measures, against what. */
  readonly summary: string;
  /** The options it takes; any other name is refused (a typo must not be silently ignored). */
  readonly options: readonly string[];
  /** Those of its options that take a list: one value given on the command line is a list of one. */
  readonly lists?: readonly string[];
  /** The issue or paper claim it checks. */
  readonly run: (options: ExperimentOptions, control: ExperimentControl) => Promise<ExperimentResult<unknown>>;
}

/** The options among `keys` that were given; the defaults they would override stay where none was. */
function given(options: ExperimentOptions, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => options[key] !== undefined).map((key) => [key, options[key]]));
}

/** EBMM's model and training settings that `experiment ebmm-binary` lets a user change. */
const ebmmModelOptions = ['hidden', 'hops', 'writeSteps', 'readSteps', 'writeRates'];
const ebmmTrainingOptions = ['learningRate', 'learningRateSchedule', 'batchSize', 'clipNorm'];

export const experiments: Readonly<Record<string, Experiment>> = {
  capacity: {
    summary: 'EBMM Table 1: error bits vs set size (16…96) at 8,256 floats for the Hopfield rules, modern Hopfield and slot memory',
    options: ['setSizes', 'dim', 'corruption', 'corruptBits', 'flipProb', 'budgetFloats', 'episodes', 'seed', 'steps', 'read'],
    lists: ['setSizes'],
    run: async ({ steps, read, ...options }, control) => {
      // `steps` sets every learned row's training; `read` every Hopfield row's schedule.
      const entries = defaultCapacityEntries.map((e) => ({
        ...e,
        ...(e.training && steps !== undefined ? { training: { ...e.training, steps } } : {}),
        ...(e.model === 'hopfield' && read !== undefined ? { modelConfig: { ...e.modelConfig, read } } : {}),
      }));
      const table = await capacityTable({
        ...options,
        entries,
        ...(control.shouldStop ? { shouldStop: control.shouldStop } : {}),
        ...(control.record ? { record: control.record } : {}),
        onProgress: (p) =>
          control.onProgress?.({ done: p.cell - (p.phase === 'done' ? 0 : 1), total: p.cells, label: `${p.entry}, N = ${p.setSize}${p.step ? `, step ${p.step}/${p.steps}` : ''}` }),
      });
      return { rows: table.rows, markdown: table.markdown, complete: !table.stopped };
    },
  },
  'bloom-formula': {
    summary: 'The classical Bloom filter: measured FPR vs (1 − e^(−kn/m))^k, and bits per element at 5 %, 1 %, 0.1 %',
    options: ['bitsPerItem', 'n', 'filters', 'queriesPerFilter', 'seed'],
    lists: ['bitsPerItem'],
    run: async (options) => bloomFormulaTable(options),
  },
  'bloom-space': {
    summary: 'Neural vs classical Bloom filter: total bits at 1 % FPR on class-based and uniform MNIST sets',
    options: ['samplers', 'setSizes', 'targetFpr', 'steps', 'batchSize', 'learningRate', 'trainQueries', 'calibrationEpisodes', 'evalEpisodes', 'evalQueries', 'seed'],
    lists: ['samplers', 'setSizes'],
    run: (options, control) => bloomSpaceTable({ ...options, ...control }),
  },
  'fast-weights': {
    summary: 'Associative recall: fast weights (S = 1, S = 0) vs an LSTM of the same hidden size, for several K',
    options: ['pairs', 'hiddenSize', 'steps', 'batchSize', 'learningRate', 'testEpisodes', 'seed'],
    lists: ['pairs'],
    run: (options, control) => fastWeightsRecallTable({ ...options, ...control }),
  },
  plasticity: {
    summary: 'Pattern completion: plastic recurrent networks (Hebbian decay, Oja) vs the same network without plasticity',
    options: ['rules', 'hiddenSize', 'readSteps', 'steps', 'batchSize', 'learningRate', 'testEpisodes', 'seed'],
    lists: ['rules'],
    run: (options, control) => plasticityCompletionTable({ ...options, ...control }),
  },
  kanerva: {
    summary: 'The Kanerva Machine vs its own encoder/decoder without memory, MNIST with a 14×14 block occluded',
    options: ['steps', 'episodes', 'noiseStd', 'seed'],
    run: (options, control) => kanervaAblationTable({ ...options, ...control }),
  },
  'dynamic-kanerva': {
    summary: "The dynamic Kanerva Machine's error after each attractor read iteration (MNIST, salt-and-pepper and block occlusion)",
    options: ['steps', 'episodes', 'iterations', 'trainIterations', 'storedWeight', 'corruptions', 'noiseStd', 'seed'],
    lists: ['corruptions'],
    run: (options, control) => dynamicKanervaReadTable({ ...options, ...control }),
  },
  'ebmm-binary': {
    summary: 'EBMM on binary recall at a fixed budget vs slot memory and the Hopfield rules, with its energy over read steps (128 bits, 8,256 floats, N = 96 unless dim, budgetFloats, setSizes)',
    options: ['setSizes', 'dim', 'corruptBits', 'budgetFloats', 'trainAt', 'steps', 'episodes', 'seed', ...ebmmModelOptions, ...ebmmTrainingOptions],
    lists: ['setSizes'],
    run: (options, control) =>
      ebmmBinaryTable({
        ...given(options, ['setSizes', 'budgetFloats', 'trainAt', 'steps', 'episodes', 'seed']),
        task: given(options, ['dim', 'corruptBits']) as BinaryTableOptions['task'],
        ebmm: {
          ...cpuBinaryEbmm,
          modelConfig: { ...cpuBinaryEbmm.modelConfig, ...given(options, ebmmModelOptions) },
          training: { ...cpuBinaryEbmm.training, ...given(options, ebmmTrainingOptions) },
        },
        ...control,
      }),
  },
  'ebmm-images': {
    summary: 'Distortion–rate on MNIST with block occlusion: EBMM (FC, conv) vs slot memory vs Kanerva machine at equal floats',
    options: ['budgets', 'steps', 'episodes', 'seed'],
    lists: ['budgets'],
    run: (options, control) => ebmmImageTable({ ...options, ...control }),
  },
  'ebmm-throughput': {
    summary: "EBMM's meta-training speed (episodes/s) on the chosen backend, with the exact and the first-order meta-gradient",
    options: ['setSize', 'warmupSteps', 'timedSteps', 'seed'],
    run: (options) => ebmmThroughputTable(options),
  },
};
