// EBMM's image energy with convolutional memory filters (App. B, architecture (c), "EBMM conv"):
// residual down-scaling, two bottleneck blocks whose 3×3 convolutions are partly writable, then a
// convolutional gated recurrence. Engine layer, any process.
import * as tf from '@tensorflow/tfjs';
import { nestedMatMul, smoothSigmoid, smoothTanh } from '../../core/higher-order-ops';
import { constantParam, layerNorm } from '../../core/layers';
import type { Rng } from '../../core/random';
import { averagePool, conv, episodeConv, outSide } from './conv-ops';
import { heParam, type EnergyNetwork, type Params } from './energy-network';
import { linearParams, normParams, resBlock, resBlockParams } from './res-blocks';

/** Sizes of the convolutional image energy. */
export interface ConvEnergySizes {
  readonly image: { readonly height: number; readonly width: number; readonly channels: number };
  /**
   * Base channels c (paper: 32): residual blocks of c and 2c channels, bottleneck blocks and the
   * recurrence of 4c channels with a 2c bottleneck (paper: 128 and 64).
   */
  readonly channels: number;
  /** Writable filters dyn of each bottleneck block's 3×3 convolution; the other 4c − dyn are static. */
  readonly memoryWidth: number;
  /** Width of the output layer before the energy (paper: 1 024). */
  readonly readout: number;
  /** Recurrent hops on the final grid (paper: 3). */
  readonly hops: number;
}

/** Writable floats of the two bottleneck blocks: 2 · dyn · (3·3·2c + 1). */
export function convMemoryFloatsPerFilter(channels: number): number {
  return 2 * (9 * 2 * channels + 1);
}

/**
 *   (c1) x₁ = ResBlock_2c(ResBlock_c(x))                                    static, H/4 × W/4
 *   (c2) bottleneck block k = 1, 2 (block 2 down-scales by 2):
 *        r = tanh(conv₁ₓ₁(x_k)) (2c channels),
 *        y = [conv₃ₓ₃(r; F_mem,k) ; conv₃ₓ₃(r; F_static,k)]                 F_mem,k writable, dyn filters
 *        x_{k+1} = tanh(LN(y)) + conv₁ₓ₁(avgpool?(x_k))
 *   (c3) per hop, z = [x₃; s], s₀ = 0:  c = LN(tanh(conv₃ₓ₃(z))),  u = σ(LN(conv₁ₓ₁(z))),
 *        s ← u ⊙ c + (1 − u) ⊙ s                                          4c channels
 *   (c4) E = tanh(flatten(s) W_r + b_r) w_out
 * Convolutions on z are split into their x₃ and s blocks, so the x₃ blocks are computed once.
 */
export class ConvEnergy implements EnergyNetwork {
  readonly statics: Readonly<Record<string, tf.Variable>>;
  readonly memoryInit: Readonly<Record<string, tf.Variable>>;
  private readonly grid: readonly [number, number];

  constructor(
    readonly sizes: ConvEnergySizes,
    rng: Rng,
  ) {
    const { image, channels: c, memoryWidth: dyn, readout, hops } = sizes;
    let [h, w] = [image.height, image.width];
    for (let i = 0; i < 3; i++) [h, w] = [outSide(h, 2), outSide(w, 2)];
    this.grid = [h, w];
    const [wide, narrow] = [4 * c, 2 * c];
    const memoryInit: Record<string, tf.Variable> = {};
    const statics: Record<string, tf.Variable> = {
      ...resBlockParams(rng, 'enc1', image.channels, c),
      ...resBlockParams(rng, 'enc2', c, narrow),
    };
    for (const [block, inC] of [['block1', narrow], ['block2', wide]] as const) {
      // Memory filters start at zero, so a fresh write holds only what it wrote.
      memoryInit[`${block}.memory.W`] = constantParam([9 * narrow, dyn], 0);
      memoryInit[`${block}.memory.b`] = constantParam([dyn], 0);
      Object.assign(
        statics,
        linearParams(rng, `${block}.reduce`, inC, narrow),
        linearParams(rng, `${block}.static`, 9 * narrow, wide - dyn),
        normParams(`${block}.norm`, wide),
        linearParams(rng, `${block}.shortcut`, inC, wide),
      );
    }
    Object.assign(
      statics,
      linearParams(rng, 'cand', 9 * wide, wide),
      normParams('cand.norm', wide),
      linearParams(rng, 'gate', wide, wide),
      normParams('gate.norm', wide),
      linearParams(rng, 'readout', h * w * wide, readout),
      { 'out.w': heParam(rng, [readout, 1], readout) },
      // With one hop the state is still zero when it is read, so its blocks would get no gradient.
      hops > 1 ? { 'cand.Ws': heParam(rng, [9 * wide, wide], 18 * wide), 'gate.Ws': heParam(rng, [wide, wide], 2 * wide) } : {},
    );
    this.memoryInit = memoryInit;
    this.statics = statics;
  }

