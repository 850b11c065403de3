/**
 * Set membership: write a set S, then answer "was this item written?" for members and non-members.
 * The task of the Neural Bloom Filter (Rae, Bartunov, Lillicrap, ICML 2019, §5 and App. E); Engram
 * reference §11 and §19.5–19.6. Engine layer; runs in the kernel, the CLI and tests (reads the
 * built-in MNIST digits through the dataset loader).
 *
 * Samplers of S (each from the split's own pool: MNIST's fixed train/test split, or the 90 % / 10 %
 * train/test parts of the string universe):
 *   - `class-based`: all of S from one random digit class; non-members from the other classes;
 *   - `non-uniform`: S drawn with p(i) ∝ 0.999^i over a fixed permutation of the pool (distinct items);
 *   - `uniform`:     S drawn uniformly from the pool; no structure to exploit;
 *   - `strings`:     a generated, sorted vocabulary of pseudo-words; S is a contiguous range of it
 *                    (an "SSTable"); items are one-hot characters (12 positions × 26 letters).
 * Queries: ⌊Q/2⌋ members drawn from S, the rest non-members drawn uniformly from the rest of the pool (the
 * paper queries the universe uniformly; conditioning on membership measures the same false-positive
 * rate with far fewer queries). Targets are 1 for members, 0 otherwise; reads are familiarity logits
 * and a logit > 0 means "member".
 *
 * Metrics and space accounting (NBF §5.1, App. B): `fpr` and `fnr` at the model's threshold; `bits`
 * is the model's state (memoryBits, or 32 bits per memory float) plus a backup Bloom filter holding
 * its false negatives, so that the whole structure never misses a member:
 *   bits = memoryBits + fnr · n · 1.44 log₂(2/α)        (the backup runs at FPR α/2, α = targetFpr)
 * A model with no false negatives (the classical filter) has no backup. A learned filter should be
 * calibrated to FPR α/2 (calibrateThreshold, models/neural-bloom-filter.ts), so that model and backup
 * together stay at α.
 */
import * as tf from '@tensorflow/tfjs';
import { choice, ConfigError, int, real, type ConfigOf } from '../core/config';
import {
  defineTask,
  type Episode,
  type MemoryModel,
  type ReadResult,
  type Split,
  type Task,
  type TaskSpec,
} from '../core/memory-model';
import { Rng } from '../core/random';
import { bloomBitsPerItem } from '../models/bloom-filter';
import { builtinMnist, imagePixels, splitDataset } from './datasets/image-dataset';

const fields = {
  sampler: choice(
    ['class-based', 'non-uniform', 'uniform', 'strings'] as const,
    'class-based',
    'how the stored set is drawn: one MNIST class, MNIST with p(i) ∝ 0.999^i, uniform MNIST, or a sorted range of strings',
  ),
  setSize: int(50, 'items stored per episode (n)', { min: 1, max: 4096 }),
  queries: int(32, 'queries per episode (Q): half members of the set, half non-members', { min: 2, max: 8192 }),
  targetFpr: real(0.01, 'overall false-positive rate α the space is accounted at (the backup filter runs at α/2)', {
    min: 1e-6,
    max: 0.5,
  }),
  vocabulary: int(20000, 'strings: size of the generated universe of words (90 % train, 10 % test)', {
    min: 100,
    max: 1000000,
  }),
};

export type SetMembershipConfig = ConfigOf<typeof fields>;
export type Sampler = SetMembershipConfig['sampler'];

/** Letters per string item, and the item width: one one-hot letter per position, zeros past the end. */
export const STRING_LENGTH = 12;
const ALPHABET = 26;

/** A split's pool of items: their vectors, a fixed ranking for the non-uniform sampler, and MNIST classes. */
interface Pool {
  readonly width: number;
  readonly count: number;
  vector(index: number): Float32Array;
  /** Pool indices in the fixed order of p(i) ∝ 0.999^i. */
  readonly ranking: readonly number[];
  readonly labels?: Uint8Array;
  /** Pool indices of every class. */
  readonly byClass?: readonly (readonly number[])[];
}

// The pools are fixed: built once per process from fixed seeds, shared by every task instance.
const mnistPools = new Map<Split, Pool>();
const stringPools = new Map<string, Pool>();

function mnistPool(split: Split): Pool {
  let pool = mnistPools.get(split);
  if (!pool) {
    const ds = builtinMnist();
    const indices = splitDataset(ds)[split];
    const labels = Uint8Array.from(indices, (i) => ds.labels[i]!);
    const byClass = Array.from({ length: ds.classes }, () => [] as number[]);
    labels.forEach((c, i) => byClass[c]!.push(i));
    pool = {
      width: ds.height * ds.width,
      count: indices.length,
      vector: (i) => imagePixels(ds, indices[i]!),
      ranking: new Rng(0x9e0).permutation(indices.length),
      labels,
      byClass,
    };
    mnistPools.set(split, pool);
  }
  return pool;
}

