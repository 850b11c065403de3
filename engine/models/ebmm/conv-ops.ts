// Convolutions for the EBMM image energies that can be differentiated three times and run per
// episode with writable filters: patches by constant-filter convolutions, then a matrix product
// with the learned filters (im2col). Engine layer, any process.
import * as tf from '@tensorflow/tfjs';
import { nestedMatMul } from '../../core/higher-order-ops';

/*
 * Why not tf.conv2d with the learned filters: its filter gradient (Conv2DBackpropFilter) has no
 * gradient of its own in tfjs, so the third derivative of the exact meta-gradient cannot pass it,
 * and the wasm backend lacks that kernel. Instead the k×k neighbourhoods ("patches") are extracted
 * by tf.conv2d with a constant one-hot filter and multiplied by the learned filters. Patch
 * extraction and its adjoint ("fold") are both 'same' correlations with constant filters, so each
 * is defined as the other's gradient and both run the Conv2D kernel: tfjs's own gradient of conv2d
 * (Conv2DBackpropInput) runs several times slower on wasm (77 ms against 10 ms for a 32×14×14×72
 * fold measured here), and patches cut out with slices slower still (9 ms for one 32×28×28×8
 * window on wasm, 340 ms on cpu). A stride of 2 is a stride-1 convolution, then subsampling.
 */

/** Output side of a 'same' convolution with this stride. */
export function outSide(side: number, stride: 1 | 2): number {
  return Math.ceil(side / stride);
}

type Linear = (x: tf.Tensor) => tf.Tensor;
interface PatchOps {
  readonly patches: Linear;
  readonly fold: Linear;
}
const patchOps = new Map<number, PatchOps>();

/** A one-hot filter [k, k, in, out]: 1 where `source(dy, dx, o)` names input channel i for output o. */
function oneHotFilter(kernel: number, inC: number, outC: number, source: (dy: number, dx: number, o: number) => number | null): tf.Tensor4D {
  const values = new Float32Array(kernel * kernel * inC * outC);
  for (let dy = 0; dy < kernel; dy++) {
    for (let dx = 0; dx < kernel; dx++) {
      for (let o = 0; o < outC; o++) {
        const i = source(dy, dx, o);
        if (i !== null) values[((dy * kernel + dx) * inC + i) * outC + o] = 1;
      }
    }
  }
  return tf.tensor4d(values, [kernel, kernel, inC, outC]);
}

/**
 * Stride-1 'same' patch extraction for an odd k×k kernel and its adjoint, each the other's gradient:
 *   patches(x)[y, x, (dy·k + dx)·C + c] = x[y + dy − p, x + dx − p, c],    p = (k − 1)/2
 *   fold(g)[u, v, c] = Σ_{dy,dx} g[u − dy + p, v − dx + p, (dy·k + dx)·C + c]
 * fold is the correlation of g with the spatially flipped one-hot filter.
 */
function patchOpsFor(kernel: number): PatchOps {
  const known = patchOps.get(kernel);
  if (known) return known;
  const last = kernel - 1;
  const area = kernel * kernel;
  const ops: PatchOps = {
    patches: tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const x = args[0] as tf.Tensor4D;
      const c = x.shape[3];
      const filter = oneHotFilter(kernel, c, area * c, (dy, dx, o) => (Math.floor(o / c) === dy * kernel + dx ? o % c : null));
      return { value: tf.conv2d(x, filter, 1, 'same'), gradFunc: (dy: tf.Tensor | tf.Tensor[]) => ops.fold(dy as tf.Tensor) };
    }),
    fold: tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const g = args[0] as tf.Tensor4D;
      const c = g.shape[3] / area;
      const filter = oneHotFilter(kernel, area * c, c, (dy, dx, o) => ((last - dy) * kernel + (last - dx)) * c + o);
      return { value: tf.conv2d(g, filter, 1, 'same'), gradFunc: (dz: tf.Tensor | tf.Tensor[]) => ops.patches(dz as tf.Tensor) };
    }),
  };
  patchOps.set(kernel, ops);
  return ops;
}

/** The even rows and columns, x [M, H, W, C] → [M, ⌈H/2⌉, ⌈W/2⌉, C]: a 1×1 identity convolution with stride 2. */
function subsample(x: tf.Tensor): tf.Tensor {
  const c = x.shape[3]!;
  return tf.conv2d(x as tf.Tensor4D, oneHotFilter(1, c, c, (_, __, o) => o), 2, 'same');
}

/** The k×k neighbourhoods of a 'same' convolution, channels last: x [M, H, W, C] → [M, Ho, Wo, k·k·C]. */
export function patches(x: tf.Tensor, kernel: number, stride: 1 | 2): tf.Tensor {
  const p = kernel === 1 ? x : patchOpsFor(kernel).patches(x); // [M, H, W, k·k·C]
  return stride === 2 ? subsample(p) : p; // [M, Ho, Wo, k·k·C]
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

/**
 * 2×2 average pooling with stride 2 ('same': an odd side's last row or column is averaged with
 * zeros), a constant-filter tf.conv2d. Its gradients alternate between Conv2D and
 * Conv2DBackpropInput, both differentiable; pooling only feeds the narrow shortcuts, so the slower
 * backward kernel costs little here.
 */
export function averagePool(x: tf.Tensor): tf.Tensor {
  const c = x.shape[3]!;
  const filter = oneHotFilter(2, c, c, (_, __, o) => o).mul(0.25) as tf.Tensor4D;
  return tf.conv2d(x as tf.Tensor4D, filter, 2, 'same'); // [M, ⌈H/2⌉, ⌈W/2⌉, C]
}
