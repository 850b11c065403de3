/**
 * Neural Bloom Filter — a meta-learned, one-shot approximate set-membership memory.
 *
 * Rae, Bartunov, Lillicrap. "Meta-Learning Neural Bloom Filters." ICML 2019.
 * https://arxiv.org/abs/1906.04304 (Algorithm 1; space accounting §5.1 and App. B).
 *
 * Idea: a small memory M of K slots with words of width W. Every item is encoded (z), addressed by a
 * softmax over a learned address matrix (a), and written additively as a learned word w spread over
 * the slots it addresses. Because the write is a sum, it is order-invariant and needs no
 * backpropagation through time. A query reads the memory component-wise through its own address,
 * and an MLP turns the read, its word and its code into a familiarity logit. Trained across episodes,
 * the filter learns to spend its few floats on what distinguishes the sets of its distribution: on
 * class-based MNIST sets a class token suffices, far below a Bloom filter's n·1.44·log₂(1/ε) bits; on
 * uniform sets there is nothing to exploit and it is no better.
 *
 * Symbols (B batch, n items written, Q queries, K slots, W word size, C key size, H hidden width):
 *   | paper  | code        | shape        |
 *   | x      | items       | [B, n, D]    |
 *   | z      | encode(x)   | [B, n, H]    | f_enc: two leaky-ReLU layers
 *   | q      | query(z)    | [B, n, C]    | f_q: one hidden layer, then LayerNorm
 *   | A      | addresses   | [C, K]       | slow address matrix
 *   | a      | a           | [B, n, K]    | addressing weights
 *   | w      | word(z)     | [B, n, W]    | f_w: one hidden layer
 *   | M      | M           | [B, W, K]    | the memory (the only fast state)
 *   | o      | retrieved   | [B, Q, 1]    | familiarity logit minus the threshold τ
 *
 * Equations (Algorithm 1):
 *   (1) z = f_enc(x),  q = f_q(z),  w = f_w(z)
 *   (2) a = softmax(qᵀA)
 *   (3) write: M ← M + Σ_i w_i a_iᵀ
 *   (4) read: r = flatten(M ⊙ a)
 *   (5) o = f_out([r, w, z]) − τ     ("member" ⇔ o > 0)
 *
 * Deviations: the encoder is an MLP (the paper's 3-layer CNN for MNIST has no filter gradient on the
 * wasm backend, and the strings sampler gives flat one-hot inputs); f_out is a 2-layer MLP instead of
 * a 3-layer residual one; LayerNorm normalises q only (on a word of width 2 it would leave only ±1);
 * dense softmax addressing (the paper's sparse top-k variant with sphering is for large K); the
 * operating threshold τ is part of the model (config `threshold`, set by `calibrateThreshold`).
 *
 * Space (§5.1): memoryBits = 32 · K · W. The set-membership task adds the backup Bloom filter for the
 * false negatives at τ (fnr · n · 1.44 log₂(2/α)); `calibrateThreshold` puts the filter's own FPR at
 * α/2, the split the paper uses, so that filter and backup together stay at α.
 */
import * as tf from '@tensorflow/tfjs';
import { int, real, type ConfigOf } from '../core/config';
import { reconstructionLoss, runEpisode } from '../core/episode';
import { applyDense, constantParam, dense, layerNorm, matMul2d, param, type Dense } from '../core/layers';
import {
  defineModel,
  type Episode,
  type MemoryModel,
  type ReadResult,
  type Task,
  type TaskSpec,
} from '../core/memory-model';
import type { Rng } from '../core/random';
import { disposeEpisode, disposeRead, disposeState } from '../core/tensors';

const fields = {
  slots: int(4, 'memory slots K (the paper sweeps 2 … 64)', { min: 1, max: 4096 }),
  wordSize: int(2, 'word width W (the paper sweeps 2 … 10)', { min: 1, max: 256 }),
  keySize: int(32, 'width C of the query and of the address matrix A', { min: 1, max: 1024 }),
  hiddenSize: int(128, 'width H of the encoder code z and of the hidden layers of f_q, f_w and f_out', { min: 1, max: 4096 }),
  threshold: real(0, 'operating threshold τ on the familiarity logit (calibrateThreshold sets it for a target FPR)'),
};