/**
 * A universe of distinct pseudo-words from a syllable grammar (onset, vowel, optional coda; 2–4
 * syllables), sorted. Fixed for a given size: a constant seed, not the run's.
 */
export function generateVocabulary(size: number): string[] {
  const onsets = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'st', 'tr', 'pl'];
  const vowels = ['a', 'e', 'i', 'o', 'u', 'y'];
  const codas = ['', '', '', 'n', 'r', 's', 'l', 'x'];
  const rng = new Rng(0x5eed);
  const words = new Set<string>();
  while (words.size < size) {
    const syllables = 2 + rng.int(3);
    let word = '';
    for (let s = 0; s < syllables; s++) {
      word += onsets[rng.int(onsets.length)]! + vowels[rng.int(vowels.length)]! + codas[rng.int(codas.length)]!;
    }
    if (word.length <= STRING_LENGTH) words.add(word);
  }
  return [...words].sort();
}

function stringPool(vocabulary: number, split: Split): Pool {
  const key = `${vocabulary}/${split}`;
  let pool = stringPools.get(key);
  if (!pool) {
    // Every tenth word of a fixed shuffle is a test word; both halves stay sorted.
    const words = generateVocabulary(vocabulary);
    const isTest = new Rng(0x7e57).permutation(words.length).map((p) => p % 10 === 0);
    const chosen = words.filter((_, i) => isTest[i] === (split === 'test'));
    const width = STRING_LENGTH * ALPHABET;
    const vectors = new Float32Array(chosen.length * width);
    chosen.forEach((w, i) => {
      for (let c = 0; c < w.length; c++) vectors[i * width + c * ALPHABET + (w.charCodeAt(c) - 97)] = 1;
    });
    pool = {
      width,
      count: chosen.length,
      vector: (i) => vectors.subarray(i * width, (i + 1) * width),
      ranking: new Rng(0x9e0).permutation(chosen.length),
    };
    stringPools.set(key, pool);
  }
  return pool;
}

/** The words of a split's string pool, in sorted order (for display and tests). */
export function stringPoolWords(vocabulary: number, split: Split): string[] {
  const pool = stringPool(vocabulary, split);
  return Array.from({ length: pool.count }, (_, i) => {
    const v = pool.vector(i);
    let word = '';
    for (let c = 0; c < STRING_LENGTH; c++) {
      const letter = v.subarray(c * ALPHABET, (c + 1) * ALPHABET).indexOf(1);
      if (letter < 0) break;
      word += String.fromCharCode(97 + letter);
    }
    return word;
  });
}

/** One episode's set and queries as pool indices, with the membership of every query. */
export interface MembershipDraw {
  readonly set: readonly number[];
  readonly queries: readonly number[];
  readonly isMember: readonly boolean[];
}

export class SetMembership implements Task {
  readonly id = 'set-membership';
  readonly spec: TaskSpec;
  readonly metrics = [
    { name: 'fpr', goal: 'min', description: 'fraction of non-member queries answered "member"' },
    { name: 'fnr', goal: 'min', description: 'fraction of member queries answered "not a member" (before the backup filter)' },
    { name: 'bits', goal: 'min', description: 'total space in bits: model state plus the backup Bloom filter for its false negatives' },
  ] as const;
  private readonly mnist: boolean;

  constructor(readonly config: SetMembershipConfig) {
    this.mnist = config.sampler !== 'strings';
    const owner = 'task set-membership';
    // The test pools are the smaller ones; a set must leave room for non-members.
    const limit = this.mnist ? this.largestSet(mnistPool('test')) : Math.floor(stringPool(config.vocabulary, 'test').count / 2);
    if (config.setSize > limit) {
      throw new ConfigError(owner, 'setSize', config.setSize, `an integer ≤ ${limit} for the ${config.sampler} sampler's test pool`);
    }
    this.spec = {
      inputDim: this.mnist ? 28 * 28 : STRING_LENGTH * ALPHABET,
      outputDim: 1,
      output: 'familiarity',
      autoassociative: false,
      sequential: false,
      setSize: config.setSize,
      queries: config.queries,
      ...(this.mnist ? { image: { height: 28, width: 28, channels: 1 } } : {}),
    };
  }

  private largestSet(pool: Pool): number {
    if (this.config.sampler !== 'class-based') return Math.floor(pool.count / 2);
    return Math.min(...pool.byClass!.map((members) => members.length));
  }

  private pool(split: Split): Pool {
    return this.mnist ? mnistPool(split) : stringPool(this.config.vocabulary, split);
  }

