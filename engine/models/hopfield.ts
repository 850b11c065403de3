/**
 * Classical Hopfield network — a binary attractor memory with a choice of writing rule.
 *
 * Hopfield. "Neural networks and physical systems with emergent collective computational
 * abilities." PNAS 79(8), 1982. https://doi.org/10.1073/pnas.79.8.2554
 * Storkey. "Increasing the capacity of a Hopfield network without sacrificing functionality."
 * ICANN 1997. Personnaz, Guyon, Dreyfus. "Information storage and retrieval in spin-glass like
 * neural networks." J. Physique Lettres 46, 1985 (the pseudo-inverse, or projection, rule).
 * Engine layer; runs in the kernel, the CLI and tests.
 *
 * Idea: ±1 patterns are stored in a symmetric weight matrix, each making itself a low point of the
 * energy E(x) = −½ xᵀWx. A read starts at the corrupted query and flips units towards their local
 * field until nothing changes: under unit-by-unit (asynchronous) updates every flip lowers E, so the
 * read ends in a nearby minimum, ideally the stored pattern. Nothing is learned across episodes; the
 * writing rule alone decides the capacity (EBMM Table 1 rows, reference §15 and §19.1).
 *
 * Symbols (B batch, N patterns written, Q queries, d units = item width):
 *   | paper | code      | shape      |
 *   | ξ^μ   | items     | [B, N, d]  | the stored ±1 patterns
 *   | W     | weights   | [B, d, d]  | symmetric couplings, self-couplings on the diagonal
 *   | h     | field     | [B, Q, d]  | local field W x
 *   | x     | iterate   | [B, Q, d]  | the read state, starting at the query
 *   | E     | energies  | [K+1, B, Q]| energy of every read iterate
 *
 * Equations (writes add to W, so several writes store the union of their patterns):
 *   (1) Hebb:      W ← W + (1/d) Σ_μ ξ^μ ξ^μᵀ, then the diagonal set to zero
 *   (2) Storkey:   W ← W + (1/d) (ξ ξᵀ − ξ hᵀ − h ξᵀ),  h_i = Σ_{k≠i} W_ik ξ_k,
 *                  applied pattern by pattern
 *   (3) Pseudo-inverse: W = X (XᵀX)⁻¹ Xᵀ for the d×N matrix X of patterns, the projection onto their
 *                  span; a later write adds the projection onto the part of the new patterns outside
 *                  that span: R = (I − W) X_new,  W ← W + R (RᵀR + εI)⁻¹ Rᵀ
 *   (4) synchronous read:  x ← sgn(W x), all units at once
 *   (5) asynchronous read: x_i ← sgn(Σ_j W_ij x_j), one unit at a time in a fixed seeded order
 *   (6) E(x) = −½ xᵀ W x                   with sgn(0) = +1 throughout
 *
 * The solve in (3) is a Cholesky factorisation of the N×N Gram matrix RᵀR with a tiny ridge
 * ε = 1e-6·d (core/linalg.ts), then two triangular solves; the ridge only matters when the new
 * patterns are (numerically) linearly dependent on the stored ones.
 *
 * Deviations and choices (the rules are written exactly as reference §15 states them):
 * - Only the Hebb rule zeroes the diagonal. Storkey's update and the projection produce
 *   self-couplings, and reads use them: that is what "d(d−1)/2 + d" floats count (a symmetric
 *   matrix with its diagonal), and with them the Storkey and pseudo-inverse rows land near EBMM
 *   Table 1 under erase 64 (`engram experiment capacity`). A negative self-coupling can let an
 *   asynchronous read raise E; the energy property holds for the Hebb rule's zero diagonal.
 * - Storkey's local field is the one reference §15 prints, h_i = Σ_{k≠i} W_ik ξ_k (Storkey 1997
 *   also excludes j in h_ij; the difference is O(1/d)).
 * - There is no bias (thresholds are zero): none of the three rules produces one.
 * - Reads are synchronous by default, as the issue defines the protocol; a synchronous read may end
 *   in a 2-cycle, and then stops at `maxIterations`.
 *
 * Memory floats: d(d−1)/2 + d, the count EBMM uses (8 256 at d = 128): the symmetric couplings plus
 * their diagonal.
 */
import * as tf from '@tensorflow/tfjs';
import { choice, int, type ConfigOf } from '../core/config';
import { reconstructionLoss } from '../core/episode';
import { choleskySolve } from '../core/linalg';
import { defineModel, type Episode, type MemoryModel, type ReadResult, type Task, type TaskSpec } from '../core/memory-model';
import type { Rng } from '../core/random';
import { tidy } from '../core/tensors';

