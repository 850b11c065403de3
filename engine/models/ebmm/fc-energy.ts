// EBMM's image energy with a fully-connected memory (App. B, architecture (b), "EBMM FC"): a residual
// conv encoder, a writable Linear(code → dyn), then gated recurrent hops. Engine layer, any process.
import * as tf from '@tensorflow/tfjs';
import { nestedMatMul, smoothSigmoid, smoothTanh } from '../../core/higher-order-ops';
import { constantParam, layerNorm } from '../../core/layers';
import type { Rng } from '../../core/random';
import { outSide } from './conv-ops';
import { heParam, type EnergyNetwork, type Params } from './energy-network';
import { linearParams, normParams, resBlock, resBlockParams } from './res-blocks';

/** Sizes of the FC image energy. */
export interface FcEnergySizes {
  readonly image: { readonly height: number; readonly width: number; readonly channels: number };
  /** Encoder channels c: residual blocks of c, 2c, 3c channels (paper: 32, 64, 96). */
  readonly channels: number;
  /** Encoder output width (paper: 256). */
  readonly code: number;
  /** Recurrent hidden width H (paper: 512); dyn of its inputs are written. */
  readonly hidden: number;
  /** Writable width dyn of Linear(code → dyn). */
  readonly memoryWidth: number;
  /** Width of the output layer before the energy (paper: 1 024). */
  readonly readout: number;
  /** Recurrent hops (paper: 3). */
  readonly hops: number;
}

/**
 *   (b1) e = LN(Linear_code(flatten(ResBlock₃c(ResBlock₂c(ResBlock_c(x))))))   static encoder
 *   (b2) h = tanh([e W_mem + b_mem;  e W_s + b_s])                             W_mem writable, [B·M, H]
 *   (b3) per hop, z = [h; s], s₀ = 0:  c = LN(tanh(z W_c + b_c)),  u = σ(z W_u + b_u),
 *        s ← u ⊙ c + (1 − u) ⊙ s
 *   (b4) E = tanh(s W_r + b_r) w_out
 * Linear layers on z are split into h and s blocks, so the h blocks are computed once. The
 * appendix prints the update as u·c + (1 − u)·c, read as the usual (1 − u)·s.
 */
export class FcEnergy implements EnergyNetwork {
  readonly statics: Readonly<Record<string, tf.Variable>>;
  readonly memoryInit: Readonly<Record<string, tf.Variable>>;
  private readonly flatWidth: number;

  constructor(
    readonly sizes: FcEnergySizes,
    rng: Rng,
  ) {
    const { image, channels: c, code, hidden, memoryWidth, readout, hops } = sizes;
    let [h, w] = [image.height, image.width];
    for (let i = 0; i < 3; i++) [h, w] = [outSide(h, 2), outSide(w, 2)];
    this.flatWidth = h * w * 3 * c;
    this.memoryInit = {
      'memory.W': constantParam([code, memoryWidth], 0),
      'memory.b': constantParam([memoryWidth], 0),
    };
    this.statics = {
      ...resBlockParams(rng, 'enc1', image.channels, c),
      ...resBlockParams(rng, 'enc2', c, 2 * c),
      ...resBlockParams(rng, 'enc3', 2 * c, 3 * c),
      ...linearParams(rng, 'code', this.flatWidth, code),
      ...normParams('code.norm', code),
      ...linearParams(rng, 'static', code, hidden - memoryWidth),
      ...linearParams(rng, 'cand', hidden, hidden),
      ...normParams('cand.norm', hidden),
      ...linearParams(rng, 'gate', hidden, hidden),
      ...linearParams(rng, 'readout', hidden, readout),
      'out.w': heParam(rng, [readout, 1], readout),
      // With one hop the state is still zero when it is read, so its blocks would get no gradient.
      ...(hops > 1 ? { 'cand.Ws': heParam(rng, [hidden, hidden], 2 * hidden), 'gate.Ws': heParam(rng, [hidden, hidden], 2 * hidden) } : {}),
    };
  }

  energy(x: tf.Tensor, statics: Params, memory: Params): tf.Tensor {
    const [batch, items] = x.shape as [number, number, number];
    const { image, hops } = this.sizes;
    const p = (name: string) => statics[name]!;
    let features = x.reshape([batch * items, image.height, image.width, image.channels]); // [B·M, H, W, C]
    for (const block of ['enc1', 'enc2', 'enc3']) features = resBlock(features, statics, block); // (b1)
    const flat = features.reshape([batch * items, this.flatWidth]); // [B·M, F]
    const e = layerNorm(nestedMatMul(flat, p('code.W')).add(p('code.b')), p('code.norm.gain'), p('code.norm.bias')); // [B·M, code]  (b1)
    const dynamic = nestedMatMul(e.reshape([batch, items, -1]), memory['memory.W']!) // [B, M, dyn]  (b2)
      .add(memory['memory.b']!.expandDims(1))
      .reshape([batch * items, -1]);
    const staticPart = nestedMatMul(e, p('static.W')).add(p('static.b')); // [B·M, H − dyn]
    const h = smoothTanh(tf.concat([dynamic, staticPart], 1)); // [B·M, H]  (b2)
    const candH = nestedMatMul(h, p('cand.W')).add(p('cand.b')); // [B·M, H]
    const gateH = nestedMatMul(h, p('gate.W')).add(p('gate.b')); // [B·M, H]
    let s: tf.Tensor | null = null; // [B·M, H]; s₀ = 0
    for (let hop = 0; hop < hops; hop++) {
      const candZ = s ? candH.add(nestedMatMul(s, p('cand.Ws'))) : candH;
      const gateZ = s ? gateH.add(nestedMatMul(s, p('gate.Ws'))) : gateH;
      const c = layerNorm(smoothTanh(candZ), p('cand.norm.gain'), p('cand.norm.bias')); // [B·M, H]  (b3)
      const u = smoothSigmoid(gateZ); // [B·M, H]  (b3)
      s = s ? u.mul(c).add(tf.scalar(1).sub(u).mul(s)) : u.mul(c); // [B·M, H]  (b3)
    }
    const r = smoothTanh(nestedMatMul(s!, p('readout.W')).add(p('readout.b'))); // [B·M, R]  (b4)
    return nestedMatMul(r, p('out.w')).reshape([batch, items]); // [B, M]  (b4)
  }
}
