// The EngramKanervaWrite kernels (wasm and cpu) behind models/kanerva-memory.ts's writeOnline, compiled
// or in JavaScript: the same posterior and the same gradients w.r.t. the prior mean and covariance, the
// codes and the addresses as the tensor-op write they replace, with the covariance clip idle and binding.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../engine/backend/select';
import { Rng } from '../../../engine/core/random';
import { KANERVA_WRITE_KERNEL, writeOnline, writeOnlineOps, type KanervaMemoryState } from '../../../engine/models/kanerva-memory';
import { solveBatch } from '../../../engine/backend/cholesky-solve-kernels';
import { writeBatch, writeGradBatch } from '../../../engine/backend/kanerva-write-kernels';
import { nativeKernels } from '../../../engine/backend/native-blas';
import { backendsHere } from '../../helpers/backends';
import { expectClose } from '../../helpers/tensors';

const [B, T, K, C] = [2, 4, 3, 5];
type Write = typeof writeOnline;

/** The write's inputs, and the weights of the sum whose gradients the tests take. */
function operands() {
  const rng = new Rng(7);
  const mean = tf.tensor3d(rng.normals(B * K * C), [B, K, C]);
  // A symmetric positive-definite prior covariance per episode: G Gᵀ / K + I.
  const g = tf.tensor3d(rng.normals(B * K * K), [B, K, K]);
  const cov = tf.tidy(() => tf.matMul(g, g, false, true).div(K).add(tf.eye(K)));
  g.dispose();
  const codes = tf.tensor3d(rng.normals(B * T * C), [B, T, C]);
  const weights = tf.tensor3d(rng.normals(B * T * K), [B, T, K]);
  const wMean = tf.tensor3d(rng.normals(B * K * C), [B, K, C]);
  const wCov = tf.tensor3d(rng.normals(B * K * K), [B, K, K]);
  return { mean, cov, codes, weights, wMean, wCov };
}

/** Posterior mean, covariance, and the gradients of Σ wMean ⊙ mean + Σ wCov ⊙ cov w.r.t. all four inputs. */
function everything(write: Write, bounds: { covMin: number; covMax: number }): tf.Tensor[] {
  return tf.tidy(() => {
    const { mean, cov, codes, weights, wMean, wCov } = operands();
    const f = (m: tf.Tensor, u: tf.Tensor, z: tf.Tensor, w: tf.Tensor) => {
      const post: KanervaMemoryState = write({ mean: m, cov: u }, z, w, 0.3, bounds);
      return post.mean.mul(wMean).sum().add(post.cov.mul(wCov).sum()) as tf.Scalar;
    };
    const post = write({ mean, cov }, codes, weights, 0.3, bounds);
    const grads = tf.grads(f)([mean, cov, codes, weights]);
    return [post.mean, post.cov, ...grads];
  });
}

