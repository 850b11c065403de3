// The im2col convolutions of the EBMM image energies: values against plain-JS loops, per-episode
// filters, and a third derivative against float64 finite differences.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { smoothTanh } from '../../../../engine/core/higher-order-ops';
import { Rng } from '../../../../engine/core/random';
import { averagePool, conv, episodeConv, outSide, patches } from '../../../../engine/models/ebmm/conv-ops';
import { backendsHere } from '../../../helpers/backends';
import { expectClose, values } from '../../../helpers/tensors';

// Distinct sizes: M images of H×W with C channels, C' filters, a k×k kernel.
const [M, H, W, C, OUT, K] = [2, 5, 7, 3, 2, 3];

/** Plain-JS 'same' convolution sampled at stride s: out[m, o, q, f] = Σ x[m, s·o + dy − p, s·q + dx − p, c] w[(dy·k + dx)·C + c, f]. */
function convJs(x: ArrayLike<number>, w: ArrayLike<number>, stride: number, shape = { m: M, h: H, w: W, c: C, out: OUT }): number[] {
  const { m, h, w: width, c, out } = shape;
  const [ho, wo, p] = [Math.ceil(h / stride), Math.ceil(width / stride), (K - 1) / 2];
  const result = new Array<number>(m * ho * wo * out).fill(0);
  for (let n = 0; n < m; n++)
    for (let o = 0; o < ho; o++)
      for (let q = 0; q < wo; q++)
        for (let dy = 0; dy < K; dy++)
          for (let dx = 0; dx < K; dx++) {
            const [i, j] = [stride * o + dy - p, stride * q + dx - p];
            if (i < 0 || i >= h || j < 0 || j >= width) continue;
            for (let ch = 0; ch < c; ch++)
              for (let f = 0; f < out; f++)
                result[((n * ho + o) * wo + q) * out + f]! += x[((n * h + i) * width + j) * c + ch]! * w[((dy * K + dx) * c + ch) * out + f]!;
          }
  return result;
}

/** Plain-JS 2×2 average pooling with stride 2, odd sides padded with zeros at the end. */
function poolJs(x: ArrayLike<number>): number[] {
  const [ho, wo] = [Math.ceil(H / 2), Math.ceil(W / 2)];
  const result = new Array<number>(M * ho * wo * C).fill(0);
  for (let n = 0; n < M; n++)
    for (let o = 0; o < ho; o++)
      for (let q = 0; q < wo; q++)
        for (let ch = 0; ch < C; ch++)
          for (const [i, j] of [[2 * o, 2 * q], [2 * o + 1, 2 * q], [2 * o, 2 * q + 1], [2 * o + 1, 2 * q + 1]] as const)
            if (i < H && j < W) result[((n * ho + o) * wo + q) * C + ch]! += 0.25 * x[((n * H + i) * W + j) * C + ch]!;
  return result;
}

