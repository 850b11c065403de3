// Filter gradients of conv2d and depthwiseConv2d for the wasm backend, which has no kernels for them:
// the input's patches are gathered straight from the wasm heap into a column matrix (im2col), then
// one matrix product runs on the backend's XNNPACK kernels. Engine layer; runs wherever training runs.
import * as tf from '@tensorflow/tfjs';
import { cpuFallbackKernelFunc, type WasmBackendData } from './cpu-fallback-kernel';
import { KernelScope } from './kernel-scope';

type Conv2DInfo = tf.backend_util.Conv2DInfo;

/**
 * Row order of the column matrix: `tap-channel` puts row (i·fw + j)·C + c (a conv2d filter
 * [fh, fw, C, O] flattened), `channel-tap` puts row c·fh·fw + i·fw + j (one block per channel).
 */
type RowOrder = 'tap-channel' | 'channel-tap';

/** Where element (b, h, w, c) of the convolution's input sits in memory: Σ index · stride. */
interface InputLayout {
  readonly source: tf.TensorInfo;
  readonly b: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

/**
 * The input laid out so that image rows are contiguous, which the gather in im2col reads fastest:
 * NCHW and single-channel NHWC already are; other NHWC inputs are transposed to [C, B, H, W].
 */
function rowMajorInput(scope: KernelScope, x: tf.TensorInfo, info: Conv2DInfo): InputLayout {
  const { batchSize: B, inChannels: C, inHeight: H, inWidth: W } = info;
  if (info.dataFormat === 'channelsFirst') return { source: x, b: C * H * W, c: H * W, h: W, w: 1 };
  if (C === 1) return { source: x, b: H * W, c: 0, h: W, w: 1 };
  return { source: scope.transpose(x, [3, 0, 1, 2]), b: H * W, c: B * H * W, h: W, w: 1 };
}

/**
 * The im2col matrix of examples [b0, b0 + b) of the input: row (i, j, c), column (b, y, x) holds
 * x[b, y·sh + i·dh − top, x·sw + j·dw − left, c], zero where that falls in the padding.
 */
function im2col(
  backend: WasmBackendData,
  input: InputLayout,
  info: Conv2DInfo,
  order: RowOrder,
  b0: number,
  b: number,
): tf.TensorInfo {
  const { filterHeight: fh, filterWidth: fw, inChannels: C, inHeight: H, inWidth: W, outHeight, outWidth } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const { b: strideB, h: strideH, w: strideW, c: strideC } = input;
  const width = b * outHeight * outWidth;
  const out = backend.makeOutput([fh * fw * C, width], 'float32');
  // Views are taken after the allocation, which may grow (and so detach) the wasm memory.
  const cols = backend.typedArrayFromHeap(out);
  const xs = backend.typedArrayFromHeap(input.source);
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      // Output columns whose input column lies inside the image, for this tap.
      const offsetW = j * dw - left;
      const xStart = Math.min(outWidth, Math.max(0, Math.ceil(-offsetW / sw)));
      const xEnd = Math.max(xStart, Math.min(outWidth, Math.floor((W - 1 - offsetW) / sw) + 1));
      for (let c = 0; c < C; c++) {
        const row = order === 'tap-channel' ? (i * fw + j) * C + c : c * fh * fw + i * fw + j;
        let o = row * width;
        for (let bb = b0; bb < b0 + b; bb++) {
          for (let y = 0; y < outHeight; y++) {
            const h = y * sh + i * dh - top;
            if (h < 0 || h >= H) {
              cols.fill(0, o, o + outWidth);
              o += outWidth;
              continue;
            }
            const base = bb * strideB + h * strideH + c * strideC + offsetW * strideW;
            cols.fill(0, o, o + xStart);
            for (let xx = xStart; xx < xEnd; xx++) cols[o + xx] = xs[base + xx * sw * strideW]!;
            cols.fill(0, o + xEnd, o + outWidth);
            o += outWidth;
          }
        }
      }
    }
  }
  return out;
}

/** Examples per im2col block, so that a block stays under maxColumnFloats. */
function batchBlock(info: Conv2DInfo, maxColumnFloats: number): number {
  const perExample = info.filterHeight * info.filterWidth * info.inChannels * info.outHeight * info.outWidth;
  return Math.max(1, Math.min(info.batchSize, Math.floor(maxColumnFloats / Math.max(1, perExample))));
}

/**
 * Σ over blocks of examples [b0, b0 + b) of `product`(the block's im2col matrix, b0, b): the product
 * pairs the columns with the block's rows of dy.
 */
