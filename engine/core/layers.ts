// Small building blocks for learned models: seeded parameter initialisation, dense layers on
// tensors of any rank, and output activations chosen by the task. Engine layer, any process.
import * as tf from '@tensorflow/tfjs';
import type { OutputKind } from './memory-model';
import type { Rng } from './random';

/** A trainable tensor initialised from the run's seeded generator (identical on every backend). */
export function param(rng: Rng, shape: number[], std: number): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.variable(tf.tensor(rng.normals(size, std), shape), true);
}

/** A trainable tensor with a constant initial value. */
export function constantParam(shape: number[], value: number): tf.Variable {
  return tf.variable(tf.fill(shape, value), true);
}

/** Weights and bias of a dense layer. */
export interface Dense {
  readonly W: tf.Variable; // [in, out]
  readonly b: tf.Variable; // [out]
}

/** A dense layer with Glorot-normal weights and zero bias. */
export function dense(rng: Rng, inDim: number, outDim: number): Dense {
  return {
    W: param(rng, [inDim, outDim], Math.sqrt(2 / (inDim + outDim))),
    b: constantParam([outDim], 0),
  };
}

/**
 * Matrix product of a 2-D left operand with a 2-D right one. Every dense product of the engine goes
 * through here, so a backend-specific fast path has one place to live. tf.matMul's own gradient
 * multiplies with transpose flags; the wasm and cpu backends' BatchMatMul kernels (engine/backend)
 * take those flags at full speed, so the gradient needs no explicit transposes and computes only the
 * operand gradients a step asks for. Its saved copies are inputs, so it can be differentiated again,
 * as EBMM does.
 */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(a, b);
}

/** x·W + b over the last axis of x, for x of any rank ≥ 1. */
export function applyDense(layer: Dense, x: tf.Tensor): tf.Tensor {
  const inDim = layer.W.shape[0]!;
  const outDim = layer.W.shape[1]!;
  const lead = x.shape.slice(0, -1);
  const flat = x.reshape([-1, inDim]) as tf.Tensor2D; // [*, in]
  return matMul2d(flat, layer.W as tf.Tensor2D)
    .add(layer.b)
    .reshape([...lead, outDim]); // [..., out]
}

/** Maps raw outputs to the task's output space: tanh for ±1 patterns, sigmoid for pixels, logits otherwise. */
export function outputActivation(kind: OutputKind, raw: tf.Tensor): tf.Tensor {
  switch (kind) {
    case 'bipolar':
      return tf.tanh(raw);
    case 'image':
      return tf.sigmoid(raw);
    case 'class':
    case 'familiarity':
      return raw;
  }
}

/** Layer normalisation over the last axis, with learned gain and bias. */
export function layerNorm(x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor, epsilon = 1e-5): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).mul(tf.rsqrt(variance.add(epsilon))).mul(gain).add(bias);
}
