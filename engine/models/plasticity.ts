/**
 * Differentiable plasticity — a recurrent network whose connections carry a Hebbian trace.
 *
 * Miconi, Stanley, Clune. "Differentiable plasticity: training plastic neural networks with
 * backpropagation." ICML 2018. https://arxiv.org/abs/1804.02464 (official code:
 * uber-research/differentiable-plasticity, simple/simplest.py).
 *
 * Idea: every recurrent connection has a fixed weight w_ij and a plastic part α_ij·Hebb_ij, where the
 * Hebbian trace Hebb accumulates the co-activity of its two neurons during the episode. The trace is
 * the memory: a few presentations of a pattern imprint it, and a degraded copy later recalls it
 * through the plastic weights, like a Hopfield network whose plasticity per connection was learned.
 * w, α and the plasticity rate η are slow parameters learned by backpropagation through the episode.
 * `rule: 'none'` is the paper's non-plastic control: the same network with α ≡ 0 and no trace.
 *
 * Symbols (B batch, N neurons, row-vector convention of the official code):
 *   | paper   | code              | shape      |
 *   | x_t     | items[:, t]       | [B, D_in]  |
 *   | y_t     | y                 | [B, N]     | activations
 *   | Hebb_t  | hebb              | [B, N, N]  | Hebbian trace, row = presynaptic, column = postsynaptic
 *   | w       | w                 | [N, N]     | fixed (slow) recurrent weights
 *   | α       | alpha             | [N, N]     | plasticity coefficients
 *   | η       | sigmoid(etaLogit) | []         | plasticity rate, in (0, 1)
 *   | —       | input.W, input.b  | [D_in, N]  | input drive
 *   | —       | readout           | [N, D_out] | linear readout
 *
 * Equations (Miconi et al. §3, eqs. 1–2; Oja variant §4.3):
 *   (1) u_t = x_t C + b
 *   (2) y_t = tanh(y_{t−1} (w + α ⊙ Hebb_t) + u_t)
 *   (3) decay: Hebb_{t+1} = (1 − η) Hebb_t + η y_{t−1}ᵀ y_t
 *   (3') oja:  Hebb_{t+1} = Hebb_t + η y_t ⊙ (y_{t−1}ᵀ − Hebb_t ⊙ y_t)   (per connection i→j: η y_j (y_i − Hebb_ij y_j))
 *   (4) output = act(y W_out + b_out)     (act from the task: tanh for ±1 patterns)
 *   none: α ≡ 0 and no trace, so (2) is y_t = tanh(y_{t−1} w + u_t).
 *
 * Deviations: the input enters through a learned linear map C instead of being added to N = D neurons
 * with a fixed gain of 20, and a learned linear readout replaces reading the neurons directly, so
 * that the model serves any task width; when N = D_in, C starts as the paper's wiring, 3·I (from a
 * Glorot-normal C the same network needs several times more steps: 0.167 vs 0.086 error after 400
 * steps on 32-bit pattern completion); η is learned through a sigmoid (keeps the decay rule
 * bounded) where simplest.py fixes it at 0.01. Reading continues the sequence: each query is fed for
 * `readSteps` steps (the paper shows the test pattern for 6) from its own copy of {y, Hebb}, and the
 * trace keeps learning during those steps as in the paper.
 *
 * Size: N is `hiddenSize` when set; when null, the largest N with N² + N ≤ budgetFloats (90 at
 * 8,256). Memory floats: N² + N (trace and activations; the activations carry state from write to
 * read too, as in fast weights' R² + R); N for `rule: 'none'`.
 */
import * as tf from '@tensorflow/tfjs';
import { auto, choice, int, type ConfigOf } from '../core/config';
import { reconstructionLoss } from '../core/episode';
import { applyDense, constantParam, dense, matMul2d, param, type Dense } from '../core/layers';
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

/** Initial gain of the one-to-one input wiring (Miconi et al. fix it at 20; tanh(3) ≈ 0.995 already clamps). */
const INPUT_GAIN = 3;

