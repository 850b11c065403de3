/**
 * Associative recall: a sequence of key→value pairs, then a key; answer its value. The task of Ba et al.
 * 2016 (§4.1, "associative retrieval"); Engram reference §8 and §19.4. Engine layer; runs in the
 * kernel, the CLI and tests.
 *
 * A sample is `k1 v1 … kK vK ? ? q → v`, e.g. `c9k8j3f1??c → 9`: K distinct lower-case letters as keys,
 * digits as values, 37 one-hot symbols (26 letters, 10 digits, '?'), the answer one of 10 digits.
 * Mapping onto the MemoryModel contract (spec.sequential = true):
 *   items   [B, 2K+2, 37]  the written sequence k1 v1 … kK vK ? ?
 *   queries [B, Q, 37]     the query key q, one step; with Q > 1 every query is a different key of the
 *                          sequence and is read as an independent continuation of the same sequence
 *   targets [B, Q, 10]     the one-hot value of q
 *
 * Splits: like the paper's fixed 100,000 / 10,000 / 20,000 sequences, every split is a fixed, numbered
 * set of episodes: episode i of a split is generated from a seed of its own. And so that a test
 * episode can never occur in training (for small K there are few distinct sequences), the content of
 * every episode — its symbols and query keys — is hashed into 20 buckets: bucket 0 is test, 1 is
 * validation, the rest training; generation draws again until the content falls in its split's bucket.
 * Metrics: `accuracy` and `error_pct` over queries.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, int, type ConfigOf } from '../core/config';
import { defineTask, type Episode, type ReadResult, type Task, type TaskSpec } from '../core/memory-model';
import { Rng } from '../core/random';

const fields = {
  pairs: int(4, 'key–value pairs K per sequence (distinct letters)', { min: 1, max: 26 }),
  queries: int(1, 'keys asked per sequence (Q ≤ K), each read as an independent continuation', { min: 1, max: 26 }),
  trainEpisodes: int(100000, 'size of the fixed training set (Ba et al.: 100,000)', { min: 1 }),
  validationEpisodes: int(10000, 'size of the fixed validation set (Ba et al.: 10,000)', { min: 1 }),
  testEpisodes: int(20000, 'size of the fixed test set (Ba et al.: 20,000)', { min: 1 }),
};

export type AssociativeRecallConfig = ConfigOf<typeof fields>;

export const LETTERS = 26;
export const DIGITS = 10;
/** One-hot width: 26 letters, then 10 digits, then '?'. */
export const SYMBOLS = LETTERS + DIGITS + 1;
const QUESTION = LETTERS + DIGITS;
const BUCKETS = 20;

/** The three fixed episode sets; `sample` serves 'train' and 'test', experiments also 'validation'. */
export type RecallSplit = 'train' | 'validation' | 'test';
const splitBucket: Record<RecallSplit, (bucket: number) => boolean> = {
  test: (b) => b === 0,
  validation: (b) => b === 1,
  train: (b) => b >= 2,
};
const splitSalt: Record<RecallSplit, number> = { train: 0x7a11, validation: 0x5a1d, test: 0x7e57 };

/** One sequence as symbol indices, the queried keys, and their values (digits 0–9). */
export interface RecallSample {
  readonly sequence: readonly number[]; // 2K+2 symbols
  readonly queryKeys: readonly number[]; // Q letters
  readonly answers: readonly number[]; // Q digits
}

/** A symbol index as text: a–z, 0–9 or '?'. */
export function symbolText(symbol: number): string {
  if (symbol < LETTERS) return String.fromCharCode(97 + symbol);
  if (symbol < QUESTION) return String(symbol - LETTERS);
  return '?';
}

/** The sample as the paper writes it, e.g. `c9k8j3f1??c → 9`. */
export function sampleText(s: RecallSample): string {
  const sequence = s.sequence.map(symbolText).join('');
  return s.queryKeys.map((k, i) => `${sequence}${symbolText(k)} → ${s.answers[i]}`).join('; ');
}