describe('EngramKanervaWrite kernels', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const [label, bounds] of [
      ['the clip idle', { covMin: 1e-6, covMax: 1e10 }],
      ['the clip binding', { covMin: 0.6, covMax: 1.2 }],
    ] as const) {
      it(`on ${backend}, ${label}: the tensor-op write's posterior and gradients`, async (t) => {
        if (!(await backendsHere()).includes(backend)) return t.skip(`the ${backend} backend does not load here`);
        await selectBackend(backend);
        assert.ok(tf.getKernel(KANERVA_WRITE_KERNEL, backend), `no ${KANERVA_WRITE_KERNEL} kernel on ${backend}`);
        const before = tf.memory().numTensors;
        const fast = everything(writeOnline, bounds);
        const ops = everything(writeOnlineOps, bounds);
        const names = ['mean', 'cov', '∂/∂mean', '∂/∂cov', '∂/∂codes', '∂/∂weights'];
        fast.forEach((f, i) => {
          assert.deepEqual(f.shape, ops[i]!.shape, names[i]);
          const want = ops[i]!.dataSync();
          expectClose(f.dataSync(), want, 1e-3 * Math.max(1, ...Array.from(want, Math.abs)), `${backend} ${names[i]}`);
        });
        if (label === 'the clip binding') {
          // The bounds must actually bind for this case to test the clip's gradient.
          const diagonal = tf.tidy(() => ops[1]!.mul(tf.eye(K)).sum(-1).dataSync());
          assert.ok(Array.from(diagonal).some((v) => Math.abs(v - 0.6) < 1e-6 || Math.abs(v - 1.2) < 1e-6), `no clipped diagonal: ${Array.from(diagonal)}`);
        }
        tf.dispose([...fast, ...ops]);
        assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
        await selectBackend('cpu');
      });
    }
  }

  // The kernels above run the addon's compiled write where it is built; this is the JavaScript that
  // runs where it is not.
  for (const [label, bounds] of [
    ['the clip idle', { covMin: 1e-6, covMax: 1e10 }],
    ['the clip binding', { covMin: 0.6, covMax: 1.2 }],
  ] as const) {
    it(`in JavaScript, ${label}: the tensor-op write's posterior and gradients`, async () => {
      await selectBackend('cpu');
      const want = everything(writeOnlineOps, bounds);
      const x = operands();
      const [mean, cov, codes, weights, wMean, wCov] = [x.mean, x.cov, x.codes, x.weights, x.wMean, x.wCov].map((t) => t.dataSync());
      const attrs = { noiseVar: 0.3, ...bounds };
      const sh = { batch: B, items: T, k: K, c: C };
      const post = [new Float32Array(B * K * C), new Float32Array(B * K * K)] as const;
      writeBatch(sh, mean!, cov!, codes!, weights!, attrs, post[0], post[1]);
      const grads = [new Float32Array(B * K * C), new Float32Array(B * K * K), new Float32Array(B * T * C), new Float32Array(B * T * K)] as const;
      writeGradBatch(sh, mean!, cov!, codes!, weights!, wMean!, wCov!, attrs, { mean: grads[0], cov: grads[1], codes: grads[2], weights: grads[3] });
      const names = ['mean', 'cov', '∂/∂mean', '∂/∂cov', '∂/∂codes', '∂/∂weights'];
      [...post, ...grads].forEach((got, i) => {
        const expected = want[i]!.dataSync();
        expectClose(got, expected, 1e-3 * Math.max(1, ...Array.from(expected, Math.abs)), `JavaScript ${names[i]}`);
      });
      tf.dispose([...want, ...Object.values(x)]);
    });
  }

  it("the addon's compiled write, gradient and Cholesky solve match the JavaScript", (t) => {
    const native = nativeKernels();
    if ('problem' in native) return t.skip(`no compiled kernels here (${native.problem}), so there is nothing to compare`);
    const rng = new Rng(11);
    const sh = { batch: B, items: T, k: K, c: C };
    const attrs = { noiseVar: 0.5, covMin: 0.6, covMax: 1e10 };
    const identity = Float32Array.from({ length: B * K * K }, (_, i) => (Math.floor(i / K) % K === i % K ? 1.5 : 0.1));
    const ins = [rng.normals(B * K * C), identity, rng.normals(B * T * C), rng.normals(B * T * K)] as const;
    const js = [new Float32Array(B * K * C), new Float32Array(B * K * K)] as const;
    const compiled = [new Float32Array(B * K * C), new Float32Array(B * K * K)] as const;
    writeBatch(sh, ...ins, attrs, js[0], js[1]);
    native.kanervaWrite(B, T, K, C, attrs.noiseVar, attrs.covMin, attrs.covMax, ...ins, ...compiled);
    js.forEach((v, i) => expectClose(compiled[i]!, v, 1e-5 * Math.max(1, ...Array.from(v, Math.abs)), `write output ${i}`));
    const dOut = [rng.normals(B * K * C), rng.normals(B * K * K)] as const;
    const sizes = [B * K * C, B * K * K, B * T * C, B * T * K];
    const jsGrad = sizes.map((n) => new Float32Array(n));
    const compiledGrad = sizes.map((n) => new Float32Array(n));
    writeGradBatch(sh, ...ins, ...dOut, attrs, { mean: jsGrad[0]!, cov: jsGrad[1]!, codes: jsGrad[2]!, weights: jsGrad[3]! });
    native.kanervaWriteGrad(B, T, K, C, attrs.noiseVar, attrs.covMin, attrs.covMax, ...ins, ...dOut, ...compiledGrad);
    jsGrad.forEach((v, i) => expectClose(compiledGrad[i]!, v, 1e-5 * Math.max(1, ...Array.from(v, Math.abs)), `gradient ${i}`));
    const spdA = Float32Array.from({ length: B * K * K }, (_, i) => (Math.floor(i / K) % K === i % K ? K : 0.5));
    const rhs = rng.normals(B * K * C);
    const [jsX, compiledX] = [new Float32Array(B * K * C), new Float32Array(B * K * C)];
    solveBatch(B, K, C, spdA, rhs, jsX);
    native.choleskySolve(B, K, C, spdA, rhs, compiledX);
    expectClose(compiledX, jsX, 1e-5, 'Cholesky solve');
  });

  it('rejects operands of the wrong shapes, naming them', async () => {
    await selectBackend('cpu');
    const state = { mean: tf.zeros([2, 3, 4]), cov: tf.zeros([2, 3, 3]) };
    const codes = tf.zeros([2, 5, 4]);
    const weights = tf.zeros([2, 5, 2]);
    assert.throws(() => writeOnline(state, codes, weights, 1), /weights \[2,5,2\] must be \[B, K, C\], \[B, K, K\], \[B, T, C\], \[B, T, K\]/);
    tf.dispose([state.mean, state.cov, codes, weights]);
  });
});
