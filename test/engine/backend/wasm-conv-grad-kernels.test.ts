// The wasm filter-gradient kernels of conv2d and depthwiseConv2d against the cpu backend's, on
// random inputs of distinct shapes, directly and through tf.grad.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../engine/backend/select';
import { wasmConvGradKernels } from '../../../engine/backend/wasm-conv-grad-kernels';
import { expectClose } from '../../helpers/tensors';
import { expectWasmMatchesCpu, randomValues, valuesOn, wasmHere } from './on-backends';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  readonly x: Shape4;
  readonly filter: Shape4;
  readonly strides: number | [number, number];
  readonly pad: Pad;
  readonly dataFormat?: 'NHWC' | 'NCHW';
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
  readonly dilations?: number | [number, number];
}

const TOL = 1e-5;

/** dy's shape for a case: the convolution's output shape. */
function outputShape(c: ConvCase, depthwise: boolean): Shape4 {
  const nchw = c.dataFormat === 'NCHW';
  const info = tf.backend_util.computeConv2DInfo(
    c.x,
    c.filter,
    c.strides,
    c.dilations ?? 1,
    c.pad,
    c.dimRoundingMode,
    depthwise,
    nchw ? 'channelsFirst' : 'channelsLast',
  );
  return nchw
    ? [info.batchSize, info.outChannels, info.outHeight, info.outWidth]
    : [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
}

function attrsOf(c: ConvCase, depthwise: boolean): tf.NamedAttrMap {
  const common = { strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode, filterShape: c.filter };
  const attrs = depthwise ? { ...common, dilations: c.dilations ?? 1 } : { ...common, dataFormat: c.dataFormat ?? 'NHWC' };
  return attrs as unknown as tf.NamedAttrMap;
}

function describeCase(c: ConvCase): string {
  return `x ${c.x.join('×')}, filter ${c.filter.join('×')}, strides ${c.strides}, pad ${JSON.stringify(c.pad)}` +
    `${c.dataFormat ? `, ${c.dataFormat}` : ''}${c.dimRoundingMode ? `, ${c.dimRoundingMode}` : ''}${c.dilations ? `, dilations ${c.dilations}` : ''}`;
}

/** Runs the registered kernel, or `kernel` when given (on wasm only), on the case's seeded inputs. */
function filterGrad(kernelName: string, c: ConvCase, depthwise: boolean, kernel?: tf.KernelConfig): () => tf.Tensor {
  const dyShape = outputShape(c, depthwise);
  const xValues = randomValues(1, c.x);
  const dyValues = randomValues(2, dyShape);
  return () => {
    const x = tf.tensor(xValues, c.x);
    const dy = tf.tensor(dyValues, dyShape);
    const attrs = attrsOf(c, depthwise);
    if (!kernel || tf.getBackend() !== 'wasm') return tf.engine().runKernel(kernelName, { x, dy }, attrs);
    const info = kernel.kernelFunc({ inputs: { x, dy }, backend: tf.backend(), attrs }) as tf.TensorInfo;
    return tf.engine().makeTensorFromTensorInfo(info);
  };
}

/**
 * The depthwise filter gradient from its definition, Σ dy ⊙ ∂y/∂W, one forward convolution per
 * filter entry (the map W → y is linear). The cpu kernel cannot serve as the reference when
 * dilations > 1: it ignores them (tfjs never asks it to: depthwiseConv2d's gradient refuses them).
 */
function depthwiseFilterGradByForward(c: ConvCase): () => tf.Tensor {
  const dyShape = outputShape(c, true);
  const xValues = randomValues(1, c.x);
  const dyValues = randomValues(2, dyShape);
  const size = c.filter.reduce((a, b) => a * b, 1);
  return () => {
    const x = tf.tensor(xValues, c.x) as tf.Tensor4D;
    const dy = tf.tensor(dyValues, dyShape);
    const entries = Array.from({ length: size }, (_, k) => {
      const unit = tf.oneHot(k, size).toFloat().reshape(c.filter) as tf.Tensor4D;
      const y = tf.depthwiseConv2d(x, unit, c.strides, c.pad as 'same', 'NHWC', c.dilations ?? 1, c.dimRoundingMode);
      return y.mul(dy).sum();
    });
    return tf.stack(entries).reshape(c.filter);
  };
}

const convCases: ConvCase[] = [
  { x: [2, 7, 6, 3], filter: [3, 2, 3, 5], strides: [2, 1], pad: 'same' },
  { x: [3, 5, 7, 1], filter: [3, 3, 1, 4], strides: 1, pad: 'valid' },
  { x: [2, 9, 8, 2], filter: [2, 3, 2, 3], strides: 2, pad: 'valid' },
  { x: [2, 6, 5, 3], filter: [3, 3, 3, 2], strides: 2, pad: 1, dimRoundingMode: 'ceil' },
  { x: [2, 6, 5, 3], filter: [3, 3, 3, 2], strides: 2, pad: 1, dimRoundingMode: 'floor' },
  { x: [3, 5, 6, 2], filter: [2, 3, 2, 4], strides: [1, 2], pad: [[0, 0], [2, 1], [0, 1], [0, 0]] },
  { x: [2, 3, 6, 5], filter: [3, 2, 3, 4], strides: 1, pad: 'same', dataFormat: 'NCHW' },
  { x: [3, 4, 5, 6], filter: [1, 1, 6, 2], strides: 1, pad: 'valid' },
];

const depthwiseCases: ConvCase[] = [
  { x: [2, 7, 6, 3], filter: [3, 2, 3, 2], strides: 1, pad: 'same' },
  { x: [3, 8, 9, 4], filter: [2, 3, 4, 1], strides: 2, pad: 'valid' },
  { x: [2, 9, 7, 2], filter: [3, 3, 2, 3], strides: 1, pad: 'same', dilations: 2 },
  { x: [2, 6, 7, 3], filter: [3, 3, 3, 2], strides: [2, 1], pad: 1, dimRoundingMode: 'ceil' },
];

describe('wasm Conv2DBackpropFilter', () => {
  for (const c of convCases) {
    it(`matches cpu: ${describeCase(c)}`, async (t) => {
      if (!(await wasmHere(t))) return;
      await expectWasmMatchesCpu(filterGrad('Conv2DBackpropFilter', c, false), TOL, describeCase(c));
    });
  }

  it('gives the same result when the batch is split into im2col blocks', async (t) => {
    if (!(await wasmHere(t))) return;
    // 60 floats is less than one example's columns, so every example is a block of its own.
    const [blocked] = wasmConvGradKernels(60);
    for (const c of [convCases[0]!, convCases[6]!]) {
      await expectWasmMatchesCpu(filterGrad('Conv2DBackpropFilter', c, false, blocked), TOL, `blocked, ${describeCase(c)}`);
    }
  });

  it('frees every intermediate it makes on the wasm heap', async (t) => {
    if (!(await wasmHere(t))) return;
    await selectBackend('wasm');
    const run = filterGrad('Conv2DBackpropFilter', convCases[0]!, false);
    const once = () => tf.tidy(() => void run());
    once(); // the first call may set up backend state
    const before = tf.backend().numDataIds();
    once();
    assert.equal(tf.backend().numDataIds(), before);
    await selectBackend('cpu');
  });

  const gradCases: [string, () => tf.Tensor[]][] = [
    [
      'conv2d, stride 2, same, w.r.t. input and filter',
      () => {
        const x = tf.tensor(randomValues(3, [2, 9, 7, 3]), [2, 9, 7, 3]);
        const f = tf.tensor(randomValues(4, [3, 3, 3, 4]), [3, 3, 3, 4]);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same').square().sum())([x, f]);
      },
    ],
    [
      'conv1d, valid, w.r.t. filter',
      () => {
        const x = tf.tensor(randomValues(5, [3, 11, 2]), [3, 11, 2]);
        const f = tf.tensor(randomValues(6, [4, 2, 5]), [4, 2, 5]);
        return [tf.grad((b: tf.Tensor) => tf.conv1d(x as tf.Tensor3D, b as tf.Tensor3D, 1, 'valid').sin().sum())(f)];
      },
    ],
    [
      'conv2dTranspose, stride 2, w.r.t. filter',
      () => {
        const x = tf.tensor(randomValues(7, [2, 4, 3, 5]), [2, 4, 3, 5]);
        const f = tf.tensor(randomValues(8, [3, 3, 2, 5]), [3, 3, 2, 5]);
        return [
          tf.grad((b: tf.Tensor) => tf.conv2dTranspose(x as tf.Tensor4D, b as tf.Tensor4D, [2, 8, 6, 2], 2, 'same').square().sum())(f),
        ];
      },
    ],
  ];
  for (const [name, fn] of gradCases) {
    it(`gives cpu's gradient through ${name}`, async (t) => {
      if (!(await wasmHere(t))) return;
      await expectWasmMatchesCpu(fn, 1e-4, name);
    });
  }
});

describe('wasm DepthwiseConv2dNativeBackpropFilter', () => {
  for (const c of depthwiseCases.filter((d) => d.dilations === undefined)) {
    it(`matches cpu: ${describeCase(c)}`, async (t) => {
      if (!(await wasmHere(t))) return;
      await expectWasmMatchesCpu(filterGrad('DepthwiseConv2dNativeBackpropFilter', c, true), TOL, describeCase(c));
    });
  }

  it('matches the gradient from the definition with dilations, also in im2col blocks', async (t) => {
    if (!(await wasmHere(t))) return;
    const [, blocked] = wasmConvGradKernels(60);
    for (const c of depthwiseCases) {
      const reference = await valuesOn('cpu', depthwiseFilterGradByForward(c));
      for (const kernel of [undefined, blocked]) {
        const [actual] = await valuesOn('wasm', filterGrad('DepthwiseConv2dNativeBackpropFilter', c, true, kernel));
        const scale = reference[0]!.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
        expectClose(actual!, reference[0]!, TOL * scale, `${kernel ? 'blocked, ' : ''}${describeCase(c)}`);
      }
    }
    await selectBackend('cpu');
  });

  it("gives cpu's gradient through depthwiseConv2d and separableConv2d", async (t) => {
    if (!(await wasmHere(t))) return;
    await expectWasmMatchesCpu(
      () => {
        const x = tf.tensor(randomValues(9, [2, 7, 8, 3]), [2, 7, 8, 3]) as tf.Tensor4D;
        const depth = tf.tensor(randomValues(10, [3, 2, 3, 2]), [3, 2, 3, 2]) as tf.Tensor4D;
        const point = tf.tensor(randomValues(11, [1, 1, 6, 5]), [1, 1, 6, 5]) as tf.Tensor4D;
        const viaDepthwise = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, [2, 1], 'same').square().sum(),
        )([x, depth]);
        const viaSeparable = tf.grads((b: tf.Tensor, p: tf.Tensor) =>
          tf.separableConv2d(x, b as tf.Tensor4D, p as tf.Tensor4D, 1, 'valid').cos().sum(),
        )([depth, point]);
        return [...viaDepthwise, ...viaSeparable];
      },
      1e-4,
      'depthwise and separable gradients',
    );
  });
});