describe('EBMM conv ops', () => {
  const rng = new Rng(8);
  const xs = rng.normals(M * H * W * C, 0.7);
  const ws = rng.normals(K * K * C * OUT, 0.4);

  before(async () => {
    await backendsHere();
  });

  for (const stride of [1, 2] as const) {
    it(`convolves like a plain loop with stride ${stride}`, () => {
      tf.tidy(() => {
        const y = conv(tf.tensor4d(xs, [M, H, W, C]), tf.tensor2d(ws, [K * K * C, OUT]), null, K, stride);
        assert.deepEqual(y.shape, [M, outSide(H, stride), outSide(W, stride), OUT]);
        expectClose(values(y), convJs(xs, ws, stride), 1e-5, `conv stride ${stride}`);
        assert.deepEqual(patches(tf.tensor4d(xs, [M, H, W, C]), K, stride).shape, [M, outSide(H, stride), outSide(W, stride), K * K * C]);
      });
    });
  }

  it('gives each episode its own filters', () => {
    tf.tidy(() => {
      const other = rng.normals(ws.length, 0.4);
      const filters = tf.stack([tf.tensor2d(ws, [K * K * C, OUT]), tf.tensor2d(other, [K * K * C, OUT])]); // [2, k·k·C, C']
      // Two episodes of one image each: image 0 with filter 0, image 1 with filter 1.
      const y = episodeConv(tf.tensor4d(xs, [M, H, W, C]), filters, tf.zeros([2, OUT]), K, 2);
      const half = outSide(H, 2) * outSide(W, 2) * OUT;
      const one = { m: 1, h: H, w: W, c: C, out: OUT };
      const imageSize = H * W * C;
      expectClose(values(y).slice(0, half), convJs(Array.from(xs).slice(0, imageSize), ws, 2, one), 1e-5, 'episode 0');
      expectClose(values(y).slice(half), convJs(Array.from(xs).slice(imageSize), other, 2, one), 1e-5, 'episode 1');
    });
  });

  it('average-pools 2×2 blocks, zero-padding an odd side', () => {
    tf.tidy(() => expectClose(values(averagePool(tf.tensor4d(xs, [M, H, W, C]))), poolJs(xs), 1e-6, 'pool'));
  });

  it('has the third derivative that the exact meta-gradient needs', () => {
    // f(x, w) = Σ tanh(conv(x, w; stride 2)) + Σ tanh(pool(x)),  G = ‖∇ₓ f‖²,  T = ∂²G/∂x∂w along (u, v).
    const u = rng.normals(xs.length, 1);
    const v = rng.normals(ws.length, 1);
    const G64 = (x: number[], w: number[]): number => {
      // ∇ₓ f by perturbing each input coordinate would be slow and inexact; use the exact adjoint:
      // ∂f/∂x_i = Σ_out (1 − tanh²(z_out)) ∂z_out/∂x_i, where ∂z/∂x_i is the linear map applied to e_i.
      const zConv = convJs(x, w, 2);
      const zPool = poolJs(x);
      const grad = new Array<number>(x.length).fill(0);
      for (let i = 0; i < x.length; i++) {
        const e = new Array<number>(x.length).fill(0);
        e[i] = 1;
        const dConv = convJs(e, w, 2);
        const dPool = poolJs(e);
        for (let o = 0; o < dConv.length; o++) grad[i]! += (1 - Math.tanh(zConv[o]!) ** 2) * dConv[o]!;
        for (let o = 0; o < dPool.length; o++) grad[i]! += (1 - Math.tanh(zPool[o]!) ** 2) * dPool[o]!;
      }
      return grad.reduce((a, g) => a + g * g, 0);
    };
    const h = 1e-3;
    const at = (s: number, t: number) =>
      G64(
        Array.from(xs, (x, i) => x + s * u[i]!),
        Array.from(ws, (w, i) => w + t * v[i]!),
      );
    const expected = (at(h, h) - at(h, -h) - at(-h, h) + at(-h, -h)) / (4 * h * h);
    const actual = tf.tidy(() => {
      const f = (x: tf.Tensor, w: tf.Tensor) => smoothTanh(conv(x, w, null, K, 2)).sum().add(smoothTanh(averagePool(x)).sum());
      const G = (x: tf.Tensor, w: tf.Tensor) => tf.grad((y: tf.Tensor) => f(y, w))(x.clone()).square().sum();
      const alongV = (x: tf.Tensor) => tf.grad((w: tf.Tensor) => G(x, w))(tf.tensor2d(ws, [K * K * C, OUT])).mul(tf.tensor2d(v, [K * K * C, OUT])).sum();
      const gradX = tf.grad(alongV)(tf.tensor4d(xs, [M, H, W, C]));
      return gradX.mul(tf.tensor4d(u, [M, H, W, C])).sum().dataSync()[0]!;
    });
    assert.ok(Math.abs(actual - expected) <= 2e-3 * Math.max(1, Math.abs(expected)), `third derivative ${actual} vs ${expected}`);
  });
});
