// Times one training step of two reference networks (machine-probe.md §3 b and c) on the current
// backend, so backends and kernel choices can be compared. Engine layer; runs in the CLI and scripts.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/random';

export const benchNetworks = ['mlp', 'conv'] as const;
export type BenchNetwork = (typeof benchNetworks)[number];

export interface StepBenchOptions {
  readonly network: BenchNetwork;
  readonly warmupSteps: number;
  readonly timedSteps: number;
}

export interface StepBenchResult {
  readonly network: BenchNetwork;
  readonly backend: string;
  readonly medianMs: number;
  readonly minMs: number;
  readonly stepsMs: readonly number[];
}

interface Net {
  readonly variables: tf.Variable[];
  readonly loss: () => tf.Scalar;
  readonly inputs: tf.Tensor[];
}

function normal(rng: Rng, shape: number[], std: number): tf.Tensor {
  return tf.tensor(rng.normals(shape.reduce((a, b) => a * b, 1), std), shape);
}

function variable(rng: Rng, shape: number[], std: number): tf.Variable {
  return tf.tidy(() => tf.variable(normal(rng, shape, std)));
}

function zeros(shape: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zeros(shape)));
}

// MLP 784-256-256-784 on a batch of 64, relu, mean squared error against its input.
function mlp(rng: Rng): Net {
  const sizes = [784, 256, 256, 784];
  const weights = sizes.slice(1).map((out, i) => variable(rng, [sizes[i]!, out], Math.sqrt(2 / (sizes[i]! + out))));
  const biases = sizes.slice(1).map((out) => zeros([out]));
  const x = normal(rng, [64, 784], 1) as tf.Tensor2D;
  const loss = (): tf.Scalar => {
    let h: tf.Tensor2D = x;
    weights.forEach((w, i) => {
      h = tf.matMul(h, w as tf.Tensor2D).add(biases[i]!);
      if (i + 1 < weights.length) h = tf.relu(h);
    });
    return tf.losses.meanSquaredError(x, h);
  };
  return { variables: [...weights, ...biases], loss, inputs: [x] };
}

// conv2d 3×3×32 'same' on 32×28×28×1 → relu → dense 10 → softmax cross-entropy.
function convNet(rng: Rng): Net {
  const filter = variable(rng, [3, 3, 1, 32], Math.sqrt(2 / 9));
  const bias = zeros([32]);
  const w = variable(rng, [28 * 28 * 32, 10], Math.sqrt(2 / (28 * 28 * 32 + 10)));
  const b = zeros([10]);
  const x = normal(rng, [32, 28, 28, 1], 1) as tf.Tensor4D;
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, () => rng.int(10)), 'int32'), 10));
  const loss = (): tf.Scalar => {
    const h = tf.relu(tf.conv2d(x, filter as tf.Tensor4D, 1, 'same').add(bias)); // [32, 28, 28, 32]
    const logits = tf.matMul(h.reshape([32, -1]) as tf.Tensor2D, w as tf.Tensor2D).add(b); // [32, 10]
    return tf.losses.softmaxCrossEntropy(labels, logits);
  };
  return { variables: [filter, bias, w, b], loss, inputs: [x, labels] };
}

/** Median wall time of one Adam step (forward, backward, update) of a reference network. */
export function benchTrainingStep(options: StepBenchOptions): StepBenchResult {
  const net = (options.network === 'mlp' ? mlp : convNet)(new Rng(1));
  const optimizer = tf.train.adam(1e-3);
  const step = (): number => {
    const started = tf.util.now();
    const cost = optimizer.minimize(net.loss, true, net.variables)!;
    cost.dataSync();
    cost.dispose();
    return tf.util.now() - started;
  };
  try {
    for (let i = 0; i < options.warmupSteps; i++) step();
    const stepsMs = Array.from({ length: options.timedSteps }, step);
    const sorted = [...stepsMs].sort((a, b) => a - b);
    return {
      network: options.network,
      backend: tf.getBackend(),
      medianMs: sorted[Math.floor(sorted.length / 2)]!,
      minMs: sorted[0]!,
      stepsMs,
    };
  } finally {
    optimizer.dispose();
    tf.dispose([...net.variables, ...net.inputs]);
  }
}
