// layerNorm (engine/core/layers.ts), whose gradient is written out: the values, first gradients and
// second derivatives of layer normalisation traced through tf.moments, on every backend here.
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../engine/backend/select';
import { layerNorm } from '../../../engine/core/layers';
import { Rng } from '../../../engine/core/random';
import { backendsHere } from '../../helpers/backends';
import { expectClose } from '../../helpers/tensors';

/** Layer normalisation as plain ops, every derivative traced by tfjs. */
function traced(x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor, epsilon = 1e-5): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).mul(tf.rsqrt(variance.add(epsilon))).mul(gain).add(bias);
}

/** The value, ∂/∂(x, gain, bias) of Σ w ⊙ LN, and a second derivative, for one implementation. */
function everything(ln: typeof traced): tf.Tensor[] {
  return tf.tidy(() => {
    const rng = new Rng(7);
    const t = (shape: number[], scale = 1) => tf.tensor(rng.normals(shape.reduce((a, b) => a * b, 1), scale), shape);
    const [x, gain, bias, w, v] = [t([2, 3, 5], 2), t([5], 1).add(1), t([5], 0.5), t([2, 3, 5]), t([2, 3, 5])];
    const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => ln(a, g, b).mul(w).sum();
    const firsts = tf.grads(f)([x, gain, bias]);
    // d/dgain ⟨v, ∂f/∂x⟩: the mixed second derivative a meta-gradient through LN needs.
    const second = tf.grad((g: tf.Tensor) => tf.grad((a: tf.Tensor) => f(a, g, bias))(x).mul(v).sum())(gain);
    return [ln(x, gain, bias), ...firsts, second];
  });
}

describe('layerNorm', () => {
  it("gives traced layer normalisation's values and first and second derivatives", async () => {
    for (const backend of await backendsHere()) {
      if (backend === 'tensorflow') continue;
      await selectBackend(backend);
      const fast = everything(layerNorm);
      const slow = everything(traced);
      const names = ['value', '∂/∂x', '∂/∂gain', '∂/∂bias', 'second derivative'];
      fast.forEach((f, i) => expectClose(f.dataSync(), slow[i]!.dataSync(), 1e-4, `${backend} ${names[i]}`));
      tf.dispose([...fast, ...slow]);
    }
    await selectBackend('cpu');
  });
});
