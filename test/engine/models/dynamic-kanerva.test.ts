// The Dynamic Kanerva Machine: iterative reads (every iterate returned, the query first), ridge
// addressing of the written codes, and the named loss terms.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../engine/backend/select';
import { resolveConfig } from '../../../engine/core/config';
import type { Task } from '../../../engine/core/memory-model';
import { Rng } from '../../../engine/core/random';
import { disposeRead, disposeState } from '../../../engine/core/tensors';
import { DynamicKanerva, dynamicKanerva, type DynamicKanervaConfig } from '../../../engine/models/dynamic-kanerva';
import { BinaryRecall, binaryRecall, type BinaryRecallConfig } from '../../../engine/tasks/binary-recall';
import { expectClose, values } from '../../helpers/tensors';

const task: Task = new BinaryRecall(resolveConfig('binary-recall', binaryRecall.fields, { dim: 7, setSize: 5, corruptBits: 2 }) as BinaryRecallConfig);

function build(config: Partial<DynamicKanervaConfig>): DynamicKanerva {
  return new DynamicKanerva(resolveConfig('dynamic-kanerva', dynamicKanerva.fields, config) as DynamicKanervaConfig, task.spec, new Rng(1));
}

describe('DynamicKanerva', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('returns the query and every decoded read as iterates, the last one as the retrieval', () => {
    const m = build({ budgetFloats: 30, rows: 3, codeSize: 2, iterations: 4 });
    const episode = task.sample(new Rng(2), 2, 'test');
    const state = m.write(m.initialState(2), episode.items);
    const read = m.read(state, episode.queries);
    assert.deepEqual(read.iterates!.shape, [5, 2, 5, 7]);
    const its = read.iterates!.unstack();
    assert.deepEqual(values(its[0]!), values(episode.queries));
    assert.deepEqual(values(its[4]!), values(read.retrieved));
    assert.notDeepEqual(values(its[1]!), values(its[2]!), 'iterating changes the read');
    const two = m.readIterations(state, episode.queries, 2);
    expectClose(values(two.retrieved), values(its[2]!), 1e-6, 'a 2-iteration read is the second iterate');
    tf.dispose([episode.items, episode.queries, episode.targets, ...its]);
    disposeState(state);
    disposeRead(read);
    disposeRead(two);
    m.dispose();
  });

  it('with little noise, reads a written item back as the decoding of its own code', () => {
    // After the write, z = w*ᵀR' lies in the row space of the memory, so the ridge read of z with a
    // tiny λ returns z itself, and the read decodes exactly what the item encodes to.
    const m = build({ budgetFloats: 30, rows: 3, codeSize: 5, noiseStd: 1e-3 });
    const item = tf.tensor3d([1, -1, 1, 1, -1, -1, 1], [1, 1, 7]);
    const prior = m.initialState(1);
    const state = m.write(prior, item);
    const read = m.readIterations(state, item, 1);
    const own = tf.tidy(() => m.codec.decode(m.codec.encode(item).code));
    expectClose(values(read.retrieved), values(own), 1e-3, 'read of the written item');
    const fromPrior = m.readIterations(prior, item, 1);
    assert.ok(values(fromPrior.retrieved).some((v, i) => Math.abs(v - values(own)[i]!) > 1e-2), 'the prior alone does not explain the item');
    tf.dispose([item, own]);
    disposeState(prior);
    disposeState(state);
    disposeRead(read);
    disposeRead(fromPrior);
    m.dispose();
  });

  it("returns the query reconstruction, the paper's stored-item term (weighted by storedWeight) and the KL terms", () => {
    const episode = task.sample(new Rng(3), 2, 'train');
    const terms = (storedWeight: number) => {
      const m = build({ budgetFloats: 30, rows: 3, codeSize: 2, storedWeight });
      const result = m.loss(episode, task);
      const out = Object.fromEntries(Object.entries(result.terms).map(([k, t]) => [k, t.dataSync()[0]!]));
      const total = result.total.dataSync()[0]!;
      tf.dispose([result.total, ...Object.values(result.terms)]);
      disposeRead(result.read);
      // The stored term is the task loss of the written items read back once, times the weight.
      const state = m.write(m.initialState(2), episode.items);
      const back = m.readIterations(state, episode.items, 1);
      const itemLoss = tf.tidy(() => task.loss(back.retrieved, episode.items).dataSync()[0]!);
      disposeState(state);
      disposeRead(back);
      m.dispose();
      return { out, total, itemLoss };
    };
    const { out, total, itemLoss } = terms(3);
    assert.deepEqual(Object.keys(out).sort(), ['klAddress', 'klMemory', 'reconstruction', 'stored']);
    for (const [k, v] of Object.entries(out)) assert.ok(Number.isFinite(v), k);
    assert.ok(Math.abs(out.stored! - 3 * itemLoss) < 1e-4 * Math.max(1, itemLoss), `stored ${out.stored} vs 3 × ${itemLoss}`);
    expectClose([total], [out.reconstruction! + out.stored! + out.klAddress! + out.klMemory!], 1e-4, 'total is the sum of the terms');
    const off = terms(0);
    assert.equal(off.out.stored, 0);
    expectClose([off.out.reconstruction!], [out.reconstruction!], 1e-5, 'the weight leaves the query term alone');
    tf.dispose([episode.items, episode.queries, episode.targets]);
  });
});