export type NeuralBloomFilterConfig = ConfigOf<typeof fields>;

/** The memory: one K-slot memory of W-wide words per episode. */
export type NeuralBloomFilterState = {
  readonly M: tf.Tensor; // [B, W, K]
};

/** What the controller computes for a batch of items or queries. */
interface Controls {
  readonly z: tf.Tensor; // [B, n, H]
  readonly a: tf.Tensor; // [B, n, K]
  readonly w: tf.Tensor; // [B, n, W]
}

export class NeuralBloomFilter implements MemoryModel<NeuralBloomFilterState> {
  readonly id = 'neural-bloom-filter';
  /** τ: reads return the familiarity logit minus τ. */
  threshold: number;
  private readonly encoder: readonly [Dense, Dense];
  private readonly queryNet: readonly [Dense, Dense];
  private readonly queryGain: tf.Variable;
  private readonly queryBias: tf.Variable;
  private readonly wordNet: readonly [Dense, Dense];
  private readonly addresses: tf.Variable;
  private readonly outNet: readonly [Dense, Dense, Dense];

  constructor(
    readonly config: NeuralBloomFilterConfig,
    readonly spec: TaskSpec,
    rng: Rng,
  ) {
    const { slots: K, wordSize: W, keySize: C, hiddenSize: H } = config;
    this.threshold = config.threshold;
    this.encoder = [dense(rng, spec.inputDim, H), dense(rng, H, H)];
    this.queryNet = [dense(rng, H, H), dense(rng, H, C)];
    this.queryGain = constantParam([C], 1);
    this.queryBias = constantParam([C], 0);
    this.wordNet = [dense(rng, H, H), dense(rng, H, W)];
    this.addresses = param(rng, [C, K], 1 / Math.sqrt(C));
    this.outNet = [dense(rng, K * W + W + H, H), dense(rng, H, H), dense(rng, H, 1)];
  }

  initialState(batchSize: number): NeuralBloomFilterState {
    return { M: tf.zeros([batchSize, this.config.wordSize, this.config.slots]) };
  }

  write(state: NeuralBloomFilterState, items: tf.Tensor): NeuralBloomFilterState {
    return tf.tidy(() => {
      const { a, w } = this.control(items);
      const update = tf.matMul(tf.transpose(w, [0, 2, 1]), a); // [B, W, K]  (3) Σ_i w_i a_iᵀ
      return { M: state.M.add(update) }; // [B, W, K]  (3)
    });
  }

  read(state: NeuralBloomFilterState, queries: tf.Tensor): ReadResult {
    return tf.tidy(() => {
      const [batch, q] = queries.shape as [number, number, number];
      const { slots: K, wordSize: W } = this.config;
      const { z, a, w } = this.control(queries);
      const r = state.M.expandDims(1).mul(a.expandDims(2)).reshape([batch, q, W * K]); // [B, Q, W·K]  (4)
      const features = tf.concat([r, w, z], -1); // [B, Q, W·K + W + H]
      const hidden = tf.leakyRelu(applyDense(this.outNet[1], tf.leakyRelu(applyDense(this.outNet[0], features)))); // [B, Q, H]
      const logit = applyDense(this.outNet[2], hidden); // [B, Q, 1]  (5)
      return { retrieved: logit.sub(this.threshold), weights: a }; // [B, Q, 1], [B, Q, K]
    });
  }

  /** (1)–(2) The code, address and word of every item or query. */
  private control(x: tf.Tensor): Controls {
    const z = tf.leakyRelu(applyDense(this.encoder[1], tf.leakyRelu(applyDense(this.encoder[0], x)))); // [B, n, H]  (1)
    const q = layerNorm(applyDense(this.queryNet[1], tf.leakyRelu(applyDense(this.queryNet[0], z))), this.queryGain, this.queryBias); // [B, n, C]  (1)
    const w = applyDense(this.wordNet[1], tf.leakyRelu(applyDense(this.wordNet[0], z))); // [B, n, W]  (1)
    const [batch, n] = x.shape as [number, number, number];
    const scores = matMul2d(q.reshape([batch * n, -1]) as tf.Tensor2D, this.addresses as tf.Tensor2D); // [B·n, K]  qᵀA
    const a = tf.softmax(scores).reshape([batch, n, this.config.slots]); // [B, n, K]  (2)
    return { z, a, w };
  }

