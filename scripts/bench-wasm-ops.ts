// Times single ops on the wasm backend: matMul with transpose flags against explicit transposes (2-D
// and batched 3-D), and Engram's wasm kernels against the cpu fallback they replace. Developer script.
//   node --import tsx scripts/bench-wasm-ops.ts [--runs 9]
// Every timed call gets freshly computed inputs (XNNPACK caches packed weights per tensor, which a
// training step never reuses); the time of making them is measured alone and subtracted. The cpu
// fallbacks take seconds a call, so they are timed once, after one warm-up call.
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { cpuFallbackKernelFunc } from '../engine/backend/cpu-fallback-kernel';
import { selectBackend } from '../engine/backend/select';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' } } });
const runs = Number(values.runs);

function medianMs(fn: () => void, times = runs): number {
  fn();
  const measured = Array.from({ length: times }, () => {
    const started = tf.util.now();
    fn();
    return tf.util.now() - started;
  }).sort((a, b) => a - b);
  return measured[Math.floor(times / 2)]!;
}

/** Median time of op(fresh inputs) minus that of making the fresh inputs. */
function opMs(inputs: tf.Tensor[], op: (...fresh: tf.Tensor[]) => tf.Tensor, times = runs): number {
  const bump = tf.scalar(1e-3);
  const fresh = () => inputs.map((t) => t.add(bump));
  const making = medianMs(() => tf.tidy(() => void fresh().forEach((t) => t.dataSync())));
  const total = medianMs(() => tf.tidy(() => void op(...fresh()).dataSync()), times);
  bump.dispose();
  return Math.max(0, total - making);
}

const round = (ms: number) => Math.round(ms * 100) / 100;

function withFallback<T>(kernelName: string, fn: () => T): T {
  const fast = tf.getKernel(kernelName, 'wasm');
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: cpuFallbackKernelFunc(kernelName) });
  try {
    return fn();
  } finally {
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel(fast);
  }
}

async function main(): Promise<void> {
  await selectBackend('wasm');
  const rows: Record<string, unknown>[] = [];
  const r = (shape: number[]) => tf.randomNormal(shape);

  for (const [m, k, n] of [[64, 256, 784], [256, 64, 784]] as const) {
    const a = r([m, k]);
    const aT = r([k, m]);
    const bT = r([n, k]);
    const b = r([k, n]);
    rows.push({
      op: `matMul 2-D ${m}×${k}·${k}×${n}`,
      plainMs: round(opMs([a, b], (x, y) => tf.matMul(x!, y!))),
      transposeAFlagMs: round(opMs([aT, b], (x, y) => tf.matMul(x!, y!, true, false))),
      transposeAExplicitMs: round(opMs([aT, b], (x, y) => tf.matMul(tf.transpose(x!), y!))),
      transposeBFlagMs: round(opMs([a, bT], (x, y) => tf.matMul(x!, y!, false, true))),
      transposeBExplicitMs: round(opMs([a, bT], (x, y) => tf.matMul(x!, tf.transpose(y!)))),
    });
    tf.dispose([a, aT, b, bT]);
  }
  for (const [batch, q, n, s] of [[16, 8, 32, 64], [32, 16, 96, 86], [8, 64, 256, 64]] as const) {
    const u = r([batch, q, s]);
    const slots = r([batch, n, s]);
    const weights = r([batch, q, n]);
    rows.push({
      op: `matMul 3-D [${batch},${q},${s}]·[${batch},${n},${s}]ᵀ (attention scores)`,
      transposeBFlagMs: round(opMs([u, slots], (x, y) => tf.matMul(x!, y!, false, true))),
      transposeBExplicitMs: round(opMs([u, slots], (x, y) => tf.matMul(x!, tf.transpose(y!, [0, 2, 1])))),
      transposeAFlagMs: round(opMs([weights, u], (x, y) => tf.matMul(x!, y!, true, false))),
      transposeAExplicitMs: round(opMs([weights, u], (x, y) => tf.matMul(tf.transpose(x!, [0, 2, 1]), y!))),
    });
    tf.dispose([u, slots, weights]);
  }

  const kernelCases: [string, number[], number[], tf.NamedAttrMap][] = [
    ['Conv2DBackpropFilter', [32, 28, 28, 1], [32, 28, 28, 32], { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 1, 32] }],
    ['Conv2DBackpropFilter', [32, 14, 14, 32], [32, 14, 14, 64], { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 32, 64] }],
    ['Conv2DBackpropFilter', [8, 32, 32, 16], [8, 16, 16, 16], { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [5, 5, 16, 16] }],
    ['DepthwiseConv2dNativeBackpropFilter', [32, 28, 28, 8], [32, 28, 28, 16], { strides: 1, dilations: 1, pad: 'same', filterShape: [3, 3, 8, 2] }],
    ['DepthwiseConv2dNativeBackpropFilter', [16, 16, 16, 64], [16, 16, 16, 64], { strides: 1, dilations: 1, pad: 'same', filterShape: [3, 3, 64, 1] }],
  ];
  for (const [kernelName, xShape, dyShape, attrs] of kernelCases) {
    const x = r(xShape);
    const dy = r(dyShape);
    const run = (a?: tf.Tensor, b?: tf.Tensor) => tf.engine().runKernel(kernelName, { x: a!, dy: b! }, attrs) as tf.Tensor;
    rows.push({
      op: `${kernelName} x ${xShape.join('×')}, filter ${(attrs['filterShape'] as number[]).join('×')}, stride ${attrs['strides']}`,
      wasmMs: round(opMs([x, dy], run)),
      cpuFallbackMs: round(withFallback(kernelName, () => opMs([x, dy], run, 1))),
    });
    tf.dispose([x, dy]);
  }
  for (const [count, width, segments] of [[512, 64, 100], [4096, 64, 10]] as const) {
    const x = r([count, width]);
    const ids = tf.tensor1d(Array.from({ length: count }, (_, i) => (i * 7919) % segments), 'int32');
    const run = (a?: tf.Tensor) => tf.unsortedSegmentSum(a!, ids, segments);
    rows.push({
      op: `UnsortedSegmentSum ${count}×${width} into ${segments}`,
      wasmMs: round(opMs([x], run)),
      cpuFallbackMs: round(withFallback('UnsortedSegmentSum', () => opMs([x], run, 1))),
    });
    tf.dispose([x, ids]);
  }
  for (const row of rows) console.log(JSON.stringify(row));
}

void main();
