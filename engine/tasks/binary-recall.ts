/**
 * Binary auto-association: store random ±1 patterns, recall each from a corrupted copy.
 * The protocol of EBMM Table 1 (Bartunov et al. 2020, §4) with the corruptions fixed as in the
 * Engram reference §19.0. Engine layer; runs in the kernel, the CLI and tests.
 *
 * An episode writes `setSize` patterns x ∈ {−1,+1}^dim and queries every stored pattern once,
 * in a shuffled order, corrupted by one of:
 *   - `erase`:     k distinct positions set to 0 (the "unknown" value),
 *   - `randomise`: k distinct positions resampled uniformly from {−1,+1} (about k/2 flip),
 *   - `flip`:      each bit flipped independently with probability p.
 * Metric `error_bits`: the mean number of positions where sign(read) differs from the stored
 * pattern, with sign(0) = +1.
 */
import * as tf from '@tensorflow/tfjs';
import { choice, ConfigError, int, real, type ConfigOf } from '../core/config';
import { defineTask, type Episode, type ReadResult, type Task, type TaskSpec } from '../core/memory-model';
import type { Rng } from '../core/random';

const fields = {
  dim: int(128, 'pattern length in bits (D)', { min: 2, max: 4096 }),
  setSize: int(32, 'patterns stored per episode (N)', { min: 1, max: 4096 }),
  corruption: choice(['erase', 'randomise', 'flip'] as const, 'erase', 'how queries are corrupted'),
  corruptBits: int(64, 'positions erased or randomised per query (k), for erase and randomise', { min: 0 }),
  flipProb: real(0.2, 'probability that each bit flips (p), for flip', { min: 0, max: 1 }),
};

export type BinaryRecallConfig = ConfigOf<typeof fields>;

/** Corrupts one ±1 pattern in place according to the config. */
export function corruptBipolar(x: Float32Array, config: BinaryRecallConfig, rng: Rng): void {
  switch (config.corruption) {
    case 'erase':
      for (const i of rng.choose(x.length, config.corruptBits)) x[i] = 0;
      return;
    case 'randomise':
      for (const i of rng.choose(x.length, config.corruptBits)) x[i] = rng.sign();
      return;
    case 'flip':
      for (let i = 0; i < x.length; i++) if (rng.uniform() < config.flipProb) x[i] = -x[i]!;
      return;
  }
}

/** Mean over episodes and queries of the number of bits where sign(read) ≠ target; sign(0) = +1. */
export function errorBits(retrieved: tf.Tensor, targets: tf.Tensor): number {
  return tf.tidy(() => {
    const predicted = tf.where(tf.greaterEqual(retrieved, 0), tf.onesLike(retrieved), tf.onesLike(retrieved).neg());
    const wrong = tf.notEqual(predicted, targets).sum(-1); // [B, Q]
    return wrong.mean().dataSync()[0]!;
  });
}

export class BinaryRecall implements Task {
  readonly id = 'binary-recall';
  readonly spec: TaskSpec;
  readonly metrics = [
    { name: 'error_bits', goal: 'min', description: 'mean number of wrong bits per retrieved pattern' },
  ] as const;

  constructor(readonly config: BinaryRecallConfig) {
    if (config.corruptBits > config.dim) {
      throw new ConfigError('task binary-recall', 'corruptBits', config.corruptBits, `an integer ≤ dim (${config.dim})`);
    }
    this.spec = {
      inputDim: config.dim,
      outputDim: config.dim,
      output: 'bipolar',
      autoassociative: true,
      sequential: false,
      setSize: config.setSize,
      queries: config.setSize,
    };
  }

  sample(rng: Rng, batchSize: number): Episode {
    const { dim, setSize } = this.config;
    const items = new Float32Array(batchSize * setSize * dim);
    const queries = new Float32Array(items.length);
    const targets = new Float32Array(items.length);
    for (let b = 0; b < batchSize; b++) {
      const base = b * setSize * dim;
      for (let i = 0; i < setSize * dim; i++) items[base + i] = rng.sign();
      const order = rng.permutation(setSize);
      for (let q = 0; q < setSize; q++) {
        const source = items.subarray(base + order[q]! * dim, base + (order[q]! + 1) * dim);
        const query = queries.subarray(base + q * dim, base + (q + 1) * dim);
        query.set(source);
        targets.set(source, base + q * dim);
        corruptBipolar(query, this.config, rng);
      }
    }
    const shape: [number, number, number] = [batchSize, setSize, dim];
    return { items: tf.tensor3d(items, shape), queries: tf.tensor3d(queries, shape), targets: tf.tensor3d(targets, shape) };
  }

  loss(retrieved: tf.Tensor, targets: tf.Tensor): tf.Scalar {
    return tf.losses.meanSquaredError(targets, retrieved) as tf.Scalar;
  }

  score(episode: Episode, read: ReadResult): Record<string, number> {
    return { error_bits: errorBits(read.retrieved, episode.targets) };
  }
}

export const binaryRecall = defineTask({
  id: 'binary-recall',
  title: 'Binary pattern recall',
  summary: 'Store random ±1 patterns; recall each from a corrupted copy (EBMM Table 1 protocol).',
  fields,
  create: (config) => new BinaryRecall(config),
});