const fields = {
  hiddenSize: {
    ...auto('neurons N; wins over budgetFloats when set; null: the largest N with N² + N ≤ budgetFloats', {
      min: 1,
      integer: true,
    }),
    default: 64,
  },
  budgetFloats: int(8256, 'memory budget in floats (N² + N), used only when hiddenSize is null', { min: 2 }),
  rule: choice(
    ['decay', 'oja', 'none'] as const,
    'decay',
    "Hebbian rule: decay (Hebb ← (1−η)Hebb + η y_preᵀ y_post), oja (Oja's rule), none (non-plastic control, α ≡ 0)",
  ),
  readSteps: int(6, 'time steps each query is fed as input before the output is read (Miconi: 6)', { min: 1, max: 64 }),
};

export type PlasticityConfig = ConfigOf<typeof fields>;
export type HebbianRule = PlasticityConfig['rule'];

/** The memory: the activations and, for a plastic rule, the Hebbian trace. */
export type PlasticityState = {
  readonly y: tf.Tensor; // [B, N]
  readonly hebb?: tf.Tensor; // [B, N, N]
};

/** The neuron count a config asks for: hiddenSize when set, else the largest N with N² + N ≤ budgetFloats. */
export function plasticityHiddenSize(config: PlasticityConfig): number {
  if (config.hiddenSize !== null) return config.hiddenSize;
  return Math.floor((Math.sqrt(1 + 4 * config.budgetFloats) - 1) / 2);
}

/** (3) or (3'): the trace after one step from yPre [rows, N] to yPost [rows, N]; eta is a scalar in (0, 1). */
export function hebbianUpdate(
  rule: Exclude<HebbianRule, 'none'>,
  hebb: tf.Tensor,
  yPre: tf.Tensor,
  yPost: tf.Tensor,
  eta: tf.Tensor | number,
): tf.Tensor {
  return tf.tidy(() => {
    const pre = yPre.expandDims(2); // [rows, N, 1]
    const post = yPost.expandDims(1); // [rows, 1, N]
    switch (rule) {
      case 'decay':
        return hebb.mul(tf.sub(1, eta)).add(pre.mul(post).mul(eta)); // [rows, N, N]  (3)
      case 'oja':
        return hebb.add(post.mul(pre.sub(hebb.mul(post))).mul(eta)); // [rows, N, N]  (3')
    }
  });
}

export class Plasticity implements MemoryModel<PlasticityState> {
  readonly id = 'plasticity';
  readonly neurons: number;
  private readonly input: Dense;
  private readonly w: tf.Variable;
  /** The plastic part, absent for the non-plastic control. */
  private readonly plastic: {
    readonly rule: Exclude<HebbianRule, 'none'>;
    readonly alpha: tf.Variable; // [N, N]
    readonly etaLogit: tf.Variable; // []
  } | null;
  private readonly readout: Readout;

  constructor(
    readonly config: PlasticityConfig,
    readonly spec: TaskSpec,
    rng: Rng,
  ) {
    const N = plasticityHiddenSize(config);
    this.neurons = N;
    // One neuron per input bit, as in the paper: start from its wiring (bit i drives neuron i, with a
    // gain that nearly saturates tanh); any other width starts from a Glorot-normal C.
    this.input =
      spec.inputDim === N
        ? { W: tf.tidy(() => tf.variable(tf.eye(N).mul(INPUT_GAIN), true)), b: constantParam([N], 0) }
        : dense(rng, spec.inputDim, N);
    // w and α start at 0.01·N(0, 1) as in the official code; η at 0.01.
    this.w = param(rng, [N, N], 0.01);
    this.plastic =
      config.rule === 'none'
        ? null
        : { rule: config.rule, alpha: param(rng, [N, N], 0.01), etaLogit: constantParam([], Math.log(0.01 / 0.99)) };
    this.readout = readoutLayers(rng, N, 0, spec.outputDim);
  }

  initialState(batchSize: number): PlasticityState {
    const N = this.neurons;
    const y = tf.zeros([batchSize, N]);
    return this.plastic ? { y, hebb: tf.zeros([batchSize, N, N]) } : { y };
  }

  write(state: PlasticityState, items: tf.Tensor): PlasticityState {
    return tf.tidy(() => {
      const drives = tf.unstack(applyDense(this.input, items), 1); // N_items × [B, N]  (1)
      let y = state.y; // [B, N]
      let hebb = state.hebb ?? null; // [B, N, N]
      for (const u of drives) {
        const next = this.step(u.expandDims(1), y, hebb).squeeze([1]); // [B, N]  (2)
        if (hebb) hebb = this.learn(hebb, y, next); // [B, N, N]  (3)
        y = next;
      }
      return hebb ? { y: y.clone(), hebb: hebb.clone() } : { y: y.clone() };
    });
  }

