/**
 * Dynamic Kanerva Machine — the Kanerva memory addressed by inference, read as an attractor.
 *
 * Wu, Wayne, Gregor, Lillicrap. "Learning Attractor Dynamics for Generative Memory." NeurIPS 2018.
 * https://arxiv.org/abs/1810.09586. Memory after DeepMind's `memory.py`
 * (google-deepmind/dynamic-kanerva-machines). Engine layer; runs in the kernel, the CLI and tests.
 *
 * Idea: the memory and its exact Bayesian write are the Kanerva Machine's (kanerva-memory.ts), but
 * there is no address network: the weights w of a code z are the ridge-regression solution that
 * best explains z from the memory's rows. A read can then be repeated — decode the read, encode it
 * again, solve for w, read — and the paper shows that a likelihood-based Lyapunov function falls
 * along these iterations, so noisy queries are cleaned up step by step. Training does not simulate
 * the dynamics (it reads once), which avoids vanishing gradients through the iterations.
 *
 * Symbols (B batch, N items, Q queries, D item width, K rows, C code width, I read iterations):
 *   | paper | code        | shape          |
 *   | e, d  | codec       | D→C, C→D       | encoder/decoder (kanerva-machine.ts KanervaCodec)
 *   | R, U  | mean, cov   | [B,K,C],[B,K,K]| the memory
 *   | w*    | weights     | [B, Q, K]      | ridge addresses (of the last iteration)
 *   | λ     | lambda      | []             | σ_ξ² / σ_w²
 *   | x̂⁽ⁱ⁾ | iterates    | [I+1, B, Q, D] | the query, then every decoded read
 *
 * Equations:
 *   (1) z_t = e(x_t);  w_t = (R Rᵀ + λI)⁻¹ R z_t  against the memory before the write
 *   (2) q(M) = online posterior after writing (z_t, w_t), t = 1…N      kanerva-memory (1)–(5)
 *   (3) read iteration: x̂⁽ⁱ⁾ = d(w⁽ⁱ⁾ᵀ R),  w⁽ⁱ⁾ = (R Rᵀ + λI)⁻¹ R e(x̂⁽ⁱ⁻¹⁾),  x̂⁽⁰⁾ = x̃
 *   (4) loss = (1/I_t) Σ_{i≤I_t} task loss(x̂⁽ⁱ⁾, x) + ρ · task loss(d(w_tᵀR), x_t) + Σ KL_w / ((N + Q)·D) + KL_M / (N·D),
 *       w_t = (R Rᵀ + λI)⁻¹ R e(x_t) against the memory after the write   (the paper's data term; ρ storedWeight)
 *
 * The K×K ridge system is solved by Cholesky factorisation and two triangular solves
 * (core/linalg.ts): R Rᵀ + λI is symmetric positive definite for λ > 0.
 *
 * Deviations from the paper:
 * - All N addresses of a write are solved against the memory as it was before the write (one K×K
 *   factorisation per write); DeepMind's code solves each item's w against the memory updated by the
 *   items before it, one factorisation per item. The posterior update itself is the exact online one.
 * - Latents at their means, MLP codec, per-pixel KL: as for the Kanerva Machine (kanerva-machine.ts).
 * - The data term has two parts. The paper's is the likelihood of the written items read back through
 *   the posterior memory (term ρ of (4)); Engram adds the reconstruction of corrupted queries, which is
 *   what its tasks score. With the query term alone (ρ = 0, how this model was first trained here) the
 *   stored items are not fixed points of the read: a clean stored item read back once had 25–38 wrong
 *   pixels, and every iteration after the first moved further away (MNIST, salt-and-pepper 0.2, 600
 *   steps: 78 → 36 → 43 → … → 83 error bits after eight reads; neither I_t = 2 or 4, 3 000 steps,
 *   thresholding the iterate nor a smaller σ_ξ removed the drift). With the paper's term the stored
 *   items become attractors: `engram experiment dynamic-kanerva` (2 000 steps) measures the curves,
 *   and ρ = 4 gave the lowest curve of ρ ∈ {1, 2, 4} on block occlusion. Training on the paper's term
 *   alone (clean items, no corrupted queries) left an MLP encoder that maps salt-and-pepper queries to
 *   noise, so both terms stay.
 * - `trainIterations` (I_t) lets the query term average over the first I_t read iterates; the
 *   default 1 is the paper's one-shot training.
 *   `iterations` sets how often read() iterates.
 *
 * Memory floats: K·C + K², K and C from `budgetFloats` as for the Kanerva Machine.
 */