function sumOverBlocks(
  scope: KernelScope,
  backend: WasmBackendData,
  x: tf.TensorInfo,
  info: Conv2DInfo,
  order: RowOrder,
  maxColumnFloats: number,
  product: (columns: tf.TensorInfo, b0: number, b: number) => tf.TensorInfo,
): tf.TensorInfo {
  const input = rowMajorInput(scope, x, info);
  const block = batchBlock(info, maxColumnFloats);
  let total: tf.TensorInfo | null = null;
  for (let b0 = 0; b0 < info.batchSize; b0 += block) {
    const b = Math.min(block, info.batchSize - b0);
    const columns = scope.adopt(im2col(backend, input, info, order, b0, b));
    const part = product(columns, b0, b);
    total = total ? scope.add(total, part) : part;
  }
  return total!;
}

function isFloat(...infos: tf.TensorInfo[]): boolean {
  return infos.every((t) => t.dtype === 'float32');
}

const conv2dFallback = cpuFallbackKernelFunc('Conv2DBackpropFilter');

// dW[i, j, c, o] = Σ_{b, y, x} xpad[b, y·sh + i, x·sw + j, c] · dy[b, y, x, o] = (columns · dy_rows)[(i, j, c), o]
const conv2dBackpropFilter = (maxColumnFloats: number): tf.KernelFunc => (args) => {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  if (!isFloat(x, dy)) return conv2dFallback(args);
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
  const wasm = backend as WasmBackendData;
  const scope = new KernelScope('wasm', wasm);
  try {
    const pixels = info.outHeight * info.outWidth;
    const nhwc = info.dataFormat === 'channelsFirst' ? scope.transpose(dy, [0, 2, 3, 1]) : dy; // [B, outH, outW, O]
    const dyRows = scope.reshape(nhwc, [info.batchSize * pixels, info.outChannels]); // [M, O]
    const dw = sumOverBlocks(scope, wasm, x, info, 'tap-channel', maxColumnFloats, (columns, b0, b) => {
      const rows = b === info.batchSize ? dyRows : scope.slice(dyRows, [b0 * pixels, 0], [b * pixels, info.outChannels]);
      return scope.matMul(columns, rows); // [K, O]
    });
    return scope.finish(scope.reshape(dw, [...filterShape]));
  } catch (err) {
    scope.dispose();
    throw err;
  }
};

const depthwiseFallback = cpuFallbackKernelFunc('DepthwiseConv2dNativeBackpropFilter');

// dW[i, j, c, m] = Σ_{b, y, x} xpad[b, y·sh + i·dh, x·sw + j·dw, c] · dy[b, y, x, c·mult + m]: for every
// channel c, columns_c [fh·fw, pixels] · dy_c [pixels, mult], as one batched product over channels.
const depthwiseConv2dNativeBackpropFilter = (maxColumnFloats: number): tf.KernelFunc => (args) => {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  if (!isFloat(x, dy)) return depthwiseFallback(args);
  const { strides, dilations, pad, dimRoundingMode, filterShape } =
    attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const wasm = backend as WasmBackendData;
  const scope = new KernelScope('wasm', wasm);
  try {
    const channels = info.inChannels;
    const multiplier = info.outChannels / channels;
    const taps = info.filterHeight * info.filterWidth;
    const pixels = info.outHeight * info.outWidth;
    const byPixel = scope.reshape(dy, [info.batchSize * pixels, channels, multiplier]); // [M, C, mult]
    const byChannel = scope.transpose(byPixel, [1, 0, 2]); // [C, M, mult]
    const dw = sumOverBlocks(scope, wasm, x, info, 'channel-tap', maxColumnFloats, (columns, b0, b) => {
      const blocks = scope.reshape(columns, [channels, taps, b * pixels]); // [C, P, m]
      const rows = b === info.batchSize ? byChannel : scope.slice(byChannel, [0, b0 * pixels, 0], [channels, b * pixels, multiplier]);
      return scope.matMul(blocks, rows); // [C, P, mult]
    });
    const byTap = scope.transpose(dw, [1, 0, 2]); // [P, C, mult]
    return scope.finish(scope.reshape(byTap, [...filterShape]));
  } catch (err) {
    scope.dispose();
    throw err;
  }
};

/**
 * The kernels, building the column matrix for a block of the batch at a time when the whole batch's
 * would exceed `maxColumnFloats` (default 2^24 floats, 64 MB).
 */
export function wasmConvGradKernels(maxColumnFloats = 1 << 24): tf.KernelConfig[] {
  return [
    { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilter(maxColumnFloats) },
    {
      kernelName: 'DepthwiseConv2dNativeBackpropFilter',
      backendName: 'wasm',
      kernelFunc: depthwiseConv2dNativeBackpropFilter(maxColumnFloats),
    },
  ];
}
