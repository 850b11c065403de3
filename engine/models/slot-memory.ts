/**
 * Slot memory — End-to-End Memory Networks.
 *
 * Sukhbaatar, Szlam, Weston, Fergus. "End-To-End Memory Networks." NeurIPS 2015.
 * https://arxiv.org/abs/1503.08895 (after Weston, Chopra, Bordes, "Memory Networks", ICLR 2015).
 *
 * Idea: every written item gets a slot of its own, holding a learned embedding of the item. A read
 * embeds the query, attends softly over the slots, and decodes the attended mixture. Nothing is
 * optimised at write time; the embeddings are slow parameters learned across episodes. The memory is
 * not compressive: at a fixed float budget the slot width shrinks as the set grows, which is exactly
 * where EBMM Table 1 shows it failing (10.5 error bits at 96 patterns).
 *
 * Symbols (B batch, N slots = items written, Q queries, D item width, S slot width):
 *   | paper | code      | shape      |
 *   | A     | embed     | [D, S]     | item and query embedding, tied (m_i = c_i = A x_i, u = A q)
 *   | m_i   | slots     | [B, N, S]  | the memory
 *   | p     | weights   | [B, Q, N]  | attention over slots
 *   | W     | decode    | [S, D_out] | output layer
 *   | β     | logBeta   | []         | attention sharpness (learned, log-parametrised)
 *
 * Equations (MemN2N §2.1, one layer, repeated for `hops`):
 *   (1) m_i = A x_i
 *   (2) p_i = softmax_i(β uᵀ m_i),  u = A q
 *   (3) o = Σ_i p_i m_i
 *   (4) u ← u + o                       (between hops)
 *   (5) y = act(W o + b)               (act from the task: tanh for ±1 patterns, sigmoid for pixels)
 *
 * Deviations from the paper: input and output memories are tied (one matrix A), so the whole budget
 * goes to one slot array, and the query embedding is tied to it too (B = A, MemN2N's "adjacent"
 * tying): a random A then already addresses the right slot, and training only has to learn to decode
 * (300 steps reach EBMM Table 1's Memory Networks row); the attention has a learned sharpness β,
 * which the paper fixes to 1; the answer is decoded from o alone (the paper uses W(o + u)), because
 * for auto-association u is the corrupted query and adding it back only lets corruption through.
 *
 * Memory floats: N·S with S = ⌊budgetFloats / N⌋ (the slot width follows from the budget).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, int, type ConfigOf } from '../core/config';
import { reconstructionLoss } from '../core/episode';
import { applyDense, constantParam, dense, outputActivation, type Dense } from '../core/layers';
import {
  defineModel,
  type Episode,
  type MemoryModel,
  type ReadResult,
  type Task,
  type TaskSpec,
} from '../core/memory-model';
import type { Rng } from '../core/random';

const fields = {
  budgetFloats: int(8256, 'memory budget in floats; the slot width is budgetFloats / setSize', { min: 1 }),
  hops: int(1, 'attention hops per read (MemN2N layers)', { min: 1, max: 8 }),
};

export type SlotMemoryConfig = ConfigOf<typeof fields>;

/** The memory: one embedded item per slot. */
export type SlotMemoryState = {
  readonly slots: tf.Tensor; // [B, N, S]
  readonly count: tf.Tensor; // [B] slots filled so far (writes append)
};

export class SlotMemory implements MemoryModel<SlotMemoryState> {
  readonly id = 'slot-memory';
  readonly slotCount: number;
  readonly slotWidth: number;
  private readonly embed: Dense;
  private readonly decode: Dense;
  private readonly logBeta: tf.Variable;

