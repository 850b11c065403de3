/**
 * LSTM — the "memory in activations" baseline.
 *
 * Hochreiter, Schmidhuber. "Long Short-Term Memory." Neural Computation 9(8), 1997.
 * https://doi.org/10.1162/neco.1997.9.8.1735 — with the forget gate of Gers, Schmidhuber, Cummins
 * (2000), as the baseline of EBMM (Bartunov et al. 2020, Table 1) and of the Neural Bloom Filter
 * (Rae et al. 2019, §5).
 *
 * Idea: the memory is the recurrent state {h, c}. Writing reads the items (or the sequence) in order,
 * one per time step; nothing else changes at write time, and everything (gates, readout) is learned
 * by backpropagation through the write. Reading feeds each query for `readSteps` steps as an
 * independent continuation from the written state and decodes the last hidden state.
 *
 * Symbols (B batch, N items = write steps, Q queries, H hidden size):
 *   | paper       | code            | shape       |
 *   | x_t         | items[:, t]     | [B, D_in]   |
 *   | h_t, c_t    | h, c            | [B, H]      |
 *   | W_x, b      | input.W, input.b| [D_in, 4H], [4H] | gate pre-activations from the input, order i f g o
 *   | W_h         | recurrent       | [H, 4H]     |
 *   | —           | readout         | [H, D_out]  | ReLU layer of `readoutSize`, then linear (shared with fast weights)
 *
 * Equations:
 *   (1) [i, f, g, o] = x_t W_x + h_{t−1} W_h + b
 *   (2) c_t = σ(f) ⊙ c_{t−1} + σ(i) ⊙ tanh(g)
 *   (3) h_t = σ(o) ⊙ tanh(c_t)
 *   (4) y = act(W₂ relu(W₁ h + b₁) + b₂)    (act from the task: tanh for ±1, sigmoid for pixels, logits otherwise)
 *
 * Deviations: the forget-gate bias starts at 1 (Jozefowicz et al. 2015), so that early training
 * keeps what was written; W_h is Glorot-normal rather than orthogonal.
 *
 * Size: H is `hiddenSize` when it is set; when it is null, H = ⌊budgetFloats / 2⌋. The gates have
 * 4H(H + D_in + 1) parameters: at the EBMM budget of 8,256 floats, H = 4,128 and 70M parameters for
 * 128-bit patterns (GPU scale). On a CPU keep `hiddenSize` set: the default, H = 128, has 132k.
 *
 * Memory floats: 2H (h and c).
 */
import * as tf from '@tensorflow/tfjs';
import { auto, int, type ConfigOf } from '../core/config';
import { reconstructionLoss } from '../core/episode';
import { applyDense, matMul2d, param, type Dense } from '../core/layers';
import {
  defineModel,
  type Episode,
  type MemoryModel,
  type ReadResult,
  type Task,
  type TaskSpec,
} from '../core/memory-model';
import type { Rng } from '../core/random';
import { applyReadout, perQuery, readoutLayers, readoutVariables, type Readout } from './sequence-reading';

const fields = {
  hiddenSize: {
    ...auto('hidden size H; wins over budgetFloats when set; null sizes H from budgetFloats (H = ⌊budgetFloats / 2⌋)', {
      min: 1,
      integer: true,
    }),
    default: 128,
  },
  budgetFloats: int(8256, 'memory budget in floats (2H), used only when hiddenSize is null', { min: 2 }),
  readSteps: int(1, 'steps each query is fed as input before the output is read', { min: 1, max: 64 }),
  readoutSize: int(100, 'width of the ReLU layer of the readout (0: linear readout)', { min: 0 }),
};

export type LstmConfig = ConfigOf<typeof fields>;

/** The memory: the recurrent state after the last written item. */
export type LstmState = {
  readonly h: tf.Tensor; // [B, H]
  readonly c: tf.Tensor; // [B, H]
};

/** The hidden size a config asks for: hiddenSize when set, else half the float budget. */
export function lstmHiddenSize(config: LstmConfig): number {
  if (config.hiddenSize !== null) return config.hiddenSize;
  return Math.floor(config.budgetFloats / 2);
}

export class Lstm implements MemoryModel<LstmState> {
  readonly id = 'lstm';
  readonly hiddenSize: number;
  private readonly input: Dense;
  private readonly recurrent: tf.Variable;
  private readonly readout: Readout;