  loss(episode: Episode, task: Task) {
    return reconstructionLoss(this, episode, task);
  }

  variables(): Readonly<Record<string, tf.Variable>> {
    const named = (prefix: string, layers: readonly Dense[]) =>
      Object.fromEntries(layers.flatMap((l, i) => [[`${prefix}.${i}.W`, l.W], [`${prefix}.${i}.b`, l.b]]));
    return {
      ...named('encoder', this.encoder),
      ...named('query', this.queryNet),
      'query.norm.gain': this.queryGain,
      'query.norm.bias': this.queryBias,
      ...named('word', this.wordNet),
      addresses: this.addresses,
      ...named('out', this.outNet),
    };
  }

  memoryFloats(): number {
    return this.config.slots * this.config.wordSize;
  }

  /** The state at 32 bits per float (NBF §5.2: "a word of size 2 = 64 bits"). */
  memoryBits(): number {
    return 32 * this.memoryFloats();
  }

  dispose(): void {
    for (const v of Object.values(this.variables())) v.dispose();
  }
}

/**
 * The threshold at which a fraction `fpr` of the non-member queries of `episodes` held-out episodes
 * read as members: the (⌊fpr · count⌋ + 1)-th largest non-member logit. Sets it on the model and
 * returns it. Draw the episodes from a generator of their own, so that the episodes the FPR is then
 * measured on are not the ones it was calibrated on.
 */
export function calibrateThreshold(
  model: NeuralBloomFilter,
  task: Task,
  options: { readonly rng: Rng; readonly fpr: number; readonly episodes: number; readonly batchSize: number },
): number {
  const logits: number[] = [];
  const previous = model.threshold;
  model.threshold = 0;
  for (let done = 0; done < options.episodes; done += options.batchSize) {
    const episode = task.sample(options.rng, Math.min(options.batchSize, options.episodes - done), 'test');
    const { state, read } = runEpisode(model, episode);
    const raw = read.retrieved.dataSync();
    const member = episode.targets.dataSync();
    for (let i = 0; i < raw.length; i++) if (member[i] === 0) logits.push(raw[i]!);
    disposeState(state);
    disposeRead(read);
    disposeEpisode(episode);
  }
  if (logits.length === 0) {
    model.threshold = previous;
    throw new Error('calibrateThreshold: the episodes held no non-member queries');
  }
  logits.sort((x, y) => y - x);
  model.threshold = logits[Math.min(logits.length - 1, Math.floor(options.fpr * logits.length))]!;
  return model.threshold;
}

export const neuralBloomFilter = defineModel({
  id: 'neural-bloom-filter',
  title: 'Neural Bloom Filter (Rae et al. 2019)',
  summary: 'Additive one-shot writes M ← M + w aᵀ into K slots; an MLP reads M ⊙ a into a familiarity logit.',
  paper: {
    title: 'Meta-Learning Neural Bloom Filters',
    authors: 'Rae, Bartunov, Lillicrap',
    year: 2019,
    url: 'https://arxiv.org/abs/1906.04304',
  },
  fields,
  learned: true,
  trainingDefaults: { learningRate: 1e-3, clipNorm: 5 },
  supports: (spec) =>
    spec.output !== 'familiarity'
      ? 'a neural Bloom filter answers membership queries (familiarity output)'
      : spec.sequential
        ? 'its additive write forgets order; it stores sets, not sequences'
        : null,
  create: (config, spec, rng) => new NeuralBloomFilter(config, spec, rng),
  example: {
    task: 'set-membership',
    taskConfig: { sampler: 'strings', setSize: 7, queries: 6 },
    modelConfig: { slots: 3, wordSize: 2, keySize: 5, hiddenSize: 11 },
  },
});
