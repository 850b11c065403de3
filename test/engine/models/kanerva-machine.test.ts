// The Kanerva Machine: memory accounting from the budget, the named loss terms, and the no-memory
// ablation that decodes the query's own code.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../engine/backend/select';
import { resolveConfig } from '../../../engine/core/config';
import type { Task, TaskSpec } from '../../../engine/core/memory-model';
import { Rng } from '../../../engine/core/random';
import { disposeRead, disposeState } from '../../../engine/core/tensors';
import { KanervaMachine, kanervaMachine, type KanervaMachineConfig } from '../../../engine/models/kanerva-machine';
import { BinaryRecall, binaryRecall, type BinaryRecallConfig } from '../../../engine/tasks/binary-recall';
import { values } from '../../helpers/tensors';

const taskConfig = resolveConfig('binary-recall', binaryRecall.fields, { dim: 7, setSize: 5, corruptBits: 2 }) as BinaryRecallConfig;
const task: Task = new BinaryRecall(taskConfig);

function build(config: Partial<KanervaMachineConfig>, spec: TaskSpec = task.spec): KanervaMachine {
  return new KanervaMachine(resolveConfig('kanerva-machine', kanervaMachine.fields, config) as KanervaMachineConfig, spec, new Rng(1));
}

describe('KanervaMachine', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('counts K·C + K² memory floats, with K and C from the budget', () => {
    const m = build({ budgetFloats: 4224 });
    assert.deepEqual([m.rows, m.codeSize, m.memoryFloats()], [32, 100, 32 * 100 + 32 * 32]);
    m.dispose();
  });

  it('returns reconstruction, klAddress and klMemory terms that add up to the total', () => {
    const m = build({ budgetFloats: 30, rows: 3, codeSize: 2 });
    const episode = task.sample(new Rng(2), 2, 'train');
    const result = m.loss(episode, task);
    const terms = Object.fromEntries(Object.entries(result.terms).map(([k, t]) => [k, t.dataSync()[0]!]));
    assert.deepEqual(Object.keys(terms).sort(), ['klAddress', 'klMemory', 'reconstruction']);
    assert.ok(terms.klMemory! > 0, 'writing moves the memory away from its prior');
    const sum = terms.reconstruction! + terms.klAddress! + terms.klMemory!;
    assert.ok(Math.abs(result.total.dataSync()[0]! - sum) < 1e-5);
    tf.dispose([episode.items, episode.queries, episode.targets, result.total, ...Object.values(result.terms)]);
    disposeRead(result.read);
    m.dispose();
  });

  it('memory "none" has no memory floats, trains only the codec, and reads the same whatever was written', () => {
    const m = build({ budgetFloats: 30, rows: 3, codeSize: 2, memory: 'none' });
    assert.equal(m.memoryFloats(), 0);
    assert.ok(Object.keys(m.variables()).every((k) => !k.startsWith('prior') && !k.startsWith('address') && k !== 'logAddressStd'));
    const episode = task.sample(new Rng(3), 2, 'test');
    const prior = m.initialState(2);
    const written = m.write(prior, episode.items);
    const a = m.read(prior, episode.queries);
    const b = m.read(written, episode.queries);
    assert.deepEqual(values(a.retrieved), values(b.retrieved));
    tf.dispose([episode.items, episode.queries, episode.targets]);
    disposeState(prior);
    disposeState(written);
    disposeRead(a);
    disposeRead(b);
    m.dispose();
  });

  it('with memory, a read depends on what was written', () => {
    const m = build({ budgetFloats: 30, rows: 3, codeSize: 2 });
    const episode = task.sample(new Rng(4), 2, 'test');
    const prior = m.initialState(2);
    const written = m.write(prior, episode.items);
    const a = m.read(prior, episode.queries);
    const b = m.read(written, episode.queries);
    assert.notDeepEqual(values(a.retrieved), values(b.retrieved));
    tf.dispose([episode.items, episode.queries, episode.targets]);
    disposeState(prior);
    disposeState(written);
    disposeRead(a);
    disposeRead(b);
    m.dispose();
  });

  it('uses an MLP codec for images and a linear one for ±1 patterns', () => {
    const image: TaskSpec = { ...task.spec, inputDim: 12, outputDim: 12, output: 'image', image: { height: 3, width: 4, channels: 1 } };
    const mi = build({ budgetFloats: 30, rows: 3, codeSize: 2, hidden: 5 }, image);
    const mb = build({ budgetFloats: 30, rows: 3, codeSize: 2 });
    assert.deepEqual(mi.variables()['encodeHidden.W']!.shape, [12, 5]);
    assert.equal(mb.variables()['encodeHidden.W'], undefined);
    assert.deepEqual(mb.variables()['encodeCode.W']!.shape, [7, 2]);
    mi.dispose();
    mb.dispose();
  });
});
