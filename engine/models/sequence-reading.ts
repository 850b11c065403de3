// What the recurrent memories (LSTM, fast weights, differentiable plasticity) share: reading every
// query as an independent continuation of the written sequence, and one readout, so that comparisons
// between them differ only in the recurrence. Engine layer, any process.
import * as tf from '@tensorflow/tfjs';
import { applyDense, dense, outputActivation, type Dense } from '../core/layers';
import type { OutputKind } from '../core/memory-model';
import type { Rng } from '../core/random';

/**
 * Repeats each episode's state once per query, episode-major: [B, ...] → [B·Q, ...]. Every query then
 * continues from its own copy of the written state, so no query sees another.
 */
export function perQuery(t: tf.Tensor, queries: number): tf.Tensor {
  const [batch, ...rest] = t.shape as number[];
  return t
    .expandDims(1)
    .tile([1, queries, ...rest.map(() => 1)])
    .reshape([batch! * queries, ...rest]); // [B·Q, ...]
}

/** The readout from a hidden state to the task's outputs: a ReLU layer (when `hidden` is set), then a linear one. */
export interface Readout {
  readonly hidden: Dense | null;
  readonly out: Dense;
}

/** A readout from `inDim` features with a ReLU layer of `hiddenSize` (0: linear) to `outDim` outputs. */
export function readoutLayers(rng: Rng, inDim: number, hiddenSize: number, outDim: number): Readout {
  const hidden = hiddenSize > 0 ? dense(rng, inDim, hiddenSize) : null;
  return { hidden, out: dense(rng, hiddenSize > 0 ? hiddenSize : inDim, outDim) };
}

/** y = act(W₂ relu(W₁ h + b₁) + b₂), act chosen by the task's output kind. */
export function applyReadout(readout: Readout, h: tf.Tensor, kind: OutputKind): tf.Tensor {
  const features = readout.hidden ? tf.relu(applyDense(readout.hidden, h)) : h; // [..., hidden]
  return outputActivation(kind, applyDense(readout.out, features)); // [..., D_out]
}

/** The readout's variables under stable checkpoint names. */
export function readoutVariables(readout: Readout): Record<string, tf.Variable> {
  return {
    ...(readout.hidden ? { 'readout.hidden.W': readout.hidden.W, 'readout.hidden.b': readout.hidden.b } : {}),
    'readout.out.W': readout.out.W,
    'readout.out.b': readout.out.b,
  };
}
