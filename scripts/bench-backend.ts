// Times training steps of the reference networks of machine-probe.md §3 on one backend; one process
// per configuration so that kernel registrations never leak between them. Developer script (Node).
//   node --import tsx scripts/bench-backend.ts --backend wasm --network mlp [--kernels off] [--matmul tf]
// --kernels off selects the backend without Engram's wasm kernels (the state before them);
// --matmul tf uses plain tf.matMul instead of the engine's matMul2d; --fallback NAME runs that wasm
// kernel on the cpu fallback instead of its fast implementation.
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { cpuFallbackKernelFunc } from '../engine/backend/cpu-fallback-kernel';
import { selectBackend } from '../engine/backend/select';
import { benchNetworks, benchTrainingStep, type BenchNetwork } from '../engine/backend/step-bench';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    network: { type: 'string', default: 'mlp' },
    kernels: { type: 'string', default: 'on' },
    matmul: { type: 'string', default: 'engine' },
    warmup: { type: 'string', default: '3' },
    steps: { type: 'string', default: '15' },
    fallback: { type: 'string' },
  },
});

const network = values.network as BenchNetwork;
if (!benchNetworks.includes(network)) throw new Error(`--network must be one of ${benchNetworks.join(', ')}`);

async function main(): Promise<void> {
  if (values.kernels === 'off') {
    if (values.backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend(values.backend!))) throw new Error(`backend ${values.backend} did not initialise`);
    (tf.findBackend('cpu') as unknown as { firstUse: boolean }).firstUse = false;
  } else {
    await selectBackend(values.backend);
  }
  if (values.fallback) {
    tf.unregisterKernel(values.fallback, 'wasm');
    tf.registerKernel({ kernelName: values.fallback, backendName: 'wasm', kernelFunc: cpuFallbackKernelFunc(values.fallback) });
  }

  try {
    const result = benchTrainingStep({
      network,
      matMul: values.matmul === 'tf' ? 'tf' : 'engine',
      warmupSteps: Number(values.warmup),
      timedSteps: Number(values.steps),
    });
    console.log(
      JSON.stringify({
        ...result,
        kernels: values.kernels,
        matMul: values.matmul,
        stepsMs: result.stepsMs.map((ms) => Math.round(ms * 10) / 10),
      }),
    );
  } catch (err) {
    console.log(JSON.stringify({ network, backend: values.backend, kernels: values.kernels, error: String(err).split('\n')[0] }));
  }
}

void main();
