// The contract every registered model must keep: shapes, no mutation, seed determinism, snapshot
// round trip, no tensor leak (nor after dispose), and (for learned models) training on every backend available here.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { runEpisode } from '../../../engine/core/episode';
import type { ModelDescriptor } from '../../../engine/core/memory-model';
import { Rng } from '../../../engine/core/random';
import { disposeRead, disposeState, fromRecords, toRecords } from '../../../engine/core/tensors';
import { selectBackend } from '../../../engine/backend/select';
import { models } from '../../../engine/models/registry';
import { resolveRunSpec } from '../../../engine/training/run-spec';
import { instantiate, train, type RunSink } from '../../../engine/training/trainer';
import { backendsHere } from '../../helpers/backends';
import { expectClose, expectNoTensorLeak, values } from '../../helpers/tensors';

const BATCH = 2;

function build(d: ModelDescriptor, seed = 3) {
  const spec = resolveRunSpec({
    model: d.id,
    task: d.example.task,
    set: { ...prefixed('model', d.example.modelConfig), ...prefixed('task', d.example.taskConfig) },
    seed,
  });
  return { spec, ...instantiate(spec) };
}

function prefixed(scope: string, values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${scope}.${k}`, v]));
}

const quietSink = (): RunSink => ({ metrics() {}, snapshot() {}, progress() {}, shouldStop: () => false });

describe('MemoryModel contract', () => {
  before(async () => {
    await backendsHere();
  });

  for (const d of models) {
    describe(d.id, () => {
      it('reads [B, Q, D_out] and shapes its weights, iterates and energies consistently', () => {
        const { model, task } = build(d);
        const episode = task.sample(new Rng(1), BATCH, 'test');
        const { state, read } = runEpisode(model, episode);
        const { queries, outputDim } = task.spec;
        assert.deepEqual(read.retrieved.shape, [BATCH, queries, outputDim]);
        if (read.weights) assert.deepEqual(read.weights.shape.slice(0, 2), [BATCH, queries]);
        if (read.iterates) {
          assert.deepEqual(read.iterates.shape.slice(1), [BATCH, queries, outputDim]);
          if (read.energies) assert.deepEqual(read.energies.shape, read.iterates.shape.slice(0, 3));
        }
        for (const [name, t] of Object.entries(state)) assert.equal(t.shape[0], BATCH, `state.${name} is batch-major`);
        tf.dispose([episode.items, episode.queries, episode.targets]);
        disposeState(state);
        disposeRead(read);
        model.dispose();
      });

      it('write returns a new state and leaves its input state untouched', () => {
        const { model, task } = build(d);
        const episode = task.sample(new Rng(2), BATCH, 'test');
        const initial = model.initialState(BATCH);
        const before = Object.fromEntries(Object.entries(initial).map(([k, t]) => [k, values(t)]));
        const written = model.write(initial, episode.items);
        for (const [k, t] of Object.entries(initial)) {
          assert.ok(!t.isDisposed, `write disposed input state.${k}`);
          assert.deepEqual(values(t), before[k], `write mutated input state.${k}`);
          assert.notEqual(written[k], t, `write returned the input tensor state.${k} itself`);
        }
        tf.dispose([episode.items, episode.queries, episode.targets]);
        disposeState(initial);
        disposeState(written);
        model.dispose();
      });

      it('gives identical reads for the same seed', () => {
        const outputs = [0, 1].map(() => {
          const { model, task } = build(d, 11);
          const episode = task.sample(new Rng(5), BATCH, 'test');
          const { state, read } = runEpisode(model, episode);
          const out = values(read.retrieved);
          tf.dispose([episode.items, episode.queries, episode.targets]);
          disposeState(state);
          disposeRead(read);
          model.dispose();
          return out;
        });
        assert.deepEqual(outputs[0], outputs[1]);
      });

      it('reads the same from a state restored from its snapshot', () => {
        const { model, task } = build(d);
        const episode = task.sample(new Rng(7), BATCH, 'test');
        const { state, read } = runEpisode(model, episode);
        const restored = fromRecords(toRecords(state));
        const again = model.read(restored, episode.queries);
        expectClose(values(again.retrieved), values(read.retrieved), 1e-6, 'retrieved after round trip');
        tf.dispose([episode.items, episode.queries, episode.targets]);
        disposeState(state);
        disposeState(restored);
        disposeRead(read);
        disposeRead(again);
        model.dispose();
      });

      it('leaves no tensor behind across write, read, loss and gradients', async () => {
        const { model, task } = build(d);
        const episode = task.sample(new Rng(9), BATCH, 'train');
        const varList = Object.values(model.variables());
        await expectNoTensorLeak(() => {
          const { state, read } = runEpisode(model, episode);
          disposeState(state);
          disposeRead(read);
          tf.tidy(() => {
            if (varList.length) tf.variableGrads(() => model.loss(episode, task).total, varList);
            else model.loss(episode, task);
          });
        }, 0, `${d.id} episode`);
        tf.dispose([episode.items, episode.queries, episode.targets]);
        model.dispose();
      });

      it('frees every tensor it made when disposed, its initial weights included', () => {
        const before = tf.memory().numTensors;
        build(d).model.dispose();
        assert.equal(tf.memory().numTensors, before, `${d.id} keeps tensors after dispose`);
      });

      it(d.learned ? 'trains without failure on every available backend' : 'evaluates on every available backend', async () => {
        for (const backend of await backendsHere()) {
          await selectBackend(backend);
          const { spec, model, task, memoryFloats } = build(d);
          const training = { ...spec, training: { ...spec.training, steps: d.learned ? 3 : 0, logEvery: 1, evalEpisodes: 2 } };
          const outcome = await train(training, { model, task, memoryFloats }, quietSink());
          assert.equal(outcome.status, 'FINISHED', `${d.id} on ${backend}: ${outcome.status === 'FAILED' ? outcome.error : ''}`);
          for (const [k, v] of Object.entries(outcome.metrics)) assert.ok(Number.isFinite(v), `${k} on ${backend} is ${v}`);
          model.dispose();
        }
        await selectBackend('cpu');
      });
    });
  }
});