  read(state: PlasticityState, queries: tf.Tensor): ReadResult {
    return tf.tidy(() => {
      const [batch, q] = queries.shape as [number, number, number];
      const N = this.neurons;
      const u = applyDense(this.input, queries); // [B, Q, N]  (1)
      let y: tf.Tensor;
      if (this.config.readSteps === 1) {
        y = this.step(u, state.y, state.hebb ?? null); // [B, Q, N]  (2)
      } else {
        const uRows = u.reshape([batch * q, 1, N]); // [B·Q, 1, N]
        let hebb = state.hebb ? perQuery(state.hebb, q) : null; // [B·Q, N, N]
        y = perQuery(state.y, q); // [B·Q, N]
        for (let s = 0; s < this.config.readSteps; s++) {
          const next = this.step(uRows, y, hebb).squeeze([1]); // [B·Q, N]  (2)
          if (hebb && s + 1 < this.config.readSteps) hebb = this.learn(hebb, y, next); // [B·Q, N, N]  (3)
          y = next;
        }
      }
      const retrieved = applyReadout(this.readout, y, this.spec.output).reshape([batch, q, this.spec.outputDim]); // [B, Q, D_out]  (4)
      return { retrieved };
    });
  }

  /**
   * One step for `rows` sequences, each continued by q inputs that share its previous activations
   * and trace: u [rows, q, N], y [rows, N], hebb [rows, N, N] → [rows, q, N].
   */
  step(u: tf.Tensor, y: tf.Tensor, hebb: tf.Tensor | null): tf.Tensor {
    const recurrent =
      hebb && this.plastic
        ? tf.matMul(y.expandDims(1), hebb.mul(this.plastic.alpha).add(this.w)) // [rows, 1, N]  y (w + α ⊙ Hebb)
        : matMul2d(y as tf.Tensor2D, this.w as tf.Tensor2D).expandDims(1); // [rows, 1, N]  y w
    return tf.tanh(recurrent.add(u)); // [rows, q, N]  (2)
  }

  /** The trace after the step from yPre to yPost, by the configured rule with η = sigmoid(etaLogit). */
  private learn(hebb: tf.Tensor, yPre: tf.Tensor, yPost: tf.Tensor): tf.Tensor {
    const plastic = this.plastic!;
    return hebbianUpdate(plastic.rule, hebb, yPre, yPost, tf.sigmoid(plastic.etaLogit)); // [rows, N, N]  (3)
  }

  loss(episode: Episode, task: Task) {
    return reconstructionLoss(this, episode, task);
  }

  variables(): Readonly<Record<string, tf.Variable>> {
    return {
      'input.W': this.input.W,
      'input.b': this.input.b,
      w: this.w,
      ...(this.plastic ? { alpha: this.plastic.alpha, etaLogit: this.plastic.etaLogit } : {}),
      ...readoutVariables(this.readout),
    };
  }

  memoryFloats(): number {
    const N = this.neurons;
    return this.plastic ? N * N + N : N;
  }

  dispose(): void {
    for (const v of Object.values(this.variables())) v.dispose();
  }
}

export const plasticity = defineModel({
  id: 'plasticity',
  title: 'Differentiable plasticity (Miconi et al. 2018)',
  summary: 'A recurrent net with learned per-connection Hebbian plasticity y = tanh((w + α⊙Hebb) y + input).',
  paper: {
    title: 'Differentiable plasticity: training plastic neural networks with backpropagation',
    authors: 'Miconi, Stanley, Clune',
    year: 2018,
    url: 'https://arxiv.org/abs/1804.02464',
  },
  fields,
  learned: true,
  trainingDefaults: { learningRate: 3e-3, clipNorm: 5 },
  supports: () => null,
  create: (config, spec, rng) => new Plasticity(config, spec, rng),
  example: {
    task: 'pattern-completion',
    taskConfig: { dim: 7, patterns: 3, presentSteps: 2, cycles: 1, gapSteps: 1, queries: 3 },
    modelConfig: { hiddenSize: 5, rule: 'oja', readSteps: 2 },
  },
});
