/**
 * Fast weights — a recurrent network with a Hebbian fast-weight matrix.
 *
 * Ba, Hinton, Mnih, Leibo, Ionescu. "Using Fast Weights to Attend to the Recent Past." NIPS 2016.
 * https://arxiv.org/abs/1610.06258
 *
 * Idea: besides the slow weights W and C, each sequence carries a fast-weight matrix A that decays
 * and accumulates the outer products of recent hidden states. Within every time step the hidden
 * state settles for S inner steps, each adding A h_s — an unnormalised dot-product attention over
 * past hidden states, η Σ_τ λ^{t−τ} h(τ) (h(τ)ᵀ h_s). Capacity grows with R² instead of R, which is
 * why fast weights beat an LSTM of the same hidden size on associative recall. With S = 0 the fast
 * weights are never read: the network is a LayerNorm RNN of the same depth per step, which separates
 * the effect of the fast weights from that of the extra inner steps (Orhan 2017).
 *
 * Symbols (B batch, N write steps, Q queries, R hidden size):
 *   | paper      | code              | shape        |
 *   | x(t)       | items[:, t]       | [B, D_in]    |
 *   | h(t)       | h                 | [B, R]       |
 *   | A(t)       | A                 | [B, R, R]    | fast weights (per sequence, reset by initialState)
 *   | W          | recurrent         | [R, R]       | slow recurrent weights, initialised 0.05·I (IRNN-style)
 *   | C          | input.W, input.b  | [D_in, R]    | slow input weights
 *   | LN         | norm.gain, .bias  | [R]          | layer normalisation
 *   | λ, η       | decay, fastLearningRate | scalars | fixed hyperparameters, not learned
 *   | S          | innerSteps        | —            |
 *
 * Equations (Ba et al. §2):
 *   (1) b = W h(t) + C x(t+1)                             (the boundary term, fixed during settling)
 *   (2) h_0(t+1) = f(LN(b))
 *   (3) h_{s+1}(t+1) = f(LN(b + A(t) h_s(t+1))),  s = 0 … S−1;  h(t+1) = h_S(t+1)
 *   (4) A(t+1) = λ A(t) + η h(t+1) h(t+1)ᵀ
 *   (5) y = act(W₂ relu(W₁ h + b₁) + b₂)                  (the readout shared with the LSTM baseline)
 *   f = ReLU. With `normalisation: 'none'` LN is the identity.
 *
 * Deviations: the input enters through one linear map C (Ba et al. embed the one-hot symbols with a
 * small MLP first), initialised with entries of standard deviation 3 rather than Glorot's. At
 * initialisation the retrieved A h_s is far larger than a Glorot-sized C x, so after LN each step's
 * own input drowns in a mixture of past states and training sits on a long plateau (associative
 * recall, K = 4, R = 50, batch 32, lr 2e-3, all keys queried: Glorot still at 39 % accuracy after
 * 5,000 steps and std 1 at 79 % after 10,000 in a PyTorch replica; std 3 here at 96–98.5 % after
 * 8,000, depending on the seed).
 * LN is applied to the preliminary h_0 as well, which keeps S = 0 a well-conditioned baseline.
 * Reading continues the sequence: each query is fed for `readSteps` steps from its own copy of
 * {h, A}, with A updated by (4) between those steps.
 *
 * Size: R is `hiddenSize` when set; when null, the largest R with R² + R ≤ budgetFloats (R = 90 at
 * EBMM's 8,256 floats). Memory floats: R² + R (A and h); R when S = 0, because A is then never read
 * and is not kept.
 */
import * as tf from '@tensorflow/tfjs';
import { auto, choice, int, real, type ConfigOf } from '../core/config';
import { reconstructionLoss } from '../core/episode';
import { applyDense, constantParam, layerNorm, matMul2d, param, type Dense } from '../core/layers';
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

/** Standard deviation of C's initial entries (see the deviations): the boundary term must outweigh A h_s. */
const INPUT_STD = 3;

