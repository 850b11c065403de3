// The space experiment of the Neural Bloom Filter paper (Rae et al. 2019, §5.2, Fig. 2; Engram
// reference §19.5): total bits a neural Bloom filter and a classical one need for a target false-positive
// rate, on MNIST sets drawn by class, non-uniformly or uniformly. Also the classical filter's check
// against its formula. Engine layer; runs in the kernel, the CLI and scripts.
import { resolveConfig } from '../core/config';
import { runEpisode } from '../core/episode';
import type { MemoryModel, Task } from '../core/memory-model';
import { deriveSeed, Rng } from '../core/random';
import { disposeEpisode, disposeRead, disposeState } from '../core/tensors';
import {
  BloomBits,
  BloomFilter,
  bloomBitsPerItem,
  bloomFalsePositiveRate,
  bloomFilter,
  BloomHashes,
  optimalHashes,
  type BloomFilterConfig,
} from '../models/bloom-filter';
import { calibrateThreshold, type NeuralBloomFilter } from '../models/neural-bloom-filter';
import { SetMembership, setMembership, totalBits, type Sampler, type SetMembershipConfig } from '../tasks/set-membership';
import {
  fixed,
  markdownTable,
  scoped,
  trainToEnd,
  type ExperimentControl,
  type ExperimentResult,
} from './experiment-table';

export interface BloomSpaceOptions extends ExperimentControl {
  readonly samplers?: readonly Sampler[];
  readonly setSizes?: readonly number[];
  /** Overall false-positive rate α; the neural filter is calibrated to α/2 and backed by a filter at α/2. */
  readonly targetFpr?: number;
  /** Neural Bloom Filter settings (slots, wordSize, keySize, hiddenSize). */
  readonly modelConfig?: Readonly<Record<string, unknown>>;
  readonly steps?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  /** Queries per training episode (half members). */
  readonly trainQueries?: number;
  /** Held-out episodes for the threshold, and for the measurement (each with `evalQueries` queries). */
  readonly calibrationEpisodes?: number;
  readonly evalEpisodes?: number;
  readonly evalQueries?: number;
  readonly seed?: number;
}

export interface BloomSpaceRow {
  readonly sampler: Sampler;
  readonly setSize: number;
  readonly model: 'neural-bloom-filter' | 'bloom-filter';
  /** Bits of the model's state (32 per float for the neural filter, m for the classical one). */
  readonly stateBits: number;
  readonly fpr: number;
  readonly fnr: number;
  /** State plus the backup filter for false negatives. */
  readonly totalBits: number;
  readonly bitsPerItem: number;
  /** Non-member queries the FPR was measured on. */
  readonly queries: number;
}

/**
 * For every sampler and set size: meta-trains a neural Bloom filter, calibrates its threshold to
 * FPR α/2 on held-out episodes, then measures FPR, FNR and total bits on other held-out episodes,
 * beside a classical Bloom filter sized for α on the very same episodes. The defaults (class-based
 * and uniform sets of 50 and 100, 1,500 steps each) take ~12 minutes on wasm.
 */
export async function bloomSpaceTable(options: BloomSpaceOptions = {}): Promise<ExperimentResult<BloomSpaceRow>> {
  const samplers = options.samplers ?? ['class-based', 'uniform'];
  const setSizes = options.setSizes ?? [50, 100];
  const alpha = options.targetFpr ?? 0.01;
  const steps = options.steps ?? 1500;
  const seed = options.seed ?? 0;
  const total = samplers.length * setSizes.length * steps;
  const rows: BloomSpaceRow[] = [];
  let done = 0;
  for (const sampler of samplers) {
    for (const n of setSizes) {
      const label = `neural Bloom filter, ${sampler}, n = ${n}`;
      const taskConfig = { sampler, setSize: n, targetFpr: alpha };
      const run = await trainToEnd(
        {
          model: 'neural-bloom-filter',
          task: 'set-membership',
          set: {
            ...scoped('model', options.modelConfig ?? {}),
            ...scoped('task', { ...taskConfig, queries: options.trainQueries ?? 32 }),
            steps,
            batchSize: options.batchSize ?? 16,
            learningRate: options.learningRate ?? 1e-3,
            evalEvery: 0,
            evalEpisodes: 4,
          },
          seed,
        },
        (step) => options.onProgress?.({ done: done + step, total, label }),
        options,
      );
      if (!run) return result(rows, alpha, false);
      done += steps;
      const evalConfig = { ...run.spec.taskConfig, queries: options.evalQueries ?? 100 };
      const evalTask = new SetMembership(resolveConfig('task set-membership', setMembership.fields, evalConfig) as SetMembershipConfig);
      const neural = run.instance.model as NeuralBloomFilter;
      calibrateThreshold(neural, evalTask, {
        rng: new Rng(deriveSeed(seed, 'calibrate')),
        fpr: alpha / 2,
        episodes: options.calibrationEpisodes ?? 500,
        batchSize: 50,
      });
      const classicalConfig = resolveConfig('model bloom-filter', bloomFilter.fields, { bitsPerItem: bloomBitsPerItem(alpha) });
      const classical = new BloomFilter(classicalConfig as BloomFilterConfig, evalTask.spec, new Rng(deriveSeed(seed, 'hashes')));
      const measured = measure([neural, classical], evalTask, {
        rng: new Rng(deriveSeed(seed, 'measure')),
        episodes: options.evalEpisodes ?? 1000,
        setSize: n,
        targetFpr: alpha,
      });
      measured.forEach((m, i) => rows.push({ sampler, setSize: n, model: i === 0 ? 'neural-bloom-filter' : 'bloom-filter', ...m }));
      run.report({ test_fpr: measured[0]!.fpr, test_fnr: measured[0]!.fnr, test_total_bits: measured[0]!.totalBits });
      neural.dispose();
    }
  }
  return result(rows, alpha, true);
}

