// Kernels for core/grid-ops.ts on the wasm and cpu backends: k×k 'same' patches and their fold,
// stride-2 subsampling and its adjoint, 2×2 average pooling and its adjoint, as copies and sums over
// the values (NHWC, float32). Engine layer; runs wherever training runs.
import * as tf from '@tensorflow/tfjs';
import { GRID_KERNELS } from '../core/grid-ops';
import { kernelAccess, type KernelAccess } from './kernel-access';

/*
 * Why: the fallback computes each map as a convolution with a one-hot filter, which multiplies every
 * output by a whole filter of zeros: patches of a 32-channel map cost 9·32·288 multiply-adds a pixel
 * for 288 copies, and EBMM's image energies spent 80 % of a training step there (the Conv2D and
 * Conv2DBackpropInput kernels). Copies cost what PyTorch's im2col costs.
 */

type GridFunc = (x: tf.TensorInfo, attrs: tf.NamedAttrMap, access: KernelAccess) => tf.TensorInfo;

/**
 * patches: out[m, y, x, (dy·k + dx)·C + c] = in[m, y + dy − p, x + dx − p, c]; its adjoint, fold, sums
 * every patch entry back into the cell it came from. Both visit the same (cell, patch entry) pairs.
 */
function patchMap(adjoint: boolean): GridFunc {
  return (x, attrs, access) => {
    const k = attrs['kernel'] as number;
    const [m, h, w, last] = x.shape as [number, number, number, number];
    const c = adjoint ? last / (k * k) : last;
    const depth = k * k * c;
    const p = (k - 1) / 2;
    const out = access.outputs([[m, h, w, adjoint ? c : depth]])[0]!;
    const from = access.input(x);
    const to = out.values;
    for (let b = 0; b < m; b++) {
      for (let y = 0; y < h; y++) {
        for (let xx = 0; xx < w; xx++) {
          const row = ((b * h + y) * w + xx) * depth;
          for (let dy = 0; dy < k; dy++) {
            const sy = y + dy - p;
            if (sy < 0 || sy >= h) continue;
            for (let dx = 0; dx < k; dx++) {
              const sx = xx + dx - p;
              if (sx < 0 || sx >= w) continue;
              const entry = row + (dy * k + dx) * c;
              const cell = ((b * h + sy) * w + sx) * c;
              if (adjoint) for (let ch = 0; ch < c; ch++) to[cell + ch] = to[cell + ch]! + from[entry + ch]!;
              else for (let ch = 0; ch < c; ch++) to[entry + ch] = from[cell + ch]!;
            }
          }
        }
      }
    }
    return out.info;
  };
}

const patches = patchMap(false);
const fold = patchMap(true);

/**
 * Both stride-2 maps and their adjoints visit output cell (i, j) of a [M, ⌈H/2⌉, ⌈W/2⌉, C] grid and
 * the input cells (2i + di, 2j + dj) of its window inside [H, W]; `taps` is 1 (subsample) or 2 (pool).
 */
function strideTwo(taps: 1 | 2, weight: number, adjoint: boolean): GridFunc {
  return (x, attrs, access) => {
    const [m, xh, xw, c] = x.shape as [number, number, number, number];
    const [h, w] = adjoint ? [attrs['height'] as number, attrs['width'] as number] : [xh, xw];
    const [ho, wo] = [Math.ceil(h / 2), Math.ceil(w / 2)];
    const out = access.outputs([adjoint ? [m, h, w, c] : [m, ho, wo, c]])[0]!;
    const from = access.input(x);
    const to = out.values;
    for (let b = 0; b < m; b++) {
      for (let i = 0; i < ho; i++) {
        for (let j = 0; j < wo; j++) {
          const small = ((b * ho + i) * wo + j) * c;
          for (let di = 0; di < taps; di++) {
            if (2 * i + di >= h) continue;
            for (let dj = 0; dj < taps; dj++) {
              if (2 * j + dj >= w) continue;
              const big = ((b * h + 2 * i + di) * w + 2 * j + dj) * c;
              if (adjoint) for (let ch = 0; ch < c; ch++) to[big + ch] = weight * from[small + ch]!;
              else for (let ch = 0; ch < c; ch++) to[small + ch] = to[small + ch]! + weight * from[big + ch]!;
            }
          }
        }
      }
    }
    return out.info;
  };
}

const grids: Record<string, GridFunc> = {
  [GRID_KERNELS.patches]: patches,
  [GRID_KERNELS.fold]: fold,
  [GRID_KERNELS.subsample]: strideTwo(1, 1, false),
  [GRID_KERNELS.upsample]: strideTwo(1, 1, true),
  [GRID_KERNELS.pool]: strideTwo(2, 0.25, false),
  [GRID_KERNELS.unpool]: strideTwo(2, 0.25, true),
};

/** Registers the grid kernels for a backend (once); core/grid-ops.ts uses them wherever they are registered. */
export function installGridKernels(backendName: 'wasm' | 'cpu'): void {
  const accessOf = kernelAccess(backendName);
  for (const [kernelName, fn] of Object.entries(grids)) {
    if (tf.getKernel(kernelName, backendName)) continue;
    tf.registerKernel({
      kernelName,
      backendName,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { x } = inputs as { x: tf.TensorInfo };
        if (x.dtype !== 'float32' || x.shape.length !== 4) throw new Error(`${kernelName}: expects a float32 [M, H, W, C] tensor, got ${x.dtype} [${x.shape}]`);
        return fn(x, attrs ?? {}, accessOf(backend as tf.KernelBackend));
      },
    });
  }
}