/** Draws one sequence with K distinct keys and Q distinct queried keys. */
export function drawSample(rng: Rng, pairs: number, queries: number): RecallSample {
  const keys = rng.choose(LETTERS, pairs);
  const values = keys.map(() => rng.int(DIGITS));
  const asked = rng.choose(pairs, queries);
  const sequence = keys.flatMap((k, i) => [k, LETTERS + values[i]!]).concat([QUESTION, QUESTION]);
  return { sequence, queryKeys: asked.map((i) => keys[i]!), answers: asked.map((i) => values[i]!) };
}

/** The content bucket in [0, 20) of a sample (FNV-1a over its symbols and query keys). */
export function contentBucket(s: RecallSample): number {
  let h = 0x811c9dc5;
  for (const x of [...s.sequence, SYMBOLS, ...s.queryKeys]) h = Math.imul(h ^ x, 0x01000193) >>> 0;
  // A final avalanche, so that the low-order buckets depend on every symbol.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) % BUCKETS;
}

export class AssociativeRecall implements Task {
  readonly id = 'associative-recall';
  readonly spec: TaskSpec;
  readonly metrics = [
    { name: 'accuracy', goal: 'max', description: 'fraction of queries answered with the right digit' },
    { name: 'error_pct', goal: 'min', description: 'percentage of queries answered wrongly (Ba et al. Table 1)' },
  ] as const;

  constructor(readonly config: AssociativeRecallConfig) {
    if (config.queries > config.pairs) {
      throw new ConfigError('task associative-recall', 'queries', config.queries, `an integer ≤ pairs (${config.pairs})`);
    }
    this.spec = {
      inputDim: SYMBOLS,
      outputDim: DIGITS,
      output: 'class',
      autoassociative: false,
      sequential: true,
      setSize: 2 * config.pairs + 2,
      queries: config.queries,
    };
  }

  /** Episode `index` of a fixed split: the same sample every time it is asked for. */
  episodeSample(split: RecallSplit, index: number): RecallSample {
    const rng = new Rng(Math.imul(index + 1, 0x9e3779b1) ^ splitSalt[split]);
    for (;;) {
      const s = drawSample(rng, this.config.pairs, this.config.queries);
      if (splitBucket[split](contentBucket(s))) return s;
    }
  }

  sample(rng: Rng, batchSize: number, split: RecallSplit): Episode {
    const size =
      split === 'train' ? this.config.trainEpisodes : split === 'test' ? this.config.testEpisodes : this.config.validationEpisodes;
    const samples = Array.from({ length: batchSize }, () => this.episodeSample(split, rng.int(size)));
    return this.encode(samples);
  }

  /** One-hot tensors of a batch of samples. */
  encode(samples: readonly RecallSample[]): Episode {
    const { setSize: n, queries: q } = this.spec;
    const items = new Float32Array(samples.length * n * SYMBOLS);
    const queries = new Float32Array(samples.length * q * SYMBOLS);
    const targets = new Float32Array(samples.length * q * DIGITS);
    samples.forEach((s, b) => {
      s.sequence.forEach((symbol, t) => (items[(b * n + t) * SYMBOLS + symbol] = 1));
      s.queryKeys.forEach((key, j) => {
        queries[(b * q + j) * SYMBOLS + key] = 1;
        targets[(b * q + j) * DIGITS + s.answers[j]!] = 1;
      });
    });
    const batch = samples.length;
    return {
      items: tf.tensor3d(items, [batch, n, SYMBOLS]),
      queries: tf.tensor3d(queries, [batch, q, SYMBOLS]),
      targets: tf.tensor3d(targets, [batch, q, DIGITS]),
    };
  }

  loss(retrieved: tf.Tensor, targets: tf.Tensor): tf.Scalar {
    return tf.losses.softmaxCrossEntropy(targets, retrieved) as tf.Scalar;
  }

  score(episode: Episode, read: ReadResult): Record<string, number> {
    const accuracy = tf.tidy(() =>
      tf.equal(tf.argMax(read.retrieved, -1), tf.argMax(episode.targets, -1)).cast('float32').mean().dataSync()[0]!,
    );
    return { accuracy, error_pct: 100 * (1 - accuracy) };
  }
}

export const associativeRecall = defineTask({
  id: 'associative-recall',
  title: 'Associative recall (key → value sequences)',
  summary: 'Read k1v1…kKvK??, then a key q; answer its digit (Ba et al. 2016). Test sequences never occur in training.',
  fields,
  create: (config) => new AssociativeRecall(config),
});
