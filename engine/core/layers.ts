// Small building blocks for learned models: seeded parameter initialisation, dense layers on
// tensors of any rank, and output activations chosen by the task. Engine layer, any process.
import * as tf from '@tensorflow/tfjs';
import type { OutputKind } from './memory-model';
import type { Rng } from './random';

// A variable shares its initial tensor's data; built inside tidy, that tensor goes with the scope, so
// disposing the variable frees the data.

/** A trainable tensor initialised from the run's seeded generator (identical on every backend). */
export function param(rng: Rng, shape: number[], std: number): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tidy(() => tf.variable(tf.tensor(rng.normals(size, std), shape), true));
}

/** A trainable tensor with a constant initial value. */
export function constantParam(shape: number[], value: number): tf.Variable {
  return tf.tidy(() => tf.variable(tf.fill(shape, value), true));
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
  let fn = layerNorms.get(epsilon);
  if (!fn) layerNorms.set(epsilon, (fn = layerNormWithGradient(epsilon)));
  return fn(x, gain, bias);
}

/** x̂ = (x − mean) / sqrt(var + ε) over the last axis, and 1 / sqrt(var + ε) (kept dims). */
function normalise(x: tf.Tensor, epsilon: number): { xHat: tf.Tensor; inverseStd: tf.Tensor } {
  const { mean, variance } = tf.moments(x, -1, true);
  const inverseStd = tf.rsqrt(variance.add(epsilon));
  return { xHat: x.sub(mean).mul(inverseStd), inverseStd };
}

const layerNorms = new Map<number, (x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor) => tf.Tensor>();

// The gradient is written out rather than traced through moments: tracing it cost about 25 kernels
// a call, which fast weights pay twice a time step. It is made of differentiable ops of the saved
// inputs, so it can be differentiated again (EBMM's image energies differentiate it three times):
//   dx̂ = dy ⊙ g,  dx = r (dx̂ − mean(dx̂) − x̂ mean(dx̂ ⊙ x̂)),  dg = Σ dy ⊙ x̂,  db = Σ dy   (r = 1/σ)
function layerNormWithGradient(epsilon: number): (x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, gain, bias, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([x, gain]);
    return {
      value: normalise(x, epsilon).xHat.mul(gain).add(bias),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, sg] = saved as [tf.Tensor, tf.Tensor];
        const g = dy as tf.Tensor;
        const { xHat, inverseStd } = normalise(sx, epsilon);
        const dxHat = g.mul(sg);
        const dx = dxHat.sub(dxHat.mean(-1, true)).sub(xHat.mul(dxHat.mul(xHat).mean(-1, true))).mul(inverseStd);
        const width = sx.shape[sx.rank - 1]!;
        const rows = (t: tf.Tensor) => t.reshape([-1, width]).sum(0);
        return [dx, rows(g.mul(xHat)), rows(g)];
      },
    };
  }) as (x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor) => tf.Tensor;
}
