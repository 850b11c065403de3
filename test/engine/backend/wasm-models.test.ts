// Every registered model's example, trained one step on the wasm backend with Engram's kernels
// (BatchMatMul, Identity, slices, tiles, sums) and on the cpu backend: the same loss, the same
// gradients, the same read. The kernels' unit tests check ops; this checks them as models use them.
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { runEpisode } from '../../../engine/core/episode';
import { deriveSeed, Rng } from '../../../engine/core/random';
import { disposeRead, disposeState } from '../../../engine/core/tensors';
import { models } from '../../../engine/models/registry';
import { resolveRunSpec } from '../../../engine/training/run-spec';
import { instantiate } from '../../../engine/training/trainer';
import { expectWasmMatchesCpu, wasmHere } from './on-backends';

/** Loss, gradients (in variable order) and a read of one example episode, for the current backend. */
function oneStep(modelId: string): tf.Tensor[] {
  const descriptor = models.find((m) => m.id === modelId)!;
  const { task, taskConfig, modelConfig } = descriptor.example;
  const set: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(taskConfig)) set[`task.${k}`] = v;
  for (const [k, v] of Object.entries(modelConfig)) set[`model.${k}`] = v;
  const spec = resolveRunSpec({ model: modelId, task, set, seed: 3 });
  const instance = instantiate(spec);
  try {
    const episode = instance.task.sample(new Rng(deriveSeed(3, 'train')), 2, 'train');
    const { state, read } = runEpisode(instance.model, episode);
    const out = [read.retrieved.clone()];
    disposeState(state);
    disposeRead(read);
    const variables = Object.values(instance.model.variables());
    if (variables.length) {
      const { value, grads } = tf.variableGrads(() => instance.model.loss(episode, instance.task).total, variables);
      out.push(value, ...variables.map((v) => grads[v.name]!));
    }
    tf.dispose([episode.items, episode.queries, episode.targets]);
    return out;
  } finally {
    instance.model.dispose();
  }
}

describe('models on wasm', () => {
  for (const model of models) {
    it(`${model.id}: one training step gives the cpu backend's loss, gradients and read`, async (t) => {
      if (!(await wasmHere(t))) return;
      // Third derivatives (EBMM) and long recurrences accumulate float32 rounding in a different order.
      await expectWasmMatchesCpu(() => oneStep(model.id), 2e-3, model.id);
    });
  }
});