import * as tf from '@tensorflow/tfjs';
import { int, real, type ConfigOf } from '../core/config';
import { constantParam, param } from '../core/layers';
import { defineModel, type Episode, type LossResult, type MemoryModel, type ReadResult, type Task, type TaskSpec } from '../core/memory-model';
import type { Rng } from '../core/random';
import { tidy } from '../core/tensors';
import { ADDRESS_PRIOR_STD, KanervaCodec, kanervaFields, kanervaSupports } from './kanerva-machine';
import { kanervaShape, klAddress, klMemory, priorState, readMean, solveWeights, writeOnline, type KanervaMemoryState } from './kanerva-memory';

const fields = {
  ...kanervaFields,
  iterations: int(3, 'attractor read iterations (encode → solve w → read → decode)', { min: 1, max: 100 }),
  trainIterations: int(1, 'read iterations the loss averages over (1: one-shot training, as the paper)', { min: 1, max: 10 }),
  storedWeight: real(4, "weight of the paper's data term: the written items read back through the posterior memory (0: queries only)", { min: 0, max: 100 }),
};

export type DynamicKanervaConfig = ConfigOf<typeof fields>;

export class DynamicKanerva implements MemoryModel<KanervaMemoryState> {
  readonly id = 'dynamic-kanerva';
  readonly rows: number;
  readonly codeSize: number;
  readonly codec: KanervaCodec;
  private readonly priorMean: tf.Variable; // [K, C]
  private readonly priorLogVar: tf.Variable; // [K]
  private readonly logAddressStd: tf.Variable; // []
  /** λ = σ_ξ² / σ_w² (DeepMind's l2_regularizer). */
  private readonly lambda: number;

  constructor(
    readonly config: DynamicKanervaConfig,
    readonly spec: TaskSpec,
    rng: Rng,
  ) {
    const shape = kanervaShape('model dynamic-kanerva', config.budgetFloats, config.rows, config.codeSize);
    this.rows = shape.rows;
    this.codeSize = shape.codeSize;
    this.codec = new KanervaCodec(rng, spec, this.codeSize, config.hidden, 0);
    this.priorMean = param(rng, [this.rows, this.codeSize], 1);
    this.priorLogVar = constantParam([this.rows], 0);
    this.logAddressStd = constantParam([], Math.log(0.3));
    this.lambda = config.noiseStd ** 2 / ADDRESS_PRIOR_STD ** 2;
  }

  initialState(batchSize: number): KanervaMemoryState {
    return priorState(this.priorMean, this.priorLogVar, batchSize);
  }

  write(state: KanervaMemoryState, items: tf.Tensor): KanervaMemoryState {
    return tidy(() => this.writeWithWeights(state, items).state);
  }

  read(state: KanervaMemoryState, queries: tf.Tensor): ReadResult {
    return tidy(() => this.iterate(state, queries, this.config.iterations));
  }

  /** Reads with a given number of iterations, whatever the config says (for iteration curves). */
  readIterations(state: KanervaMemoryState, queries: tf.Tensor, iterations: number): ReadResult {
    return tidy(() => this.iterate(state, queries, iterations));
  }

