/**
 * Modern Hopfield network — continuous states, softmax retrieval, exponential capacity.
 *
 * Ramsauer, Schäfl, Lehner, Seidl, Widrich, Adler, Gruber, Holzleitner, Pavlović, Sandve, Greiff,
 * Kreil, Kopp, Klambauer, Brandstetter, Hochreiter. "Hopfield Networks is All You Need." ICLR 2021.
 * https://arxiv.org/abs/2008.02217. Engine layer; runs in the kernel, the CLI and tests.
 *
 * Idea: the stored patterns are kept as they are, one per column of X (a slot memory, not
 * compressive). A read replaces the state ξ by a softmax-weighted average of the stored patterns,
 * weighted by β times their overlap with ξ. This update is the concave–convex step on the energy
 * below, so E never rises; with β large against the gaps between overlaps one update lands on the
 * nearest stored pattern, even for N far above d (Theorems 3–4). Nothing is learned.
 *
 * Symbols (B batch, N patterns written, Q queries, d item width, d' stored width):
 *   | paper | code      | shape        |
 *   | X     | patterns  | [B, N, d']   | stored patterns, one per row here
 *   | ξ     | state     | [B, Q, d']   | the read state, starting at the query
 *   | β     | beta      | []           | inverse temperature
 *   | p     | weights   | [B, Q, N]    | softmax over patterns (of the last update)
 *
 * Equations (blog §"Update rule", reference §17):
 *   (1) ξ ← X softmax(β Xᵀ ξ)
 *   (2) E(ξ) = −β⁻¹ log Σ_μ exp(β x_μᵀ ξ) + ½ ξᵀξ + β⁻¹ log N + ½ M²,  M = max_μ ‖x_μ‖
 *
 * Deviation (the float budget, reference §19.1: "stored patterns truncated or projected to the
 * budget: N·d' ≤ 8 256"): with `budgetFloats` set, each pattern is truncated to its first
 * d' = min(d, ⌊budgetFloats / N⌋) coordinates. The read runs (1) on the first d' coordinates of
 * the query and returns the retrieved d' coordinates followed by the query's own remaining d − d'
 * coordinates, which the memory never saw. Truncation rather than a random projection because it
 * keeps retrieval exact on the stored part and makes the cost of the budget plain: every corrupted
 * coordinate past d' stays corrupted. With `budgetFloats` null the whole pattern is stored (N·d).
 *
 * Memory floats: N·d'.
 */
import * as tf from '@tensorflow/tfjs';
import { auto, ConfigError, int, real, type ConfigOf } from '../core/config';
import { reconstructionLoss } from '../core/episode';
import { defineModel, type Episode, type MemoryModel, type ReadResult, type Task, type TaskSpec } from '../core/memory-model';
import { tidy } from '../core/tensors';

const fields = {
  beta: real(1, 'inverse temperature β of the softmax (large: one pattern, small: averages)', { min: 1e-6 }),
  iterations: int(1, 'updates per read (one usually suffices)', { min: 1, max: 100 }),
  budgetFloats: auto('memory budget in floats; patterns are truncated to ⌊budgetFloats / setSize⌋ coordinates (null: store them whole)', {
    min: 1,
    integer: true,
  }),
};

export type ModernHopfieldConfig = ConfigOf<typeof fields>;

/** The memory: the stored (truncated) patterns, appended write after write. */
export type ModernHopfieldState = {
  readonly patterns: tf.Tensor; // [B, N, d']
};

export class ModernHopfield implements MemoryModel<ModernHopfieldState> {
  readonly id = 'modern-hopfield';
  /** Stored width d'. */
  readonly storedWidth: number;

  constructor(
    readonly config: ModernHopfieldConfig,
    readonly spec: TaskSpec,
  ) {
    const d = spec.inputDim;
    this.storedWidth = config.budgetFloats === null ? d : Math.min(d, Math.floor(config.budgetFloats / spec.setSize));
    if (this.storedWidth < 1) {
      throw new ConfigError(
        'model modern-hopfield',
        'budgetFloats',
        config.budgetFloats,
        `null or an integer ≥ setSize (${spec.setSize}), so that every pattern keeps at least one coordinate`,
      );
    }
  }

  initialState(batchSize: number): ModernHopfieldState {
    return { patterns: tf.zeros([batchSize, 0, this.storedWidth]) };
  }