  constructor(
    readonly config: LstmConfig,
    readonly spec: TaskSpec,
    rng: Rng,
  ) {
    const H = lstmHiddenSize(config);
    this.hiddenSize = H;
    // Gates are ordered i, f, g, o along the last axis; the forget gate's bias starts at 1.
    const bias = new Float32Array(4 * H).fill(1, H, 2 * H);
    this.input = {
      W: param(rng, [spec.inputDim, 4 * H], Math.sqrt(2 / (spec.inputDim + 4 * H))),
      b: tf.tidy(() => tf.variable(tf.tensor1d(bias), true)),
    };
    this.recurrent = param(rng, [H, 4 * H], Math.sqrt(2 / (5 * H)));
    this.readout = readoutLayers(rng, H, config.readoutSize, spec.outputDim);
  }

  initialState(batchSize: number): LstmState {
    return { h: tf.zeros([batchSize, this.hiddenSize]), c: tf.zeros([batchSize, this.hiddenSize]) };
  }

  write(state: LstmState, items: tf.Tensor): LstmState {
    return tf.tidy(() => {
      // One product for the input part of every step, so the loop over time only multiplies by W_h.
      const inputParts = tf.unstack(applyDense(this.input, items), 1); // N × [B, 4H]  (1)
      let h = state.h;
      let c = state.c;
      for (const x of inputParts) ({ h, c } = this.step(x, h, c));
      return { h: h.clone(), c: c.clone() };
    });
  }

  read(state: LstmState, queries: tf.Tensor): ReadResult {
    return tf.tidy(() => {
      const [batch, q] = queries.shape as [number, number, number];
      const x = applyDense(this.input, queries).reshape([batch * q, 4 * this.hiddenSize]); // [B·Q, 4H]  (1)
      let h = perQuery(state.h, q); // [B·Q, H]
      let c = perQuery(state.c, q); // [B·Q, H]
      for (let s = 0; s < this.config.readSteps; s++) ({ h, c } = this.step(x, h, c));
      const retrieved = applyReadout(this.readout, h, this.spec.output).reshape([batch, q, this.spec.outputDim]); // [B, Q, D_out]  (4)
      return { retrieved };
    });
  }

  /** One LSTM step from the input part of the gates. */
  step(inputPart: tf.Tensor, h: tf.Tensor, c: tf.Tensor): { h: tf.Tensor; c: tf.Tensor } {
    const z = inputPart.add(matMul2d(h as tf.Tensor2D, this.recurrent as tf.Tensor2D)); // [rows, 4H]  (1)
    const [i, f, g, o] = tf.split(z, 4, -1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]; // 4 × [rows, H]
    const cNext = tf.sigmoid(f).mul(c).add(tf.sigmoid(i).mul(tf.tanh(g))); // [rows, H]  (2)
    const hNext = tf.sigmoid(o).mul(tf.tanh(cNext)); // [rows, H]  (3)
    return { h: hNext, c: cNext };
  }

  loss(episode: Episode, task: Task) {
    return reconstructionLoss(this, episode, task);
  }

  variables(): Readonly<Record<string, tf.Variable>> {
    return {
      'input.W': this.input.W,
      'input.b': this.input.b,
      recurrent: this.recurrent,
      ...readoutVariables(this.readout),
    };
  }

  memoryFloats(): number {
    return 2 * this.hiddenSize;
  }

  dispose(): void {
    for (const v of Object.values(this.variables())) v.dispose();
  }
}

export const lstm = defineModel({
  id: 'lstm',
  title: 'LSTM (memory in activations)',
  summary: 'Writes by reading the items in order into {h, c}; reads each query as an independent continuation.',
  paper: {
    title: 'Long Short-Term Memory',
    authors: 'Hochreiter, Schmidhuber',
    year: 1997,
    url: 'https://doi.org/10.1162/neco.1997.9.8.1735',
  },
  fields,
  learned: true,
  trainingDefaults: { learningRate: 1e-3, clipNorm: 5 },
  supports: () => null,
  create: (config, spec, rng) => new Lstm(config, spec, rng),
  example: {
    task: 'binary-recall',
    taskConfig: { dim: 7, setSize: 3, corruptBits: 2 },
    modelConfig: { hiddenSize: 5, readoutSize: 2, readSteps: 2 },
  },
});