const fields = {
  rule: choice(['hebb', 'storkey', 'pinv'] as const, 'hebb', 'writing rule: Hebb, Storkey (1997) or pseudo-inverse (projection)'),
  read: choice(['sync', 'async'] as const, 'sync', 'update schedule: all units at once, or one unit at a time in a seeded order'),
  maxIterations: int(50, 'cap on synchronous steps or asynchronous sweeps per read', { min: 1, max: 10000 }),
};

export type HopfieldConfig = ConfigOf<typeof fields>;

/** The memory: couplings per episode. */
export type HopfieldState = {
  readonly weights: tf.Tensor; // [B, d, d] symmetric; zero diagonal under the Hebb rule
};

/** Pseudo-inverse ridge per unit of pattern width (ε = RIDGE_PER_UNIT · d). */
const RIDGE_PER_UNIT = 1e-6;

/** sgn with sgn(0) = +1, as every rule here assumes. */
function signPlus(x: tf.Tensor): tf.Tensor {
  return tf.where(tf.greaterEqual(x, 0), tf.onesLike(x), tf.onesLike(x).neg());
}

/** E = −½ xᵀWx for every iterate: iterates [K+1, B, Q, d], weights [B, d, d] → [K+1, B, Q]. */
export function hopfieldEnergies(iterates: tf.Tensor, weights: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [k1, b, q, d] = iterates.shape as [number, number, number, number];
    const byEpisode = iterates.transpose([1, 0, 2, 3]).reshape([b, k1 * q, d]); // [B, (K+1)Q, d]
    const field = tf.matMul(byEpisode, weights); // [B, (K+1)Q, d]
    const e = field.mul(byEpisode).sum(-1).mul(-0.5); // [B, (K+1)Q]  (6)
    return e.reshape([b, k1, q]).transpose([1, 0, 2]); // [K+1, B, Q]
  });
}

export class Hopfield implements MemoryModel<HopfieldState> {
  readonly id = 'hopfield';
  readonly units: number;
  /** One unit order per asynchronous sweep, drawn once from the model's seed. */
  private readonly orders: readonly Int32Array[];

  constructor(
    readonly config: HopfieldConfig,
    readonly spec: TaskSpec,
    rng: Rng,
  ) {
    this.units = spec.inputDim;
    this.orders = Array.from({ length: config.maxIterations }, () => Int32Array.from(rng.permutation(this.units)));
  }

  initialState(batchSize: number): HopfieldState {
    return { weights: tf.zeros([batchSize, this.units, this.units]) };
  }

  write(state: HopfieldState, items: tf.Tensor): HopfieldState {
    return tidy(() => {
      switch (this.config.rule) {
        case 'hebb':
          return { weights: this.zeroDiagonal(state.weights.add(tf.matMul(items, items, true, false).div(this.units))) }; // [B, d, d]  (1)
        case 'storkey':
          return { weights: this.storkey(state.weights, items) };
        case 'pinv':
          return { weights: this.projection(state.weights, items) };
      }
    });
  }

  read(state: HopfieldState, queries: tf.Tensor): ReadResult {
    const weights = state.weights; // [B, d, d]
    const iterates = this.config.read === 'sync' ? this.readSync(weights, queries) : this.readAsync(weights, queries); // [K+1, B, Q, d]
    return tidy(() => {
      const k = iterates.shape[0]! - 1;
      const retrieved = iterates.slice([k], [1]).squeeze([0]); // [B, Q, d]
      return { retrieved, iterates, energies: hopfieldEnergies(iterates, weights) };
    });
  }

  loss(episode: Episode, task: Task) {
    return reconstructionLoss(this, episode, task);
  }

  variables() {
    return {};
  }

  memoryFloats(): number {
    return (this.units * (this.units - 1)) / 2 + this.units;
  }

  dispose(): void {}

  private zeroDiagonal(w: tf.Tensor): tf.Tensor {
    return w.mul(tf.scalar(1).sub(tf.eye(this.units))); // [B, d, d]
  }

  /** (2), pattern by pattern: h_i = Σ_{k≠i} W_ik ξ_k is W ξ minus the self-coupling term. */
  private storkey(weights: tf.Tensor, items: tf.Tensor): tf.Tensor {
    const [, n, d] = items.shape as [number, number, number];
    const eye = tf.eye(d); // [d, d]
    let w = weights; // [B, d, d]
    for (let mu = 0; mu < n; mu++) {
      const x = items.slice([0, mu, 0], [-1, 1, -1]); // [B, 1, d] row ξ
      const self = w.mul(eye).sum(-1).expandDims(1).mul(x); // [B, 1, d] W_ii ξ_i
      const h = tf.matMul(x, w).sub(self); // [B, 1, d] h_i = Σ_{k≠i} W_ik ξ_k (W symmetric)
      const xCol = x.transpose([0, 2, 1]); // [B, d, 1]
      const hCol = h.transpose([0, 2, 1]); // [B, d, 1]
      const delta = xCol.mul(x).sub(xCol.mul(h)).sub(hCol.mul(x)); // [B, d, d]  ξξᵀ − ξhᵀ − hξᵀ  (2)
      w = w.add(delta.div(d)); // [B, d, d]
    }
    return w;
  }

