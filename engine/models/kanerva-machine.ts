/**
 * Kanerva Machine — a generative distributed memory with an exact Bayesian write.
 *
 * Wu, Wayne, Graves, Lillicrap. "The Kanerva Machine: A Generative Distributed Memory." ICLR 2018.
 * https://arxiv.org/abs/1804.01756. Engine layer; runs in the kernel, the CLI and tests.
 *
 * Idea: an encoder turns each item into a code z and a learned address network into weights w over
 * the K rows of a Gaussian memory M. Writing is exact Bayesian inference of M given (w, z) — a
 * Kalman-filter step per item, nothing optimised at write time (kanerva-memory.ts). Reading
 * addresses M with the query's weights, takes the mean code wᵀR and decodes it. What is learned
 * across episodes is the encoder, decoder, address network and the prior R₀, U₀, on the
 * reconstruction loss plus the KL terms of the variational bound.
 *
 * Symbols (B batch, N items, Q queries, D item width, H hidden width, K rows, C code width):
 *   | paper   | code          | shape      |
 *   | x       | items/queries | [B, N, D]  |
 *   | e(x)    | encoder       | D→H→C      | code z (images: MLP with ReLU; ±1 patterns: one linear map)
 *   | b(y)ᵀA  | address       | H→K        | address weights w (on the encoder's features)
 *   | d(z)    | decoder       | C→H→D      | task activation on the output (sigmoid for pixels, tanh for ±1)
 *   | R₀, U₀  | priorMean, priorLogVar | [K, C], [K] |
 *   | σ_w     | logAddressStd | []         | std of q(w), learned (DeepMind: initialised at 0.3)
 *
 * Equations (kanerva-memory.ts (1)–(9) for the memory):
 *   (1) z_t = e(x_t),  w_t = a(x_t)                                 for every written item
 *   (2) q(M) = posterior after writing (z_t, w_t), t = 1…N, online   kanerva-memory (1)–(5)
 *   (3) x̂ = d(w_qᵀ R),  w_q = a(x̃_q)                              read of a corrupted query
 *   (4) loss = task loss(x̂, x) + [Σ_t KL_w(t) + Σ_q KL_w(q)] / ((N + Q)·D) + KL_M / (N·D)
 *
 * Deviations from the paper:
 * - The latents are used at their means: y is not sampled (the address network is one learned
 *   linear map from the encoder's features, folding b and A together), w and z are not sampled, and
 *   M is read at its mean. Engram scores denoising of corrupted queries, where the means are what a
 *   read should return, and they keep reads deterministic under a seed. The KL terms of w and M stay,
 *   so the loss is the paper's bound with the reconstruction term at the posterior means.
 * - The reconstruction term is the task's loss on the read of corrupted queries (binary cross-entropy
 *   per pixel for binary images), not the likelihood of the written items; the KL terms are divided by
 *   the item width so that they are per pixel, like the reconstruction term.
 * - The encoder and decoder are MLPs, not the paper's convolutional networks: convolution backward
 *   passes are slow on the CPU backend and missing on wasm (machine-probe §3).
 * - σ_ξ defaults to 0.1, not DeepMind's 1: with codes at their means, a large σ_ξ shrinks every
 *   stored code towards the prior. On MNIST with block occlusion (1 000 steps) σ_ξ = 1 left the memory
 *   behind its no-memory ablation (50.5 vs 46.1 error bits), σ_ξ = 0.1 put it ahead (40.4).
 * - `memory: 'none'` is the ablation the EBMM comparison needs: the same encoder and decoder with no
 *   memory, the decoder reading the query's own code, x̂ = d(e(x̃)). It has no memory floats.
 *
 * Memory floats: K·C + K² (mean and full row covariance); K and C follow from `budgetFloats`
 * (kanervaShape: K = ⌊√(budget/4)⌋, C = ⌊(budget − K²)/K⌋ unless set).
 */
import * as tf from '@tensorflow/tfjs';
import { auto, choice, int, real, type ConfigOf } from '../core/config';
import { applyDense, constantParam, dense, outputActivation, param, type Dense } from '../core/layers';
import {
  defineModel,
  type Episode,
  type LossResult,
  type MemoryModel,
  type ReadResult,
  type Task,
  type TaskSpec,
} from '../core/memory-model';
import type { Rng } from '../core/random';
import { tidy } from '../core/tensors';
import {
  kanervaShape,
  klAddress,
  klMemory,
  priorState,
  readMean,
  writeOnline,
  type KanervaMemoryState,
} from './kanerva-memory';

/** Prior std of the address weights (DeepMind's w_prior_stddev). */
export const ADDRESS_PRIOR_STD = 1;

