// The Neural Bloom Filter (Rae et al. 2019): the additive write is order-invariant and splits over
// sub-sets, addresses are distributions over slots, the space is 32 bits per float, and the threshold
// calibration puts the false-positive rate where it was asked to be.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resolveConfig } from '../../../engine/core/config';
import { runEpisode } from '../../../engine/core/episode';
import type { TaskSpec } from '../../../engine/core/memory-model';
import { Rng } from '../../../engine/core/random';
import { disposeRead, disposeState } from '../../../engine/core/tensors';
import {
  calibrateThreshold,
  NeuralBloomFilter,
  neuralBloomFilter,
  type NeuralBloomFilterConfig,
} from '../../../engine/models/neural-bloom-filter';
import { SetMembership, setMembership, type SetMembershipConfig } from '../../../engine/tasks/set-membership';
import { backendsHere } from '../../helpers/backends';
import { expectClose, values } from '../../helpers/tensors';

function spec(d: number, n: number, q: number): TaskSpec {
  return { inputDim: d, outputDim: 1, output: 'familiarity', autoassociative: false, sequential: false, setSize: n, queries: q };
}

function model(d: number, n: number, q: number, config: Partial<NeuralBloomFilterConfig> = {}): NeuralBloomFilter {
  const resolved = resolveConfig('neural-bloom-filter', neuralBloomFilter.fields, { slots: 5, wordSize: 3, keySize: 2, hiddenSize: 11, ...config });
  return new NeuralBloomFilter(resolved as NeuralBloomFilterConfig, spec(d, n, q), new Rng(1));
}

before(async () => {
  await backendsHere();
});

describe('NeuralBloomFilter', () => {
  it('writes the same memory whatever the order of the items', () => {
    const m = model(7, 6, 2);
    const items = tf.randomNormal([2, 6, 7], 0, 1, 'float32', 1);
    const shuffled = tf.gather(items, tf.tensor1d([4, 1, 5, 0, 3, 2], 'int32'), 1);
    const a = m.write(m.initialState(2), items);
    const b = m.write(m.initialState(2), shuffled);
    expectClose(values(b.M), values(a.M), 1e-5, 'M after a shuffled write');
    tf.dispose([items, shuffled]);
    disposeState(a);
    disposeState(b);
    m.dispose();
  });

  it('writes a set as the sum of writing its parts: M(S₁ ∪ S₂) = M(S₁) + M(S₂)', () => {
    const m = model(7, 6, 2);
    const items = tf.randomNormal([2, 6, 7], 0, 1, 'float32', 2);
    const whole = m.write(m.initialState(2), items);
    const first = m.write(m.initialState(2), items.slice([0, 0, 0], [2, 2, 7]));
    const both = m.write(first, items.slice([0, 2, 0], [2, 4, 7]));
    expectClose(values(both.M), values(whole.M), 1e-5, 'M written in two parts');
    assert.deepEqual(whole.M.shape, [2, 3, 5]);
    tf.dispose([items]);
    [whole, first, both].forEach(disposeState);
    m.dispose();
  });

  it('addresses every query with a distribution over the slots', () => {
    const m = model(7, 3, 4);
    const items = tf.randomNormal([2, 3, 7], 0, 1, 'float32', 3);
    const state = m.write(m.initialState(2), items);
    const read = m.read(state, tf.randomNormal([2, 4, 7], 0, 1, 'float32', 4));
    assert.deepEqual(read.weights!.shape, [2, 4, 5]);
    const sums = tf.tidy(() => values(read.weights!.sum(-1)));
    expectClose(sums, new Array<number>(8).fill(1), 1e-5, 'address sums');
    assert.ok(values(read.weights!).every((w) => w >= 0));
    tf.dispose([items]);
    disposeState(state);
    disposeRead(read);
    m.dispose();
  });

  it('counts its memory at 32 bits per float: K · W · 32', () => {
    const m = model(7, 3, 4, { slots: 5, wordSize: 3 });
    assert.equal(m.memoryFloats(), 15);
    assert.equal(m.memoryBits(), 480);
    m.dispose();
  });

  it('subtracts the threshold from every logit', () => {
    const m = model(7, 3, 2);
    const items = tf.randomNormal([2, 3, 7], 0, 1, 'float32', 5);
    const state = m.write(m.initialState(2), items);
    const before = m.read(state, items);
    m.threshold = 0.75;
    const after = m.read(state, items);
    expectClose(values(after.retrieved), values(before.retrieved).map((v) => v - 0.75), 1e-6, 'logits − τ');
    tf.dispose([items]);
    disposeState(state);
    disposeRead(before);
    disposeRead(after);
    m.dispose();
  });

  it('calibrates the threshold so that exactly the asked fraction of non-members reads as members', () => {
    const task = new SetMembership(
      resolveConfig('set-membership', setMembership.fields, { sampler: 'strings', setSize: 5, queries: 8 }) as SetMembershipConfig,
    );
    const m = new NeuralBloomFilter(
      resolveConfig('neural-bloom-filter', neuralBloomFilter.fields, { slots: 3, wordSize: 2, keySize: 4, hiddenSize: 13 }) as NeuralBloomFilterConfig,
      task.spec,
      new Rng(2),
    );
    const tau = calibrateThreshold(m, task, { rng: new Rng(9), fpr: 0.1, episodes: 50, batchSize: 16 });
    assert.equal(m.threshold, tau);
    // The same stream again: of its 200 non-member queries, ⌊0.1 · 200⌋ = 20 at most read above τ.
    const rng = new Rng(9);
    let above = 0;
    let negatives = 0;
    for (let done = 0; done < 50; done += 16) {
      const episode = task.sample(rng, Math.min(16, 50 - done), 'test');
      const { state, read } = runEpisode(m, episode);
      const r = values(read.retrieved);
      values(episode.targets).forEach((t, i) => {
        if (t === 0) {
          negatives++;
          if (r[i]! > 0) above++;
        }
      });
      tf.dispose([episode.items, episode.queries, episode.targets]);
      disposeState(state);
      disposeRead(read);
    }
    assert.equal(negatives, 200);
    assert.ok(above <= 20 && above >= 15, `${above} of 200 non-members read above τ`);
    m.dispose();
  });

  it('serves set tasks with familiarity outputs only, saying why not otherwise', () => {
    assert.equal(neuralBloomFilter.supports(spec(3, 2, 2)), null);
    assert.match(neuralBloomFilter.supports({ ...spec(3, 2, 2), output: 'image' }) ?? '', /familiarity/);
    assert.match(neuralBloomFilter.supports({ ...spec(3, 2, 2), sequential: true }) ?? '', /order/);
  });
});