  /** Draws one episode's set and queries, as indices into the split's pool. */
  draw(rng: Rng, split: Split): MembershipDraw {
    const pool = this.pool(split);
    const { setSize: n, queries: q } = this.config;
    const set = this.drawSet(rng, pool);
    const inSet = new Set(set);
    const members = Math.floor(q / 2);
    // Class-based non-members come from the other classes (NBF App. E), the rest from anywhere outside S.
    const setClass = this.config.sampler === 'class-based' ? pool.labels![set[0]!]! : null;
    const outside = (): number => {
      for (;;) {
        const i = rng.int(pool.count);
        if (!inSet.has(i) && (setClass === null || pool.labels![i] !== setClass)) return i;
      }
    };
    const order = rng.permutation(q);
    const queries = new Array<number>(q);
    const isMember = new Array<boolean>(q);
    order.forEach((slot, j) => {
      isMember[slot] = j < members;
      queries[slot] = j < members ? set[rng.int(n)]! : outside();
    });
    return { set, queries, isMember };
  }

  private drawSet(rng: Rng, pool: Pool): number[] {
    const n = this.config.setSize;
    switch (this.config.sampler) {
      case 'class-based': {
        const members = pool.byClass![rng.int(pool.byClass!.length)]!;
        return rng.choose(members.length, n).map((j) => members[j]!);
      }
      case 'uniform':
        return rng.choose(pool.count, n);
      case 'non-uniform': {
        // p(rank r) ∝ 0.999^r over the fixed ranking: a truncated geometric rank by inversion, redrawn when taken.
        const taken = new Set<number>();
        const logRatio = Math.log(0.999);
        const total = 1 - Math.pow(0.999, pool.count);
        while (taken.size < n) {
          const rank = Math.floor(Math.log(1 - rng.uniform() * total) / logRatio);
          taken.add(pool.ranking[Math.min(rank, pool.count - 1)]!);
        }
        return [...taken];
      }
      case 'strings': {
        const start = rng.int(pool.count - n + 1);
        return Array.from({ length: n }, (_, i) => start + i);
      }
    }
  }

  sample(rng: Rng, batchSize: number, split: Split): Episode {
    const pool = this.pool(split);
    const { setSize: n, queries: q } = this.config;
    const d = pool.width;
    const items = new Float32Array(batchSize * n * d);
    const queries = new Float32Array(batchSize * q * d);
    const targets = new Float32Array(batchSize * q);
    for (let b = 0; b < batchSize; b++) {
      const draw = this.draw(rng, split);
      draw.set.forEach((i, j) => items.set(pool.vector(i), (b * n + j) * d));
      draw.queries.forEach((i, j) => {
        queries.set(pool.vector(i), (b * q + j) * d);
        targets[b * q + j] = draw.isMember[j] ? 1 : 0;
      });
    }
    return {
      items: tf.tensor3d(items, [batchSize, n, d]),
      queries: tf.tensor3d(queries, [batchSize, q, d]),
      targets: tf.tensor3d(targets, [batchSize, q, 1]),
    };
  }

  loss(retrieved: tf.Tensor, targets: tf.Tensor): tf.Scalar {
    return tf.losses.sigmoidCrossEntropy(targets, retrieved) as tf.Scalar;
  }

  score(episode: Episode, read: ReadResult, model: MemoryModel): Record<string, number> {
    const [falsePositives, negatives, falseNegatives, positives] = tf.tidy(() => {
      const said = tf.greater(read.retrieved, 0).cast('float32'); // [B, Q, 1]
      const member = episode.targets; // [B, Q, 1]
      const nonMember = tf.sub(1, member);
      return tf
        .stack([said.mul(nonMember).sum(), nonMember.sum(), tf.sub(1, said).mul(member).sum(), member.sum()])
        .dataSync();
    }) as unknown as [number, number, number, number];
    const fpr = falsePositives / negatives;
    const fnr = falseNegatives / positives;
    return { fpr, fnr, bits: totalBits(model, fnr, this.config.setSize, this.config.targetFpr) };
  }
}

/** Total space of a filter (NBF App. B): its state bits plus a backup Bloom filter at α/2 for its false negatives. */
export function totalBits(model: MemoryModel, fnr: number, setSize: number, targetFpr: number): number {
  const stateBits = model.memoryBits ? model.memoryBits() : 32 * model.memoryFloats();
  return stateBits + fnr * setSize * bloomBitsPerItem(targetFpr / 2);
}

export const setMembership = defineTask({
  id: 'set-membership',
  title: 'Set membership (approximate, Bloom-filter style)',
  summary: 'Write a set; answer "was this written?" for members and non-members. Space counted with a backup filter.',
  fields,
  create: (config) => new SetMembership(config),
});