  constructor(
    readonly config: SlotMemoryConfig,
    readonly spec: TaskSpec,
    rng: Rng,
  ) {
    this.slotCount = spec.setSize;
    this.slotWidth = Math.floor(config.budgetFloats / this.slotCount);
    if (this.slotWidth < 1) {
      throw new ConfigError(
        'model slot-memory',
        'budgetFloats',
        config.budgetFloats,
        `an integer ≥ setSize (${spec.setSize}), so that every slot has at least one float`,
      );
    }
    this.embed = dense(rng, spec.inputDim, this.slotWidth);
    this.decode = dense(rng, this.slotWidth, spec.outputDim);
    this.logBeta = constantParam([], Math.log(Math.sqrt(this.slotWidth)));
  }

  initialState(batchSize: number): SlotMemoryState {
    return {
      slots: tf.zeros([batchSize, this.slotCount, this.slotWidth]),
      count: tf.zeros([batchSize], 'int32'),
    };
  }

  write(state: SlotMemoryState, items: tf.Tensor): SlotMemoryState {
    return tf.tidy(() => {
      const [batch, n] = items.shape as [number, number, number];
      const filled = state.count.dataSync()[0]!;
      if (filled + n > this.slotCount) {
        throw new Error(`slot-memory: writing ${n} items into ${this.slotCount - filled} free slots`);
      }
      const m = applyDense(this.embed, items); // [B, n, S]  (1)
      // Appending is a slice-and-concat so the state stays a fresh tensor.
      const before = state.slots.slice([0, 0, 0], [batch, filled, this.slotWidth]); // [B, filled, S]
      const after = state.slots.slice([0, filled + n, 0], [batch, this.slotCount - filled - n, this.slotWidth]);
      return {
        slots: tf.concat([before, m, after], 1), // [B, N, S]
        count: state.count.add(tf.scalar(n, 'int32')), // [B]
      };
    });
  }

  read(state: SlotMemoryState, queries: tf.Tensor): ReadResult {
    return tf.tidy(() => {
      const beta = tf.exp(this.logBeta);
      let u = applyDense(this.embed, queries); // [B, Q, S]
      let weights = tf.zeros([0]);
      let o = u;
      for (let hop = 0; hop < this.config.hops; hop++) {
        const scores = tf.matMul(u, state.slots, false, true).mul(beta); // [B, Q, N]  (2)
        weights = tf.softmax(scores); // [B, Q, N]  (2)
        o = tf.matMul(weights, state.slots); // [B, Q, S]  (3)
        if (hop + 1 < this.config.hops) u = u.add(o); // (4)
      }
      const retrieved = outputActivation(this.spec.output, applyDense(this.decode, o)); // [B, Q, D_out]  (5)
      return { retrieved, weights };
    });
  }

  loss(episode: Episode, task: Task) {
    return reconstructionLoss(this, episode, task);
  }

  variables() {
    return {
      'embed.W': this.embed.W,
      'embed.b': this.embed.b,
      'decode.W': this.decode.W,
      'decode.b': this.decode.b,
      logBeta: this.logBeta,
    };
  }

  memoryFloats(): number {
    return this.slotCount * this.slotWidth;
  }

  dispose(): void {
    for (const v of Object.values(this.variables())) v.dispose();
  }
}

export const slotMemory = defineModel({
  id: 'slot-memory',
  title: 'Slot memory (End-to-End Memory Networks)',
  summary: 'One learned embedding per item in its own slot; soft attention reads. Not compressive.',
  paper: {
    title: 'End-To-End Memory Networks',
    authors: 'Sukhbaatar, Szlam, Weston, Fergus',
    year: 2015,
    url: 'https://arxiv.org/abs/1503.08895',
  },
  fields,
  learned: true,
  trainingDefaults: { learningRate: 3e-3 },
  supports: (spec) => (spec.sequential ? 'slot memory stores a set, not a sequence' : null),
  create: (config, spec, rng) => new SlotMemory(config, spec, rng),
  example: { task: 'binary-recall', taskConfig: { dim: 7, setSize: 3, corruptBits: 2 }, modelConfig: { budgetFloats: 15, hops: 2 } },
});