  loss(episode: Episode, task: Task): LossResult {
    return tidy(() => {
      const n = episode.items.shape[1]!;
      const d = this.spec.outputDim;
      const prior = this.initialState(episode.items.shape[0]!);
      const { state, weights } = this.writeWithWeights(prior, episode.items);
      const read = this.iterate(state, episode.queries, this.config.trainIterations);
      const iterates = read.iterates!.unstack().slice(1); // I_t × [B, Q, D]
      const reconstruction = tf.addN(iterates.map((x) => task.loss(x, episode.targets))).div(iterates.length) as tf.Scalar; // (4)
      const storedRead = this.iterate(state, episode.items, 1); // the written items, read back once
      const stored = task.loss(storedRead.retrieved, episode.items).mul(this.config.storedWeight) as tf.Scalar; // (4)
      const allWeights = tf.concat([weights, read.weights!], 1); // [B, N + Q, K]
      const klAddressTerm = klAddress(allWeights, this.logAddressStd, ADDRESS_PRIOR_STD).mean().div(d) as tf.Scalar; // (4)
      const klMemoryTerm = klMemory(state, this.priorMean, this.priorLogVar).mean().div(n * d) as tf.Scalar; // (4)
      const total = reconstruction.add(stored).add(klAddressTerm).add(klMemoryTerm) as tf.Scalar;
      return { total, terms: { reconstruction, stored, klAddress: klAddressTerm, klMemory: klMemoryTerm }, read };
    });
  }

  variables(): Readonly<Record<string, tf.Variable>> {
    return { ...this.codec.variables(), priorMean: this.priorMean, priorLogVar: this.priorLogVar, logAddressStd: this.logAddressStd };
  }

  memoryFloats(): number {
    return this.rows * this.codeSize + this.rows * this.rows;
  }

  dispose(): void {
    for (const v of Object.values(this.variables())) v.dispose();
  }

  /** (1)–(2); also returns the addresses, for the KL term. */
  private writeWithWeights(state: KanervaMemoryState, items: tf.Tensor): { state: KanervaMemoryState; weights: tf.Tensor } {
    const z = this.codec.encode(items).code; // [B, N, C]  (1)
    const weights = solveWeights(state.mean, z, this.lambda); // [B, N, K]  (1)
    return { state: writeOnline(state, z, weights, this.config.noiseStd ** 2), weights }; // (2)
  }

  /** (3) `iterations` times; the query is the first iterate. */
  private iterate(state: KanervaMemoryState, queries: tf.Tensor, iterations: number): ReadResult {
    const iterates = [queries];
    let weights = tf.zeros([0]);
    let x = queries; // [B, Q, D]
    for (let i = 0; i < iterations; i++) {
      const z = this.codec.encode(x).code; // [B, Q, C]
      weights = solveWeights(state.mean, z, this.lambda); // [B, Q, K]  (3)
      x = this.codec.decode(readMean(state, weights)); // [B, Q, D]  (3)
      iterates.push(x);
    }
    return { retrieved: x, weights, iterates: tf.stack(iterates) }; // [B, Q, D], [B, Q, K], [I+1, B, Q, D]
  }
}

export const dynamicKanerva = defineModel({
  id: 'dynamic-kanerva',
  title: 'Dynamic Kanerva Machine',
  summary: 'The Kanerva memory addressed by ridge regression against its rows, read iteratively as an attractor.',
  paper: {
    title: 'Learning Attractor Dynamics for Generative Memory',
    authors: 'Wu, Wayne, Gregor, Lillicrap',
    year: 2018,
    url: 'https://arxiv.org/abs/1810.09586',
  },
  fields,
  learned: true,
  trainingDefaults: { learningRate: 1e-3 },
  supports: kanervaSupports,
  create: (config, spec, rng) => new DynamicKanerva(config, spec, rng),
  example: {
    task: 'binary-recall',
    taskConfig: { dim: 7, setSize: 3, corruptBits: 2 },
    modelConfig: { budgetFloats: 14, rows: 2, codeSize: 5, iterations: 2 },
  },
});