const fields = {
  hiddenSize: {
    ...auto('hidden size R; wins over budgetFloats when set; null: the largest R with R² + R ≤ budgetFloats', {
      min: 1,
      integer: true,
    }),
    default: 50,
  },
  budgetFloats: int(8256, 'memory budget in floats (R² + R), used only when hiddenSize is null', { min: 2 }),
  decay: real(0.95, 'fast-weight decay λ per time step (Ba et al.: 0.95)', { min: 0, max: 1 }),
  fastLearningRate: real(0.5, 'fast learning rate η of the Hebbian write (Ba et al.: 0.5)', { min: 0 }),
  innerSteps: int(1, 'inner settling steps S per time step (0: the fast weights are never read)', { min: 0, max: 16 }),
  normalisation: choice(['layer', 'none'] as const, 'layer', 'normalisation before the nonlinearity (layer: LN, essential for S > 1)'),
  readSteps: int(1, 'time steps each query is fed as input before the output is read', { min: 1, max: 64 }),
  readoutSize: int(100, 'width of the ReLU layer of the readout (0: linear readout)', { min: 0 }),
};

export type FastWeightsConfig = ConfigOf<typeof fields>;

/** The memory: the last hidden state and, when it is read (S ≥ 1), the fast weights. */
export type FastWeightsState = {
  readonly h: tf.Tensor; // [B, R]
  readonly A?: tf.Tensor; // [B, R, R], symmetric
};

/** The hidden size a config asks for: hiddenSize when set, else the largest R with R² + R ≤ budgetFloats. */
export function fastWeightsHiddenSize(config: FastWeightsConfig): number {
  if (config.hiddenSize !== null) return config.hiddenSize;
  return Math.floor((Math.sqrt(1 + 4 * config.budgetFloats) - 1) / 2);
}

/** (4) A ← λA + η h hᵀ, for every row: A [rows, R, R], h [rows, R]. */
export function fastWeightUpdate(A: tf.Tensor, h: tf.Tensor, decay: number, rate: number): tf.Tensor {
  return tf.tidy(() => {
    const outer = h.expandDims(2).mul(h.expandDims(1)); // [rows, R, R]
    return A.mul(decay).add(outer.mul(rate)); // [rows, R, R]  (4)
  });
}

export class FastWeights implements MemoryModel<FastWeightsState> {
  readonly id = 'fast-weights';
  readonly hiddenSize: number;
  private readonly input: Dense;
  private readonly recurrent: tf.Variable;
  private readonly gain: tf.Variable | null;
  private readonly bias: tf.Variable | null;
  private readonly readout: Readout;

  constructor(
    readonly config: FastWeightsConfig,
    readonly spec: TaskSpec,
    rng: Rng,
  ) {
    const R = fastWeightsHiddenSize(config);
    this.hiddenSize = R;
    // C starts with unit-variance entries (an embedding scale, not Glorot's): see the deviations.
    this.input = { W: param(rng, [spec.inputDim, R], INPUT_STD), b: constantParam([R], 0) };
    this.recurrent = tf.tidy(() => tf.variable(tf.eye(R).mul(0.05), true));
    this.gain = config.normalisation === 'layer' ? constantParam([R], 1) : null;
    this.bias = config.normalisation === 'layer' ? constantParam([R], 0) : null;
    this.readout = readoutLayers(rng, R, config.readoutSize, spec.outputDim);
  }

  /** Whether A is kept and read: only with at least one inner step. */
  get usesFastWeights(): boolean {
    return this.config.innerSteps > 0;
  }

  initialState(batchSize: number): FastWeightsState {
    const R = this.hiddenSize;
    const h = tf.zeros([batchSize, R]);
    return this.usesFastWeights ? { h, A: tf.zeros([batchSize, R, R]) } : { h };
  }

  write(state: FastWeightsState, items: tf.Tensor): FastWeightsState {
    return tf.tidy(() => {
      const inputParts = tf.unstack(applyDense(this.input, items), 1); // N × [B, R]  C x(t)
      let h = state.h; // [B, R]
      let A = state.A ?? null; // [B, R, R]
      for (const x of inputParts) {
        h = this.transition(x.expandDims(1), h, A).squeeze([1]); // [B, R]  (1)–(3)
        if (A) A = fastWeightUpdate(A, h, this.config.decay, this.config.fastLearningRate); // [B, R, R]  (4)
      }
      return A ? { h: h.clone(), A: A.clone() } : { h: h.clone() };
    });
  }

