/**
 * Pattern completion: a few ±1 patterns shown in sequence with gaps, then one of them with half its
 * bits zeroed; reconstruct it. The binary task of Miconi et al. 2018 (§4.1, simple/simplest.py);
 * Engram reference §9 and §19.9. Engine layer; runs in the kernel, the CLI and tests.
 *
 * Mapping onto the MemoryModel contract (spec.sequential = true, autoassociative = true):
 *   items   [B, T, d]  the presentation sequence: `cycles` times, the `patterns` patterns in a freshly
 *                      shuffled order, each shown for `presentSteps` steps and followed by `gapSteps`
 *                      zero steps; T = cycles · patterns · (presentSteps + gapSteps)
 *   queries [B, Q, d]  a stored pattern with ⌊d/2⌋ distinct bits zeroed (Miconi zeroes each bit with
 *                      probability ½; a fixed count makes episodes comparable); with Q > 1 every query is
 *                      a different pattern, each read as an independent continuation
 *   targets [B, Q, d]  the full pattern
 * The paper shows the test pattern for 6 steps; here that is the model's `readSteps`.
 * Metric `error_frac`: the fraction of bits where sign(read) ≠ target, with sign(0) = +1.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, int, type ConfigOf } from '../core/config';
import { defineTask, type Episode, type ReadResult, type Task, type TaskSpec } from '../core/memory-model';
import type { Rng } from '../core/random';

const fields = {
  dim: int(64, 'pattern length d in bits (Miconi: 1,000)', { min: 2, max: 4096 }),
  patterns: int(5, 'patterns shown per episode (Miconi: 5)', { min: 1, max: 64 }),
  presentSteps: int(6, 'steps each presentation lasts (Miconi: 6)', { min: 1, max: 64 }),
  gapSteps: int(4, 'zero steps after each presentation (Miconi: 4)', { min: 0, max: 64 }),
  cycles: int(2, 'presentation cycles; each shows every pattern once (Miconi: 2)', { min: 1, max: 16 }),
  queries: int(1, 'degraded patterns to complete per episode (Q ≤ patterns)', { min: 1, max: 64 }),
};

export type PatternCompletionConfig = ConfigOf<typeof fields>;

/** Fraction of bits where sign(retrieved) ≠ target, sign(0) = +1, over every episode and query. */
export function signErrorFraction(retrieved: tf.Tensor, targets: tf.Tensor): number {
  return tf.tidy(() => {
    const predicted = tf.where(tf.greaterEqual(retrieved, 0), tf.onesLike(retrieved), tf.onesLike(retrieved).neg());
    return tf.notEqual(predicted, targets).cast('float32').mean().dataSync()[0]!;
  });
}

export class PatternCompletion implements Task {
  readonly id = 'pattern-completion';
  readonly spec: TaskSpec;
  readonly metrics = [
    { name: 'error_frac', goal: 'min', description: 'fraction of wrong bits in the completed pattern' },
  ] as const;

  constructor(readonly config: PatternCompletionConfig) {
    if (config.queries > config.patterns) {
      throw new ConfigError('task pattern-completion', 'queries', config.queries, `an integer ≤ patterns (${config.patterns})`);
    }
    this.spec = {
      inputDim: config.dim,
      outputDim: config.dim,
      output: 'bipolar',
      autoassociative: true,
      sequential: true,
      setSize: config.cycles * config.patterns * (config.presentSteps + config.gapSteps),
      queries: config.queries,
    };
  }

  sample(rng: Rng, batchSize: number): Episode {
    const { dim, patterns, presentSteps, gapSteps, cycles, queries } = this.config;
    const steps = this.spec.setSize;
    const items = new Float32Array(batchSize * steps * dim);
    const query = new Float32Array(batchSize * queries * dim);
    const targets = new Float32Array(batchSize * queries * dim);
    const stored = new Float32Array(patterns * dim);
    for (let b = 0; b < batchSize; b++) {
      for (let i = 0; i < stored.length; i++) stored[i] = rng.sign();
      let t = 0;
      for (let c = 0; c < cycles; c++) {
        for (const p of rng.permutation(patterns)) {
          const pattern = stored.subarray(p * dim, (p + 1) * dim);
          for (let s = 0; s < presentSteps; s++, t++) items.set(pattern, (b * steps + t) * dim);
          t += gapSteps;
        }
      }
      rng.choose(patterns, queries).forEach((p, j) => {
        const offset = (b * queries + j) * dim;
        const pattern = stored.subarray(p * dim, (p + 1) * dim);
        targets.set(pattern, offset);
        query.set(pattern, offset);
        for (const i of rng.choose(dim, Math.floor(dim / 2))) query[offset + i] = 0;
      });
    }
    return {
      items: tf.tensor3d(items, [batchSize, steps, dim]),
      queries: tf.tensor3d(query, [batchSize, queries, dim]),
      targets: tf.tensor3d(targets, [batchSize, queries, dim]),
    };
  }

  loss(retrieved: tf.Tensor, targets: tf.Tensor): tf.Scalar {
    return tf.losses.meanSquaredError(targets, retrieved) as tf.Scalar;
  }

  score(episode: Episode, read: ReadResult): Record<string, number> {
    return { error_frac: signErrorFraction(read.retrieved, episode.targets) };
  }
}

export const patternCompletion = defineTask({
  id: 'pattern-completion',
  title: 'Pattern completion (Miconi et al.)',
  summary: 'See a few ±1 patterns in sequence with gaps, then complete one from half its bits.',
  fields,
  create: (config) => new PatternCompletion(config),
});
