// The static residual blocks of the EBMM image energies (App. B (b), (c)): 3×3 convolutions with a
// stride-2 down-scaling, smooth activations and a pooled 1×1 shortcut. Engine layer, any process.
import * as tf from '@tensorflow/tfjs';
import { smoothTanh } from '../../core/higher-order-ops';
import { constantParam } from '../../core/layers';
import type { Rng } from '../../core/random';
import { averagePool, conv } from './conv-ops';
import { heParam, type Params } from './energy-network';

/** Parameters of a dense or 1×1 layer, or of a k×k convolution in im2col form ([k·k·in, out]). */
export function linearParams(rng: Rng, prefix: string, fanIn: number, out: number): Record<string, tf.Variable> {
  return { [`${prefix}.W`]: heParam(rng, [fanIn, out], fanIn), [`${prefix}.b`]: constantParam([out], 0) };
}

/** Gain and bias of a layer norm over `width` features. */
export function normParams(prefix: string, width: number): Record<string, tf.Variable> {
  return { [`${prefix}.gain`]: constantParam([width], 1), [`${prefix}.bias`]: constantParam([width], 0) };
}

/** The parameters of one down-scaling residual block from `inC` to `outC` channels. */
export function resBlockParams(rng: Rng, prefix: string, inC: number, outC: number): Record<string, tf.Variable> {
  return {
    ...linearParams(rng, `${prefix}.conv1`, 9 * inC, outC),
    ...linearParams(rng, `${prefix}.conv2`, 9 * outC, outC),
    ...linearParams(rng, `${prefix}.shortcut`, inC, outC),
  };
}

/**
 * y = tanh(conv₃ₓ₃(tanh(conv₃ₓ₃,stride 2(x))) + conv₁ₓ₁(avgpool(x))): x [M, H, W, C] → [M, ⌈H/2⌉, ⌈W/2⌉, C'].
 * The paper names "ResBlocks" without their inside; this is the plain two-convolution block with
 * the pooled shortcut the paper uses for its bottleneck blocks, and tanh for its smooth energies.
 */
export function resBlock(x: tf.Tensor, p: Params, prefix: string): tf.Tensor {
  const w = (name: string) => p[`${prefix}.${name}`]!;
  const h = smoothTanh(conv(x, w('conv1.W'), w('conv1.b'), 3, 2)); // [M, H/2, W/2, C']
  const residual = conv(h, w('conv2.W'), w('conv2.b'), 3, 1); // [M, H/2, W/2, C']
  const shortcut = conv(averagePool(x), w('shortcut.W'), w('shortcut.b'), 1, 1); // [M, H/2, W/2, C']
  return smoothTanh(residual.add(shortcut)); // [M, H/2, W/2, C']
}
