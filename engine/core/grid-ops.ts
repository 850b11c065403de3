// Constant linear maps over image grids (channels last) that im2col convolutions are made of — k×k
// 'same' patches, stride-2 subsampling and 2×2 average pooling — each paired with its adjoint as its
// gradient, so they differentiate to every order. Backends may register a kernel per map
// (engine/backend/grid-kernels.ts: copies, where the fallback multiplies by one-hot filters).
// Engine layer, any process.
import * as tf from '@tensorflow/tfjs';

/** Kernel names, shared with the backends that register them. */
export const GRID_KERNELS = {
  patches: 'EngramPatches',
  fold: 'EngramFold',
  subsample: 'EngramSubsample2',
  upsample: 'EngramUpsample2',
  pool: 'EngramAvgPool2',
  unpool: 'EngramAvgUnpool2',
} as const;

/** The kernel's output when the current backend registers it, else null (use the fallback). */
function viaKernel(name: string, x: tf.Tensor, attrs: tf.NamedAttrMap): tf.Tensor | null {
  return tf.getKernel(name, tf.getBackend()) ? (tf.engine().runKernel(name, { x }, attrs) as tf.Tensor) : null;
}

type Linear = (x: tf.Tensor) => tf.Tensor;

/** A linear map and its adjoint, each defined as the other's gradient. */
export function adjointPair(forward: Linear, backward: Linear): { forward: Linear; backward: Linear } {
  const pair: { forward: Linear; backward: Linear } = {
    forward: tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
      value: forward(args[0] as tf.Tensor),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]): tf.Tensor => pair.backward(dy as tf.Tensor),
    })) as Linear,
    backward: tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
      value: backward(args[0] as tf.Tensor),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]): tf.Tensor => pair.forward(dy as tf.Tensor),
    })) as Linear,
  };
  return pair;
}

/** A one-hot filter [k, k, in, out]: 1 where `source(dy, dx, o)` names input channel i for output o. */
export function oneHotFilter(kernel: number, inC: number, outC: number, source: (dy: number, dx: number, o: number) => number | null): tf.Tensor4D {
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

const patchPairs = new Map<number, { forward: Linear; backward: Linear }>();

/**
 * Stride-1 'same' patches for an odd k×k kernel and their adjoint (fold):
 *   patches(x)[y, x, (dy·k + dx)·C + c] = x[y + dy − p, x + dx − p, c],    p = (k − 1)/2
 *   fold(g)[u, v, c] = Σ_{dy,dx} g[u − dy + p, v − dx + p, (dy·k + dx)·C + c]
 * Fallback: correlations with one-hot filters (fold's is the spatially flipped one).
 */
export function patchPair(kernel: number): { forward: Linear; backward: Linear } {
  let pair = patchPairs.get(kernel);
  if (pair) return pair;
  const last = kernel - 1;
  const area = kernel * kernel;
  pair = adjointPair(
    (x) => {
      const c = x.shape[3]!;
      return viaKernel(GRID_KERNELS.patches, x, { kernel }) ??
        tf.conv2d(x as tf.Tensor4D, oneHotFilter(kernel, c, area * c, (dy, dx, o) => (Math.floor(o / c) === dy * kernel + dx ? o % c : null)), 1, 'same');
    },
    (g) => {
      const c = g.shape[3]! / area;
      return viaKernel(GRID_KERNELS.fold, g, { kernel }) ??
        tf.conv2d(g as tf.Tensor4D, oneHotFilter(kernel, area * c, c, (dy, dx, o) => ((last - dy) * kernel + (last - dx)) * c + o), 1, 'same');
    },
  );
  patchPairs.set(kernel, pair);
  return pair;
}

/**
 * Stride-2 subsampling, x [M, H, W, C] → [M, ⌈H/2⌉, ⌈W/2⌉, C] (the even rows and columns), and its
 * adjoint, which puts each value back at its even position and zeros elsewhere. The adjoint must
 * know the full size, so the pair is made per input size. Fallback: a 1×1 identity filter.
 */
export function subsamplePair(height: number, width: number): { forward: Linear; backward: Linear } {
  const identity = (c: number) => oneHotFilter(1, c, c, (_, __, o) => o);
  return adjointPair(
    (x) => viaKernel(GRID_KERNELS.subsample, x, {}) ?? tf.conv2d(x as tf.Tensor4D, identity(x.shape[3]!), 2, 'same'),
    (g) => {
      const shape: [number, number, number, number] = [g.shape[0]!, height, width, g.shape[3]!];
      return viaKernel(GRID_KERNELS.upsample, g, { height, width }) ?? tf.conv2dTranspose(g as tf.Tensor4D, identity(g.shape[3]!), shape, 2, 'same');
    },
  );
}

/**
 * 2×2 average pooling with stride 2, 'same' (an odd side's last row or column is averaged with
 * zeros), x [M, H, W, C] → [M, ⌈H/2⌉, ⌈W/2⌉, C], and its adjoint (each value spread as a quarter over
 * its window). Made per input size, as subsamplePair. Fallback: a constant filter.
 */
export function averagePoolPair(height: number, width: number): { forward: Linear; backward: Linear } {
  const quarter = (c: number) => oneHotFilter(2, c, c, (_, __, o) => o).mul(0.25) as tf.Tensor4D;
  return adjointPair(
    (x) => viaKernel(GRID_KERNELS.pool, x, {}) ?? tf.conv2d(x as tf.Tensor4D, quarter(x.shape[3]!), 2, 'same'),
    (g) => {
      const shape: [number, number, number, number] = [g.shape[0]!, height, width, g.shape[3]!];
      return viaKernel(GRID_KERNELS.unpool, g, { height, width }) ?? tf.conv2dTranspose(g as tf.Tensor4D, quarter(g.shape[3]!), shape, 2, 'same');
    },
  );
}
