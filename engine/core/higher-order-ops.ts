// Ops whose derivatives of every order stay correct under nested tf.grad (activations, a matrix
// product, a stop-gradient), for models that differentiate through their own gradients (EBMM needs
// third derivatives). Engine layer, any process.
import * as tf from '@tensorflow/tfjs';

/*
 * Why these exist: tfjs saves a copy of each kernel's inputs and outputs for the backward pass, and
 * records the copy on the gradient tape. A copy of an *input* is recorded after the input exists, so
 * a nested gradient can trace through it; a copy of an *output* is recorded before the op that made
 * the output, so a nested gradient cannot. Ops whose gradient reads their own output (tanh, sigmoid,
 * exp, elu, softmax) therefore give thrown or silently wrong second and third derivatives
 * (shared/reference/machine-probe.md §9). The versions below run the fast kernel forward and define
 * the gradient from the saved *input*, calling themselves again, so every order is right.
 */

type Unary = (x: tf.Tensor) => tf.Tensor;

/** tanh whose derivatives of every order are correct under nested tf.grad: d tanh = 1 − tanh². */
export const smoothTanh: Unary = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: tf.tanh(x),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const t = smoothTanh(saved[0]!);
      return (dy as tf.Tensor).mul(tf.scalar(1).sub(t.square()));
    },
  };
});

/** The logistic sigmoid with derivatives of every order correct under nested tf.grad: dσ = σ(1 − σ). */
export const smoothSigmoid: Unary = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: tf.sigmoid(x),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const s = smoothSigmoid(saved[0]!);
      return (dy as tf.Tensor).mul(s.mul(tf.scalar(1).sub(s)));
    },
  };
});

/**
 * a·b for 2-D operands or batched 3-D ones (same batch), differentiable to every order: tf.matMul's
 * gradient is products of its saved inputs with transpose flags, and inputs saved for a gradient
 * stay on the tape, so nested derivatives are exact. The flags cost nothing on Engram's wasm and cpu
 * BatchMatMul kernels (engine/backend), so no operand is transposed explicitly.
 */
export function nestedMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.matMul(a, b);
}

/**
 * The same values as `x`, cut from the gradient tape (a stop-gradient). The result shares `x`'s
 * buffer (one more reference, no copy) and no tape node leads to it, so nothing computed from it is
 * back-propagated at all: a first-order meta-gradient then skips the third-order work entirely, where
 * a zero-gradient custom op would still walk it with zeros. Uses the engine's tensor-wrapping call,
 * as tfjs's own backends do; the caller owns the result.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const engine = tf.engine();
  engine.backend.incRef(x.dataId);
  return engine.makeTensorFromTensorInfo({ dataId: x.dataId, shape: x.shape, dtype: x.dtype }) as T;
}