/** Fields the two Kanerva models share. */
export const kanervaFields = {
  budgetFloats: int(4224, 'memory budget in floats, K·C + K² (4 224 = DeepMind\'s 32 rows × 100)', { min: 2 }),
  rows: auto('memory rows K (null: ⌊√(budgetFloats/4)⌋)', { min: 1, integer: true }),
  codeSize: auto('code width C (null: the rest of the budget, ⌊(budgetFloats − K²)/K⌋)', { min: 1, integer: true }),
  hidden: int(256, 'hidden width of the image encoder and decoder (±1 patterns use linear maps)', { min: 1 }),
  noiseStd: real(1, 'observation noise σ_ξ of a code given the memory (DeepMind: 1)', { min: 1e-3 }),
};

const fields = {
  ...kanervaFields,
  noiseStd: real(0.1, 'observation noise σ_ξ of a code given the memory (DeepMind: 1; see the deviations)', { min: 1e-3 }),
  memory: choice(['bayesian', 'none'] as const, 'bayesian', 'the Bayesian memory, or none: the same encoder/decoder decoding the query\'s own code (ablation)'),
};

export type KanervaMachineConfig = ConfigOf<typeof fields>;

/**
 * The encoder/decoder pair both Kanerva models use: an MLP with ReLU for images, linear maps for
 * ±1 patterns (their codes need no hidden layer to be linearly recoverable).
 */
export class KanervaCodec {
  private readonly layers: Record<string, Dense>;

  constructor(
    rng: Rng,
    readonly spec: TaskSpec,
    readonly codeSize: number,
    hidden: number,
    /** Extra encoder outputs beside the code (the KM address weights), read from the same features. */
    readonly addressSize: number,
  ) {
    const d = spec.inputDim;
    this.layers =
      spec.output === 'image'
        ? {
            encodeHidden: dense(rng, d, hidden),
            encodeCode: dense(rng, hidden, codeSize),
            decodeHidden: dense(rng, codeSize, hidden),
            decodeOut: dense(rng, hidden, spec.outputDim),
            ...(addressSize > 0 ? { address: dense(rng, hidden, addressSize) } : {}),
          }
        : {
            encodeCode: dense(rng, d, codeSize),
            decodeOut: dense(rng, codeSize, spec.outputDim),
            ...(addressSize > 0 ? { address: dense(rng, d, addressSize) } : {}),
          };
  }

  /** Code z [.., C] and, with an address network, address weights [.., K] of inputs [.., D]. */
  encode(x: tf.Tensor): { code: tf.Tensor; address: tf.Tensor | null } {
    const { encodeHidden, encodeCode, address } = this.layers;
    const features = encodeHidden ? tf.relu(applyDense(encodeHidden, x)) : x; // [.., H] or [.., D]
    return {
      code: applyDense(encodeCode!, features), // [.., C]
      address: address ? applyDense(address, features) : null, // [.., K]
    };
  }

  /** Outputs [.., D_out] in the task's output space. */
  decode(z: tf.Tensor): tf.Tensor {
    const { decodeHidden, decodeOut } = this.layers;
    const features = decodeHidden ? tf.relu(applyDense(decodeHidden, z)) : z; // [.., H] or [.., C]
    return outputActivation(this.spec.output, applyDense(decodeOut!, features)); // [.., D_out]
  }

  variables(prefix = ''): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = {};
    for (const [name, layer] of Object.entries(this.layers)) {
      out[`${prefix}${name}.W`] = layer.W;
      out[`${prefix}${name}.b`] = layer.b;
    }
    return out;
  }
}

/** Where a Kanerva model's supports() draws the line: autoassociative sets of ±1 patterns or images. */
export function kanervaSupports(spec: TaskSpec): string | null {
  if (!spec.autoassociative || spec.inputDim !== spec.outputDim) return 'a Kanerva read reconstructs its query, so the task must be autoassociative';
  if (spec.output !== 'bipolar' && spec.output !== 'image') return `the decoder reconstructs ±1 patterns or images, not ${spec.output} outputs`;
  if (spec.sequential) return 'the Kanerva memory is exchangeable: it stores a set, not a sequence';
  return null;
}

export class KanervaMachine implements MemoryModel<KanervaMemoryState> {
  readonly id = 'kanerva-machine';
  readonly rows: number;
  readonly codeSize: number;
  readonly codec: KanervaCodec;
  private readonly priorMean: tf.Variable; // [K, C]
  private readonly priorLogVar: tf.Variable; // [K]
  private readonly logAddressStd: tf.Variable; // []