  energy(x: tf.Tensor, statics: Params, memory: Params): tf.Tensor {
    const [batch, items] = x.shape as [number, number, number];
    const { image, hops } = this.sizes;
    const p = (name: string) => statics[name]!;
    let features = x.reshape([batch * items, image.height, image.width, image.channels]); // [B·M, H, W, C]
    for (const block of ['enc1', 'enc2']) features = resBlock(features, statics, block); // [B·M, H/4, W/4, 2c]  (c1)
    for (const [block, stride] of [['block1', 1], ['block2', 2]] as const) {
      const w = (name: string) => p(`${block}.${name}`);
      const r = smoothTanh(conv(features, w('reduce.W'), w('reduce.b'), 1, 1)); // [B·M, ·, ·, 2c]  (c2)
      const written = episodeConv(r, memory[`${block}.memory.W`]!, memory[`${block}.memory.b`]!, 3, stride); // [B·M, ·, ·, dyn]
      const fixed = conv(r, w('static.W'), w('static.b'), 3, stride); // [B·M, ·, ·, 4c − dyn]
      const y = smoothTanh(layerNorm(tf.concat([written, fixed], 3), w('norm.gain'), w('norm.bias'))); // [B·M, ·, ·, 4c]
      const shortcut = conv(stride === 2 ? averagePool(features) : features, w('shortcut.W'), w('shortcut.b'), 1, 1);
      features = y.add(shortcut); // [B·M, ·, ·, 4c]  (c2)
    }
    const candX = conv(features, p('cand.W'), p('cand.b'), 3, 1); // [B·M, h, w, 4c]
    const gateX = conv(features, p('gate.W'), p('gate.b'), 1, 1); // [B·M, h, w, 4c]
    let s: tf.Tensor | null = null; // [B·M, h, w, 4c]; s₀ = 0
    for (let hop = 0; hop < hops; hop++) {
      const candZ = s ? candX.add(conv(s, p('cand.Ws'), null, 3, 1)) : candX;
      const gateZ = s ? gateX.add(conv(s, p('gate.Ws'), null, 1, 1)) : gateX;
      const c = layerNorm(smoothTanh(candZ), p('cand.norm.gain'), p('cand.norm.bias')); // (c3)
      const u = smoothSigmoid(layerNorm(gateZ, p('gate.norm.gain'), p('gate.norm.bias'))); // (c3)
      s = s ? u.mul(c).add(tf.scalar(1).sub(u).mul(s)) : u.mul(c); // [B·M, h, w, 4c]  (c3)
    }
    const flat = s!.reshape([batch * items, this.grid[0] * this.grid[1] * 4 * this.sizes.channels]); // [B·M, h·w·4c]
    const r = smoothTanh(nestedMatMul(flat, p('readout.W')).add(p('readout.b'))); // [B·M, R]  (c4)
    return nestedMatMul(r, p('out.w')).reshape([batch, items]); // [B, M]  (c4)
  }
}
