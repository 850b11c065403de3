// Convolutions for the EBMM image energies that can be differentiated three times and run per
// episode with writable filters: patches (core/grid-ops.ts), then a matrix product with the learned
// filters (im2col). Engine layer, any process.
import * as tf from '@tensorflow/tfjs';
import { averagePoolPair, patchPair, subsamplePair } from '../../core/grid-ops';
import { nestedMatMul } from '../../core/higher-order-ops';

/*
 * Why not tf.conv2d with the learned filters: its filter gradient (Conv2DBackpropFilter) has no
 * gradient of its own in tfjs, so the third derivative of the exact meta-gradient cannot pass it,
 * and the wasm backend lacks that kernel. Instead the k×k neighbourhoods ("patches") are extracted
 * and multiplied by the learned filters (im2col). Patch extraction and its adjoint ("fold"), the
 * stride-2 subsampling and the 2×2 average pooling are constant linear maps, each defined as its
 * adjoint's gradient (core/grid-ops.ts), so every order of derivative passes them; on the wasm and
 * cpu backends they run as copies (engine/backend/grid-kernels.ts), elsewhere as convolutions with
 * constant filters. A stride of 2 is a stride-1 convolution, then subsampling.
 */

/** Output side of a 'same' convolution with this stride. */
export function outSide(side: number, stride: 1 | 2): number {
  return Math.ceil(side / stride);
}

/** The k×k neighbourhoods of a 'same' convolution, channels last: x [M, H, W, C] → [M, Ho, Wo, k·k·C]. */
export function patches(x: tf.Tensor, kernel: number, stride: 1 | 2): tf.Tensor {
  const p = kernel === 1 ? x : patchPair(kernel).forward(x); // [M, H, W, k·k·C]
  return stride === 2 ? subsamplePair(x.shape[1]!, x.shape[2]!).forward(p) : p; // [M, Ho, Wo, k·k·C]
}

/** A shared convolution: x [M, H, W, C] with filter [k·k·C, C'] and bias [C'] (or none) → [M, Ho, Wo, C']. */
export function conv(x: tf.Tensor, filter: tf.Tensor, bias: tf.Tensor | null, kernel: number, stride: 1 | 2): tf.Tensor {
  const p = patches(x, kernel, stride); // [M, Ho, Wo, k·k·C]
  const [m, ho, wo, depth] = p.shape as [number, number, number, number];
  const product = nestedMatMul(p.reshape([m * ho * wo, depth]), filter); // [M·Ho·Wo, C']
  return (bias ? product.add(bias) : product).reshape([m, ho, wo, filter.shape[1]!]); // [M, Ho, Wo, C']
}

/**
 * A convolution with one filter per episode: x [B·M, H, W, C] (episode-major) with filter
 * [B, k·k·C, C'] and bias [B, C'] → [B·M, Ho, Wo, C'].
 */
export function episodeConv(x: tf.Tensor, filter: tf.Tensor, bias: tf.Tensor, kernel: number, stride: 1 | 2): tf.Tensor {
  const batch = filter.shape[0]!;
  const p = patches(x, kernel, stride); // [B·M, Ho, Wo, k·k·C]
  const [bm, ho, wo, depth] = p.shape as [number, number, number, number];
  return nestedMatMul(p.reshape([batch, (bm / batch) * ho * wo, depth]), filter) // [B, M·Ho·Wo, C']
    .add(bias.expandDims(1))
    .reshape([bm, ho, wo, filter.shape[2]!]); // [B·M, Ho, Wo, C']
}

/** 2×2 average pooling with stride 2 ('same': an odd side's last row or column is averaged with zeros). */
export function averagePool(x: tf.Tensor): tf.Tensor {
  return averagePoolPair(x.shape[1]!, x.shape[2]!).forward(x); // [M, ⌈H/2⌉, ⌈W/2⌉, C]
}