  write(state: ModernHopfieldState, items: tf.Tensor): ModernHopfieldState {
    const stored = state.patterns.shape[1]!;
    const n = items.shape[1]!;
    if (stored + n > this.spec.setSize) {
      throw new Error(`modern-hopfield: writing ${n} patterns to ${stored} stored exceeds the ${this.spec.setSize} the budget was set for`);
    }
    return tidy(() => {
      const kept = items.slice([0, 0, 0], [-1, -1, this.storedWidth]); // [B, n, d']
      return { patterns: tf.concat([state.patterns, kept], 1) }; // [B, N, d']
    });
  }

  read(state: ModernHopfieldState, queries: tf.Tensor): ReadResult {
    return tidy(() => {
      const x = state.patterns; // [B, N, d']
      const dPrime = this.storedWidth;
      const tail = queries.slice([0, 0, dPrime], [-1, -1, -1]); // [B, Q, d − d']  never stored, passed through
      let xi = queries.slice([0, 0, 0], [-1, -1, dPrime]); // [B, Q, d']
      const states = [xi];
      let weights = tf.zeros([0]);
      for (let t = 0; t < this.config.iterations; t++) {
        weights = tf.softmax(tf.matMul(xi, x, false, true).mul(this.config.beta)); // [B, Q, N]  (1)
        xi = tf.matMul(weights, x); // [B, Q, d']  (1)
        states.push(xi);
      }
      const iterates = tf.stack(states.map((s) => tf.concat([s, tail], 2))); // [K+1, B, Q, d]
      const retrieved = tf.concat([xi, tail], 2); // [B, Q, d]
      return { retrieved, weights, iterates, energies: this.energies(tf.stack(states), x) };
    });
  }

  loss(episode: Episode, task: Task) {
    return reconstructionLoss(this, episode, task);
  }

  variables() {
    return {};
  }

  memoryFloats(): number {
    return this.spec.setSize * this.storedWidth;
  }

  dispose(): void {}

  /** (2) for every iterate: states [K+1, B, Q, d'], patterns [B, N, d'] → [K+1, B, Q]. */
  private energies(states: tf.Tensor, x: tf.Tensor): tf.Tensor {
    const beta = this.config.beta;
    const n = x.shape[1]!;
    const overlaps = tf.stack(tf.unstack(states).map((s) => tf.matMul(s, x, false, true))); // [K+1, B, Q, N]
    const lse = tf.logSumExp(overlaps.mul(beta), -1).div(beta); // [K+1, B, Q]
    const norm = states.square().sum(-1).mul(0.5); // [K+1, B, Q]
    const maxNorm = x.square().sum(-1).max(-1).reshape([1, -1, 1]).mul(0.5); // [1, B, 1]  ½M²
    return lse.neg().add(norm).add(Math.log(n) / beta).add(maxNorm); // [K+1, B, Q]  (2)
  }
}

export const modernHopfield = defineModel({
  id: 'modern-hopfield',
  title: 'Modern Hopfield network (softmax retrieval)',
  summary: 'Stores patterns as they are; a read is softmax attention of the query over them. Slot memory, exponential capacity.',
  paper: {
    title: 'Hopfield Networks is All You Need',
    authors: 'Ramsauer, Schäfl, Lehner, Seidl, Widrich, Adler, Gruber, Holzleitner, Pavlović, Sandve, Greiff, Kreil, Kopp, Klambauer, Brandstetter, Hochreiter',
    year: 2021,
    url: 'https://arxiv.org/abs/2008.02217',
  },
  fields,
  learned: false,
  supports: (spec) => {
    if (!spec.autoassociative || spec.inputDim !== spec.outputDim) return 'a modern Hopfield read completes its query, so the task must be autoassociative';
    if (spec.output !== 'bipolar' && spec.output !== 'image') return `retrieval returns a stored pattern, which serves bipolar or image outputs, not ${spec.output}`;
    if (spec.sequential) return 'a modern Hopfield network stores a set, not a sequence';
    return null;
  },
  create: (config, spec) => new ModernHopfield(config, spec),
  example: { task: 'binary-recall', taskConfig: { dim: 7, setSize: 3, corruptBits: 2 }, modelConfig: { beta: 2, iterations: 2, budgetFloats: 15 } },
});
