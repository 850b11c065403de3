// What every EBMM energy network provides: static and writable ("memory") parameters, named as such,
// and a scalar energy per item under per-episode memory parameters. Engine layer, any process.
import type * as tf from '@tensorflow/tfjs';
import { param } from '../../core/layers';
import type { Rng } from '../../core/random';

/** Named tensors: static parameters, or one episode batch's memory parameters ([B, …] each). */
export type Params = Readonly<Record<string, tf.Tensor>>;

/**
 * An energy E(x; θ) split into static parameters (meta-learned, the same in every episode) and
 * writable memory parameters θ_mem (rewritten by every episode's write; their count is the memory size).
 */
export interface EnergyNetwork {
  /** Static parameters, by name. */
  readonly statics: Readonly<Record<string, tf.Variable>>;
  /** θ̄ of the memory parameters: their meta-learned initialisation, unbatched. */
  readonly memoryInit: Readonly<Record<string, tf.Variable>>;
  /**
   * E(x; θ) of items x [B, M, D] under memory parameters with a leading batch axis ([B, …]); one
   * energy per item, [B, M]. Built only from ops whose derivatives of every order are right under
   * nested tf.grad (core/higher-order-ops.ts), because writing and meta-training differentiate it
   * three times.
   */
  energy(x: tf.Tensor, statics: Params, memory: Params): tf.Tensor;
}

/** Writable floats per episode: the size of every memory parameter. */
export function memoryFloatsOf(net: EnergyNetwork): number {
  return Object.values(net.memoryInit).reduce((n, v) => n + v.size, 0);
}

/**
 * The writable layer a memory parameter belongs to: its name up to the last dot ("memory.W" →
 * "memory"). Each writable layer has its own write learning rates.
 */
export function layerOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** He-normal weights (std √(2/fanIn)), the paper's initialisation (App. D). */
export function heParam(rng: Rng, shape: number[], fanIn: number): tf.Variable {
  return param(rng, shape, Math.sqrt(2 / fanIn));
}

/**
 * The largest writable width whose floats (width × floatsPerUnit) stay strictly below the budget, as
 * the paper's 128 × 63 + 63 = 8 127 < 8 256 Hopfield floats (Table 1).
 */
export function widthForBudget(budgetFloats: number, floatsPerUnit: number): number {
  return Math.ceil(budgetFloats / floatsPerUnit) - 1;
}