  /** (3): adds the projection onto the residual of the new patterns outside the stored span. */
  private projection(weights: tf.Tensor, items: tf.Tensor): tf.Tensor {
    const n = items.shape[1]!;
    const residual = items.sub(tf.matMul(items, weights)) as tf.Tensor3D; // [B, N, d]  R = (I − W) X, rows are patterns
    const gram = tf.matMul(residual, residual, false, true).add(tf.eye(n).mul(RIDGE_PER_UNIT * this.units)) as tf.Tensor3D; // [B, N, N]
    const solved = choleskySolve(gram, residual); // [B, N, d]  (RᵀR + εI)⁻¹ Rᵀ, one pattern per row
    return weights.add(tf.matMul(residual, solved, true, false)); // [B, d, d]  (3)
  }

  /** (4) until no unit changes in any query or the cap; every iterate, the query first. */
  private readSync(weights: tf.Tensor, queries: tf.Tensor): tf.Tensor {
    const iterates: tf.Tensor[] = [queries.clone()];
    try {
      for (let step = 0; step < this.config.maxIterations; step++) {
        const previous = iterates[iterates.length - 1]!;
        const next = tf.tidy(() => signPlus(tf.matMul(previous, weights))); // [B, Q, d]  (4)
        iterates.push(next);
        const changed = tf.tidy(() => tf.notEqual(next, previous).any().dataSync()[0]!);
        if (!changed) break;
      }
      return tf.stack(iterates); // [K+1, B, Q, d]
    } finally {
      tf.dispose(iterates);
    }
  }

  /**
   * (5) sweep by sweep until a sweep changes nothing or the cap; one iterate per sweep. The sweep is
   * sequential over units, so it runs on the host: B·Q·d single-unit updates as tensor ops would
   * cost far more in dispatch than in arithmetic, and nothing here needs a gradient.
   */
  private readAsync(weights: tf.Tensor, queries: tf.Tensor): tf.Tensor {
    const [b, q, d] = queries.shape as [number, number, number];
    const w = weights.dataSync(); // [B, d, d]
    const x = Float32Array.from(queries.dataSync()); // [B, Q, d]
    const snapshots: Float32Array[] = [x.slice()];
    const settled = new Uint8Array(b * q);
    for (let sweep = 0; sweep < this.config.maxIterations; sweep++) {
      const order = this.orders[sweep]!;
      let anyChanged = false;
      for (let e = 0; e < b; e++) {
        for (let r = 0; r < q; r++) {
          if (settled[e * q + r]) continue;
          const xo = (e * q + r) * d;
          let changed = false;
          for (const i of order) {
            const wo = (e * d + i) * d;
            let h = 0;
            for (let j = 0; j < d; j++) h += w[wo + j]! * x[xo + j]!;
            const s = h >= 0 ? 1 : -1; // (5)
            if (x[xo + i] !== s) {
              x[xo + i] = s;
              changed = true;
            }
          }
          if (changed) anyChanged = true;
          else settled[e * q + r] = 1;
        }
      }
      if (!anyChanged) break;
      snapshots.push(x.slice());
    }
    const all = new Float32Array(snapshots.length * x.length);
    snapshots.forEach((s, k) => all.set(s, k * x.length));
    return tf.tensor4d(all, [snapshots.length, b, q, d]); // [K+1, B, Q, d]
  }
}

export const hopfield = defineModel({
  id: 'hopfield',
  title: 'Hopfield network (Hebb, Storkey or pseudo-inverse rule)',
  summary: 'Classical binary attractor memory: a symmetric weight matrix written by a fixed rule, read by sign updates.',
  paper: {
    title: 'Neural networks and physical systems with emergent collective computational abilities',
    authors: 'Hopfield',
    year: 1982,
    url: 'https://doi.org/10.1073/pnas.79.8.2554',
  },
  fields,
  learned: false,
  supports: (spec) => {
    if (spec.output !== 'bipolar') return `Hopfield units are ±1, so it serves only bipolar tasks (this task outputs ${spec.output})`;
    if (!spec.autoassociative || spec.inputDim !== spec.outputDim) return 'a Hopfield read completes its query, so the task must be autoassociative';
    if (spec.sequential) return 'a Hopfield network stores a set, not a sequence';
    return null;
  },
  create: (config, spec, rng) => new Hopfield(config, spec, rng),
  example: { task: 'binary-recall', taskConfig: { dim: 7, setSize: 3, corruptBits: 2 }, modelConfig: { rule: 'storkey', read: 'sync', maxIterations: 5 } },
});