  read(state: FastWeightsState, queries: tf.Tensor): ReadResult {
    return tf.tidy(() => {
      const [batch, q] = queries.shape as [number, number, number];
      const R = this.hiddenSize;
      const x = applyDense(this.input, queries); // [B, Q, R]  C x
      let h: tf.Tensor;
      if (this.config.readSteps === 1) {
        // One step needs no copy of A per query: all queries of an episode share its written A.
        h = this.transition(x, state.h, state.A ?? null); // [B, Q, R]
      } else {
        const xRows = x.reshape([batch * q, 1, R]); // [B·Q, 1, R]
        let A = state.A ? perQuery(state.A, q) : null; // [B·Q, R, R]
        h = perQuery(state.h, q); // [B·Q, R]
        for (let s = 0; s < this.config.readSteps; s++) {
          h = this.transition(xRows, h, A).squeeze([1]); // [B·Q, R]
          if (A && s + 1 < this.config.readSteps) A = fastWeightUpdate(A, h, this.config.decay, this.config.fastLearningRate); // (4)
        }
      }
      const retrieved = applyReadout(this.readout, h, this.spec.output).reshape([batch, q, this.spec.outputDim]); // [B, Q, D_out]  (5)
      return { retrieved };
    });
  }

  /**
   * One time step for `rows` sequences, each continued by q inputs that share its previous hidden
   * state and fast weights: x [rows, q, R] (the C x part), h [rows, R], A [rows, R, R] → [rows, q, R].
   */
  transition(x: tf.Tensor, h: tf.Tensor, A: tf.Tensor | null): tf.Tensor {
    const boundary = x.add(matMul2d(h as tf.Tensor2D, this.recurrent as tf.Tensor2D).expandDims(1)); // [rows, q, R]  (1)
    let hs = this.activate(boundary); // [rows, q, R]  (2)
    if (A) for (let s = 0; s < this.config.innerSteps; s++) hs = this.innerStep(boundary, A, hs); // (3)
    return hs;
  }

  /** (3) h_{s+1} = f(LN(b + A h_s)); A is symmetric, so A h_s is computed as h_sᵀ A, row by row. */
  innerStep(boundary: tf.Tensor, A: tf.Tensor, hs: tf.Tensor): tf.Tensor {
    return this.activate(boundary.add(tf.matMul(hs, A))); // [rows, q, R]  (3)
  }

  private activate(x: tf.Tensor): tf.Tensor {
    const normed = this.gain && this.bias ? layerNorm(x, this.gain, this.bias) : x; // [..., R]
    return tf.relu(normed); // [..., R]
  }

  loss(episode: Episode, task: Task) {
    return reconstructionLoss(this, episode, task);
  }

  variables(): Readonly<Record<string, tf.Variable>> {
    return {
      'input.W': this.input.W,
      'input.b': this.input.b,
      recurrent: this.recurrent,
      ...(this.gain && this.bias ? { 'norm.gain': this.gain, 'norm.bias': this.bias } : {}),
      ...readoutVariables(this.readout),
    };
  }

  memoryFloats(): number {
    const R = this.hiddenSize;
    return this.usesFastWeights ? R * R + R : R;
  }

  dispose(): void {
    for (const v of Object.values(this.variables())) v.dispose();
  }
}

export const fastWeights = defineModel({
  id: 'fast-weights',
  title: 'Fast weights (Ba et al. 2016)',
  summary: 'An RNN whose per-sequence Hebbian matrix A ← λA + η h hᵀ is read by S inner settling steps.',
  paper: {
    title: 'Using Fast Weights to Attend to the Recent Past',
    authors: 'Ba, Hinton, Mnih, Leibo, Ionescu',
    year: 2016,
    url: 'https://arxiv.org/abs/1610.06258',
  },
  fields,
  learned: true,
  trainingDefaults: { learningRate: 2e-3, clipNorm: 5 },
  supports: () => null,
  create: (config, spec, rng) => new FastWeights(config, spec, rng),
  example: {
    task: 'associative-recall',
    taskConfig: { pairs: 4, queries: 3 },
    modelConfig: { hiddenSize: 5, innerSteps: 2, readSteps: 2, readoutSize: 7 },
  },
});