/** FPR, FNR and space of several models on the same held-out episodes, pooled over every query. */
function measure(
  models: readonly MemoryModel[],
  task: Task,
  options: { rng: Rng; episodes: number; setSize: number; targetFpr: number },
): Omit<BloomSpaceRow, 'sampler' | 'setSize' | 'model'>[] {
  const counts = models.map(() => ({ falsePositives: 0, falseNegatives: 0 }));
  let negatives = 0;
  let positives = 0;
  for (let done = 0; done < options.episodes; done += 50) {
    const episode = task.sample(options.rng, Math.min(50, options.episodes - done), 'test');
    const member = episode.targets.dataSync();
    for (const t of member) {
      if (t === 1) positives++;
      else negatives++;
    }
    models.forEach((model, i) => {
      const { state, read } = runEpisode(model, episode);
      const said = read.retrieved.dataSync();
      member.forEach((t, j) => {
        if (t === 0 && said[j]! > 0) counts[i]!.falsePositives++;
        if (t === 1 && said[j]! <= 0) counts[i]!.falseNegatives++;
      });
      disposeState(state);
      disposeRead(read);
    });
    disposeEpisode(episode);
  }
  return models.map((model, i) => {
    const fnr = counts[i]!.falseNegatives / positives;
    const bits = totalBits(model, fnr, options.setSize, options.targetFpr);
    return {
      stateBits: model.memoryBits ? model.memoryBits() : 32 * model.memoryFloats(),
      fpr: counts[i]!.falsePositives / negatives,
      fnr,
      totalBits: bits,
      bitsPerItem: bits / options.setSize,
      queries: negatives,
    };
  });
}

function result(rows: readonly BloomSpaceRow[], alpha: number, complete: boolean): ExperimentResult<BloomSpaceRow> {
  const markdown = markdownTable<BloomSpaceRow>(
    [
      { key: 'sampler', title: 'sampler' },
      { key: 'setSize', title: 'n' },
      { key: 'model', title: 'model' },
      { key: 'stateBits', title: 'state bits', format: fixed(0) },
      { key: 'fpr', title: 'FPR', format: fixed(4) },
      { key: 'fnr', title: 'FNR', format: fixed(4) },
      { key: 'totalBits', title: `total bits at α = ${alpha}`, format: fixed(0) },
      { key: 'bitsPerItem', title: 'bits / item', format: fixed(2) },
      { key: 'queries', title: 'non-member queries' },
    ],
    rows,
  );
  return { rows, markdown, complete };
}

export interface BloomFormulaRow {
  readonly bitsPerItem: number;
  readonly hashes: number;
  readonly measuredFpr: number;
  readonly formulaFpr: number;
  readonly relativeError: number;
  readonly queries: number;
}

/**
 * The classical filter against its formula: measured FPR over `filters` filters of n random 12-byte
 * keys, each queried with `queriesPerFilter` fresh keys, beside (1 − e^(−kn/m))^k. Pure JavaScript.
 */
export function bloomFormulaTable(
  options: { bitsPerItem?: readonly number[]; n?: number; filters?: number; queriesPerFilter?: number; seed?: number } = {},
): ExperimentResult<BloomFormulaRow> {
  const n = options.n ?? 2000;
  const filters = options.filters ?? 50;
  const perFilter = options.queriesPerFilter ?? 20000;
  const rows = (options.bitsPerItem ?? [6, 10, 14]).map((ratio) => {
    const rng = new Rng(deriveSeed(options.seed ?? 0, `bloom ${ratio}`));
    const key = () => Uint8Array.from({ length: 12 }, () => rng.int(256));
    const m = Math.round(ratio * n);
    const k = optimalHashes(ratio);
    let falsePositives = 0;
    for (let f = 0; f < filters; f++) {
      const filter = new BloomBits(new BloomHashes(m, k, [rng.nextUint32(), rng.nextUint32()]));
      for (let i = 0; i < n; i++) filter.add(key());
      for (let j = 0; j < perFilter; j++) if (filter.has(key())) falsePositives++;
    }
    const measuredFpr = falsePositives / (filters * perFilter);
    const formulaFpr = bloomFalsePositiveRate(m, n, k);
    return { bitsPerItem: ratio, hashes: k, measuredFpr, formulaFpr, relativeError: measuredFpr / formulaFpr - 1, queries: filters * perFilter };
  });
  const markdown = markdownTable<BloomFormulaRow>(
    [
      { key: 'bitsPerItem', title: 'm/n' },
      { key: 'hashes', title: 'k' },
      { key: 'measuredFpr', title: 'measured FPR', format: fixed(5) },
      { key: 'formulaFpr', title: '(1 − e^(−kn/m))^k', format: fixed(5) },
      { key: 'relativeError', title: 'relative difference', format: (v) => `${((v as number) * 100).toFixed(1)} %` },
      { key: 'queries', title: 'queries' },
    ],
    rows,
  );
  return { rows, markdown, complete: true };
}