  constructor(
    readonly config: KanervaMachineConfig,
    readonly spec: TaskSpec,
    rng: Rng,
  ) {
    const shape = kanervaShape('model kanerva-machine', config.budgetFloats, config.rows, config.codeSize);
    this.rows = shape.rows;
    this.codeSize = shape.codeSize;
    const withMemory = config.memory === 'bayesian';
    this.codec = new KanervaCodec(rng, spec, this.codeSize, config.hidden, withMemory ? this.rows : 0);
    this.priorMean = param(rng, [this.rows, this.codeSize], 1);
    this.priorLogVar = constantParam([this.rows], 0);
    this.logAddressStd = constantParam([], Math.log(0.3));
  }

  initialState(batchSize: number): KanervaMemoryState {
    return priorState(this.priorMean, this.priorLogVar, batchSize);
  }

  write(state: KanervaMemoryState, items: tf.Tensor): KanervaMemoryState {
    if (this.config.memory === 'none') return tidy(() => ({ mean: state.mean.clone(), cov: state.cov.clone() }));
    return tidy(() => {
      const { code, address } = this.codec.encode(items); // [B, N, C], [B, N, K]  (1)
      return writeOnline(state, code, address!, this.config.noiseStd ** 2); // (2)
    });
  }

  read(state: KanervaMemoryState, queries: tf.Tensor): ReadResult {
    return tidy(() => {
      const { code, address } = this.codec.encode(queries); // [B, Q, C], [B, Q, K]
      if (this.config.memory === 'none') return { retrieved: this.codec.decode(code) }; // [B, Q, D]
      const z = readMean(state, address!); // [B, Q, C]  (3)
      return { retrieved: this.codec.decode(z), weights: address! }; // [B, Q, D], [B, Q, K]
    });
  }

  loss(episode: Episode, task: Task): LossResult {
    return tidy((): LossResult => {
      const n = episode.items.shape[1]!;
      const d = this.spec.outputDim;
      const prior = this.initialState(episode.items.shape[0]!);
      if (this.config.memory === 'none') {
        const read = this.read(prior, episode.queries);
        const reconstruction = task.loss(read.retrieved, episode.targets);
        return { total: reconstruction, terms: { reconstruction }, read };
      }
      const { code, address } = this.codec.encode(episode.items); // [B, N, C], [B, N, K]  (1)
      const written = writeOnline(prior, code, address!, this.config.noiseStd ** 2); // (2)
      const read = this.read(written, episode.queries); // (3)
      const reconstruction = task.loss(read.retrieved, episode.targets);
      const allAddresses = tf.concat([address!, read.weights!], 1); // [B, N + Q, K]
      const klAddressTerm = klAddress(allAddresses, this.logAddressStd, ADDRESS_PRIOR_STD).mean().div(d) as tf.Scalar; // (4)
      const klMemoryTerm = klMemory(written, this.priorMean, this.priorLogVar).mean().div(n * d) as tf.Scalar; // (4)
      const total = reconstruction.add(klAddressTerm).add(klMemoryTerm) as tf.Scalar;
      return { total, terms: { reconstruction, klAddress: klAddressTerm, klMemory: klMemoryTerm }, read };
    });
  }

  variables(): Readonly<Record<string, tf.Variable>> {
    const codec = this.codec.variables();
    if (this.config.memory === 'none') return codec;
    return { ...codec, priorMean: this.priorMean, priorLogVar: this.priorLogVar, logAddressStd: this.logAddressStd };
  }

  memoryFloats(): number {
    return this.config.memory === 'none' ? 0 : this.rows * this.codeSize + this.rows * this.rows;
  }

  dispose(): void {
    for (const v of [...Object.values(this.codec.variables()), this.priorMean, this.priorLogVar, this.logAddressStd]) v.dispose();
  }
}

export const kanervaMachine = defineModel({
  id: 'kanerva-machine',
  title: 'Kanerva Machine',
  summary: 'A Gaussian memory written by exact Bayesian updates, addressed by a learned network; learned prior and codec.',
  paper: {
    title: 'The Kanerva Machine: A Generative Distributed Memory',
    authors: 'Wu, Wayne, Graves, Lillicrap',
    year: 2018,
    url: 'https://arxiv.org/abs/1804.01756',
  },
  fields,
  learned: true,
  trainingDefaults: { learningRate: 1e-3 },
  supports: kanervaSupports,
  create: (config, spec, rng) => new KanervaMachine(config, spec, rng),
  example: {
    task: 'binary-recall',
    taskConfig: { dim: 7, setSize: 3, corruptBits: 2 },
    modelConfig: { budgetFloats: 14, rows: 2, codeSize: 5 },
  },
});
