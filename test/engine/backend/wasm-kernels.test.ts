// The completed wasm backend: every cpu kernel has a wasm kernel, and every gradient the machine
// probe (machine-probe.md §3 d) found failing on wasm with "kernel not registered" now runs.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../engine/backend/select';
import { installWasmKernels } from '../../../engine/backend/wasm-kernels';
import { randomValues, wasmHere } from './on-backends';

function rand(seed: number, shape: number[]): tf.Tensor {
  return tf.tensor(randomValues(seed, shape), shape);
}

function assertFinite(values: ArrayLike<number>, what: string): void {
  assert.ok(values.length > 0, `${what}: no values`);
  for (let i = 0; i < values.length; i++) assert.ok(Number.isFinite(values[i]), `${what}[${i}] = ${values[i]}`);
}

/** The probe's cases that failed on wasm only; each returns the gradient it computes. */
const probeCases: [string, () => tf.Tensor][] = [
  ['conv2d same w.r.t. filter', () => tf.grad((f: tf.Tensor) => tf.conv2d(rand(1, [2, 6, 5, 3]) as tf.Tensor4D, f as tf.Tensor4D, 1, 'same').sum())(rand(2, [3, 3, 3, 4]))],
  ['conv2d valid w.r.t. filter', () => tf.grad((f: tf.Tensor) => tf.conv2d(rand(3, [2, 6, 5, 3]) as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid').sum())(rand(4, [2, 3, 3, 4]))],
  ['conv2d stride 2 w.r.t. filter', () => tf.grad((f: tf.Tensor) => tf.conv2d(rand(5, [2, 7, 6, 3]) as tf.Tensor4D, f as tf.Tensor4D, 2, 'same').sum())(rand(6, [3, 3, 3, 2]))],
  ['conv1d w.r.t. filter', () => tf.grad((f: tf.Tensor) => tf.conv1d(rand(7, [2, 9, 3]) as tf.Tensor3D, f as tf.Tensor3D, 1, 'same').sum())(rand(8, [3, 3, 5]))],
  ['conv2dTranspose w.r.t. filter', () => tf.grad((f: tf.Tensor) => tf.conv2dTranspose(rand(9, [2, 3, 4, 5]) as tf.Tensor4D, f as tf.Tensor4D, [2, 6, 8, 2], 2, 'same').sum())(rand(10, [3, 3, 2, 5]))],
  ['depthwiseConv2d w.r.t. filter', () => tf.grad((f: tf.Tensor) => tf.depthwiseConv2d(rand(11, [2, 6, 5, 3]) as tf.Tensor4D, f as tf.Tensor4D, 1, 'same').sum())(rand(12, [3, 3, 3, 2]))],
  ['gather axis 0', () => tf.grad((x: tf.Tensor) => tf.gather(x, tf.tensor1d([2, 0, 2], 'int32')).sum())(rand(13, [4, 3]))],
  ['gather axis 1', () => tf.grad((x: tf.Tensor) => tf.gather(x, tf.tensor1d([1, 1, 0], 'int32'), 1).sum())(rand(14, [4, 3]))],
  ['unsortedSegmentSum', () => tf.grad((x: tf.Tensor) => tf.unsortedSegmentSum(x, tf.tensor1d([1, 0, 1, 2], 'int32'), 3).square().sum())(rand(15, [4, 3]))],
];

/** The probe's tf.layers cases: one epoch of fit on a layer whose gradient needs a missing kernel. */
const layerCases: [string, () => tf.LayersModel, () => [tf.Tensor, tf.Tensor]][] = [
  [
    'tf.layers.conv2d fit',
    () => tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [5, 6, 2], filters: 3, kernelSize: 3 }), tf.layers.flatten(), tf.layers.dense({ units: 1 })] }),
    () => [rand(16, [4, 5, 6, 2]), rand(17, [4, 1])],
  ],
  [
    'tf.layers.conv2dTranspose fit',
    () => tf.sequential({ layers: [tf.layers.conv2dTranspose({ inputShape: [3, 4, 2], filters: 3, kernelSize: 2, strides: 2 }), tf.layers.flatten(), tf.layers.dense({ units: 1 })] }),
    () => [rand(18, [4, 3, 4, 2]), rand(19, [4, 1])],
  ],
  [
    'tf.layers.embedding fit',
    () => tf.sequential({ layers: [tf.layers.embedding({ inputDim: 7, outputDim: 3, inputLength: 5 }), tf.layers.flatten(), tf.layers.dense({ units: 1 })] }),
    () => [tf.tensor2d([[0, 6, 2, 2, 1], [3, 4, 5, 6, 0]], [2, 5], 'int32'), rand(20, [2, 1])],
  ],
];

describe('installWasmKernels', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('is run by selectBackend when it selects wasm', async (t) => {
    if (!(await wasmHere(t))) return;
    await selectBackend('wasm');
    for (const name of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'UnsortedSegmentSum', 'Einsum']) {
      assert.ok(tf.getKernel(name, 'wasm'), `${name} is not registered for wasm`);
    }
    await selectBackend('cpu');
  });

  it('registers a wasm kernel for every cpu kernel, the training ones native', async (t) => {
    if (!(await wasmHere(t))) return;
    await selectBackend('wasm');
    const report = installWasmKernels();
    const onWasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
    const missing = tf.getKernelsForBackend('cpu').map((k) => k.kernelName).filter((name) => !onWasm.has(name));
    assert.deepEqual(missing, []);
    assert.deepEqual([...report.fast].sort(), ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'UnsortedSegmentSum']);
    for (const name of report.fallback) assert.ok(!report.fast.includes(name), `${name} is both fast and a fallback`);
    assert.equal(installWasmKernels(), report, 'a second install returns the first report');
    await selectBackend('cpu');
  });

  for (const [name, fn] of probeCases) {
    it(`runs the gradient of ${name} on wasm`, async (t) => {
      if (!(await wasmHere(t))) return;
      await selectBackend('wasm');
      const grad = tf.tidy(fn);
      assertFinite(grad.dataSync(), name);
      grad.dispose();
      await selectBackend('cpu');
    });
  }

  for (const [name, build, data] of layerCases) {
    it(`runs ${name} on wasm`, async (t) => {
      if (!(await wasmHere(t))) return;
      await selectBackend('wasm');
      const model = build();
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const [xs, ys] = data();
      const history = await model.fit(xs, ys, { epochs: 1, batchSize: 2, verbose: 0 });
      assertFinite(history.history['loss'] as number[], `${name} loss`);
      tf.dispose([xs, ys]);
      model.dispose();
      await selectBackend('cpu');
    });
  }

  it("runs einsum on wasm, whose gradient fails as on cpu (tfjs-core has none), not for want of a kernel", async (t) => {
    if (!(await wasmHere(t))) return;
    await selectBackend('wasm');
    const a = rand(21, [2, 3]);
    const b = rand(22, [3, 4]);
    const product = tf.einsum('ij,jk->ik', a, b);
    assertFinite(product.dataSync(), 'einsum');
    assert.throws(() => tf.grad((x: tf.Tensor) => tf.einsum('ij,jk->ik', x, b).sum())(a), /gradient function not found for Einsum/);
    tf.dispose([a, b, product]);
    await selectBackend('cpu');
  });
});
