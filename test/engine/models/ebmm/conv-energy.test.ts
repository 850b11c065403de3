// The convolutional image energy: one energy per item and per episode's memory filters, the paper's
// writable-float count, and the whole meta-gradient against finite differences.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resolveConfig } from '../../../../engine/core/config';
import type { TaskSpec } from '../../../../engine/core/memory-model';
import { Rng } from '../../../../engine/core/random';
import { ConvEnergy, convMemoryFloatsPerFilter } from '../../../../engine/models/ebmm/conv-energy';
import { dynamicsFields, EnergyMemory } from '../../../../engine/models/ebmm/energy-memory';
import { memoryFloatsOf } from '../../../../engine/models/ebmm/energy-network';
import { backendsHere } from '../../../helpers/backends';
import { checkMetaGradient, smoothEpisode } from '../../../helpers/meta-gradient';
import { values } from '../../../helpers/tensors';

// Distinct sizes: B episodes of N images, SIDE×SIDE pixels, c = 2 (bottleneck 4, blocks of 8), dyn = 3.
const [B, N, SIDE, DYN] = [2, 3, 7, 3];
const D = SIDE * SIDE;
const sizes = { image: { height: SIDE, width: SIDE, channels: 1 }, channels: 2, memoryWidth: DYN, readout: 5, hops: 2 };

function disposeNet(net: ConvEnergy): void {
  for (const v of [...Object.values(net.statics), ...Object.values(net.memoryInit)]) v.dispose();
}

describe('ConvEnergy', () => {
  before(async () => {
    await backendsHere();
  });

  it('writes dyn 3×3 filters of 2c inputs in each of two bottleneck blocks: 2·dyn·(18c + 1) floats', () => {
    const net = new ConvEnergy(sizes, new Rng(3));
    assert.equal(memoryFloatsOf(net), DYN * convMemoryFloatsPerFilter(2));
    assert.equal(convMemoryFloatsPerFilter(32), 1154); // the paper's network: 1 154 floats per writable filter pair
    assert.deepEqual(Object.keys(net.memoryInit).sort(), ['block1.memory.W', 'block1.memory.b', 'block2.memory.W', 'block2.memory.b']);
    disposeNet(net);
  });

  it('gives one energy per item, from its own pixels and its own episode\'s filters only', () => {
    const net = new ConvEnergy(sizes, new Rng(3));
    const rng = new Rng(4);
    tf.tidy(() => {
      const x = tf.tensor3d(Array.from({ length: B * N * D }, () => rng.uniform()), [B, N, D]);
      const memory = Object.fromEntries(
        Object.entries(net.memoryInit).map(([k, v]) => [k, tf.tensor(rng.normals(B * v.size, 0.5), [B, ...v.shape])]),
      );
      const e = values(net.energy(x, net.statics, memory)); // [B, N]
      assert.equal(e.length, B * N);
      const x2 = x.add(tf.oneHot([2 * D + 10], B * N * D).reshape([B, N, D]).mul(0.5)); // item (0, 2)
      const w = memory['block2.memory.W']!;
      const shift = tf.concat([tf.zeros([1, ...w.shape.slice(1)]), tf.tensor(rng.normals(w.size / B, 1), [1, ...w.shape.slice(1)])]);
      const e2 = values(net.energy(x2, net.statics, { ...memory, 'block2.memory.W': w.add(shift) })); // episode 1's filters
      assert.deepEqual(
        e.map((v, i) => Math.abs(v - e2[i]!) > 1e-7),
        [false, false, true, true, true, true],
      );
    });
    disposeNet(net);
  });

  it('has a meta-gradient that agrees with finite differences through both written blocks and the recurrence', () => {
    const spec: TaskSpec = { inputDim: D, outputDim: D, output: 'image', autoassociative: true, sequential: false, setSize: N, queries: N, image: sizes.image };
    const net = new ConvEnergy(sizes, new Rng(5));
    const model = new EnergyMemory('ebmm-conv', spec, net, resolveConfig('t', dynamicsFields, { writeSteps: 2, readSteps: 2, writeRateInit: 3, readStepInit: 1 }));
    for (const name of ['init.block1.memory.W', 'init.block2.memory.W']) {
      const init = model.variables()[name]!;
      init.assign(tf.tidy(() => tf.tensor(new Rng(6).normals(init.size, 0.3), init.shape)));
    }
    const episode = smoothEpisode(7, [B, N, D], 0.5, 0.2, 0.05);
    const names = ['init.block1.memory.W', 'init.block2.memory.b', 'write.rates', 'read.step', 'energy.block2.norm.gain', 'energy.enc2.conv1.W', 'energy.cand.Ws'];
    for (const { name, analytic, numeric } of checkMetaGradient(model, () => model.loss(episode).total, names, 2e-3)) {
      assert.ok(Math.abs(numeric) > 1e-3, `${name}: the directional derivative ${numeric} is too small to test`);
      assert.ok(Math.abs(analytic - numeric) < 2e-2 * Math.abs(numeric), `${name}: meta-gradient ${analytic} vs finite difference ${numeric}`);
    }
    tf.dispose([episode.items, episode.queries, episode.targets]);
    model.dispose();
  });
});
