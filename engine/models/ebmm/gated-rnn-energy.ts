// EBMM's gated-RNN energy for binary patterns (App. B, architecture (a)): a gated recurrence run for
// a few hops over the same input, with a writable Linear(D → dyn) memory. Engine layer, any process.
import * as tf from '@tensorflow/tfjs';
import { constantParam } from '../../core/layers';
import type { Rng } from '../../core/random';
import { nestedMatMul, smoothSigmoid, smoothTanh } from '../../core/higher-order-ops';
import { heParam, type EnergyNetwork, type Params } from './energy-network';

/** Sizes of the gated-RNN energy. */
export interface GatedRnnSizes {
  /** Item width D. */
  readonly dim: number;
  /** Hidden width H of the recurrent state (paper: 1 024). */
  readonly hidden: number;
  /** Writable width dyn, the memory's output units (paper: 63); the other H − dyn units are static. */
  readonly memoryWidth: number;
  /** Recurrent hops L over the same input (paper: 5). */
  readonly hops: number;
}

/**
 * Per hop, with z = [x; s] and s₀ = 0:
 *   (a1) dynamic = x W_mem + b_mem                        writable, [B, M, dyn]
 *   (a2) static  = z W_s + b_s                            [B·M, H − dyn]
 *   (a3) c = tanh([dynamic; static]),  u = σ(z W_u + b_u)
 *   (a4) s ← u ⊙ c + (1 − u) ⊙ s
 *   (a5) E = s w_out
 * Linear layers on z are split into their x and s blocks, so the x blocks (and `dynamic`, which reads
 * x alone) are computed once rather than once per hop; the sums are the same. E has no output bias:
 * a constant offset moves no gradient, so no gradient would ever reach it.
 */
export class GatedRnnEnergy implements EnergyNetwork {
  readonly statics: Readonly<Record<string, tf.Variable>>;
  readonly memoryInit: Readonly<Record<string, tf.Variable>>;

  constructor(
    readonly sizes: GatedRnnSizes,
    rng: Rng,
  ) {
    const { dim, hidden, memoryWidth, hops } = sizes;
    const fanIn = dim + hidden;
    const staticWidth = hidden - memoryWidth;
    this.memoryInit = {
      // θ̄_mem starts at zero, so a fresh write holds only what it wrote (see the deviations in index.ts).
      'memory.W': constantParam([dim, memoryWidth], 0),
      'memory.b': constantParam([memoryWidth], 0),
    };
    const statics: Record<string, tf.Variable> = {
      'static.Wx': heParam(rng, [dim, staticWidth], fanIn),
      'static.b': constantParam([staticWidth], 0),
      'gate.Wx': heParam(rng, [dim, hidden], fanIn),
      'gate.b': constantParam([hidden], 0),
      'out.w': heParam(rng, [hidden, 1], hidden),
    };
    // With one hop the state is still zero when it is read, so its blocks would get no gradient.
    if (hops > 1) {
      statics['static.Ws'] = heParam(rng, [hidden, staticWidth], fanIn);
      statics['gate.Ws'] = heParam(rng, [hidden, hidden], fanIn);
    }
    this.statics = statics;
  }

  energy(x: tf.Tensor, statics: Params, memory: Params): tf.Tensor {
    const [batch, items, dim] = x.shape as [number, number, number];
    const rows = batch * items;
    const p = (name: string) => statics[name]!;
    const flat = x.reshape([rows, dim]); // [B·M, D]
    const dynamic = nestedMatMul(x, memory['memory.W']!) // [B, M, dyn]  (a1)
      .add(memory['memory.b']!.expandDims(1))
      .reshape([rows, this.sizes.memoryWidth]); // [B·M, dyn]
    const staticX = nestedMatMul(flat, p('static.Wx')).add(p('static.b')); // [B·M, H − dyn]  (a2)
    const gateX = nestedMatMul(flat, p('gate.Wx')).add(p('gate.b')); // [B·M, H]
    let s: tf.Tensor | null = null; // [B·M, H]; s₀ = 0
    for (let hop = 0; hop < this.sizes.hops; hop++) {
      const staticPart = s ? staticX.add(nestedMatMul(s, p('static.Ws'))) : staticX; // [B·M, H − dyn]  (a2)
      const gatePart = s ? gateX.add(nestedMatMul(s, p('gate.Ws'))) : gateX; // [B·M, H]
      const c = smoothTanh(tf.concat([dynamic, staticPart], 1)); // [B·M, H]  (a3)
      const u = smoothSigmoid(gatePart); // [B·M, H]  (a3)
      s = s ? u.mul(c).add(tf.scalar(1).sub(u).mul(s)) : u.mul(c); // [B·M, H]  (a4)
    }
    return nestedMatMul(s!, p('out.w')).reshape([batch, items]); // [B, M]  (a5)
  }
}
