// The FC image energy: one energy per item and per episode's memory, layer norm's nested
// derivatives against float64 differences, and the whole meta-gradient against finite differences.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resolveConfig } from '../../../../engine/core/config';
import { layerNorm } from '../../../../engine/core/layers';
import type { TaskSpec } from '../../../../engine/core/memory-model';
import { Rng } from '../../../../engine/core/random';
import { dynamicsFields, EnergyMemory } from '../../../../engine/models/ebmm/energy-memory';
import { FcEnergy } from '../../../../engine/models/ebmm/fc-energy';
import { backendsHere } from '../../../helpers/backends';
import { checkMetaGradient, smoothEpisode } from '../../../helpers/meta-gradient';
import { expectClose, values } from '../../../helpers/tensors';

// Distinct sizes: B episodes of N images, SIDE×SIDE pixels.
const [B, N, SIDE] = [2, 3, 6];
const D = SIDE * SIDE;
const sizes = { image: { height: SIDE, width: SIDE, channels: 1 }, channels: 2, code: 5, hidden: 7, memoryWidth: 3, readout: 4, hops: 2 };

describe('FcEnergy', () => {
  before(async () => {
    await backendsHere();
  });

  it('gives one energy per item, from its own pixels and its own episode\'s memory only', () => {
    const net = new FcEnergy(sizes, new Rng(3));
    const rng = new Rng(4);
    tf.tidy(() => {
      const x = tf.tensor3d(Array.from({ length: B * N * D }, () => rng.uniform()), [B, N, D]);
      const memory = { 'memory.W': tf.tensor3d(rng.normals(B * 5 * 3, 0.5), [B, 5, 3]), 'memory.b': tf.tensor2d(rng.normals(B * 3, 0.5), [B, 3]) };
      const e = values(net.energy(x, net.statics, memory)); // [B, N]
      assert.equal(e.length, B * N);
      // Change item (0, 2) and episode 1's memory: only those energies move.
      const x2 = x.add(tf.oneHot([2 * D + 7], B * N * D).reshape([B, N, D]).mul(0.5));
      const shift = tf.concat([tf.zeros([1, 5, 3]), tf.tensor3d(rng.normals(15, 1), [1, 5, 3])]); // episode 1 only
      const memory2 = { ...memory, 'memory.W': memory['memory.W'].add(shift) };
      const e2 = values(net.energy(x2, net.statics, memory2));
      const moved = e.map((v, i) => Math.abs(v - e2[i]!) > 1e-7);
      assert.deepEqual(moved, [false, false, true, true, true, true]);
    });
    for (const v of [...Object.values(net.statics), ...Object.values(net.memoryInit)]) v.dispose();
  });

  it('uses a layer norm whose 2nd and 3rd derivatives match float64 differences', () => {
    // f(t) = Σᵢ cᵢ LN(x + t v)ᵢ with gain g and bias b, in plain JS; its derivatives at t = 0.
    const rng = new Rng(9);
    const [x, v, c, g, b] = [rng.normals(5), rng.normals(5), rng.normals(5), rng.normals(5), rng.normals(5)];
    const f64 = (t: number) => {
      const y = Array.from(x, (xi, i) => xi + t * v[i]!);
      const mean = y.reduce((a, q) => a + q, 0) / y.length;
      const variance = y.reduce((a, q) => a + (q - mean) ** 2, 0) / y.length;
      return y.reduce((a, q, i) => a + c[i]! * ((q - mean) / Math.sqrt(variance + 1e-5) * g[i]! + b[i]!), 0);
    };
    const h = 1e-3;
    const second = (f64(h) - 2 * f64(0) + f64(-h)) / (h * h);
    const third = (f64(2 * h) - 2 * f64(h) + 2 * f64(-h) - f64(-2 * h)) / (2 * h ** 3);
    const derivative = (order: number) =>
      tf.tidy(() => {
        const [gain, bias, weights, dir] = [g, b, c, v].map((a) => tf.tensor1d(a));
        let fn = (y: tf.Tensor): tf.Tensor => layerNorm(y, gain!, bias!).mul(weights!).sum();
        for (let k = 0; k < order; k++) {
          const inner = fn;
          fn = (y: tf.Tensor) => tf.grad(inner)(y).mul(dir!).sum(); // one more derivative along v
        }
        return fn(tf.tensor1d(x)).dataSync()[0]!;
      });
    expectClose([derivative(2), derivative(3)], [second, third], 2e-2 * Math.max(1, Math.abs(third)), 'LN derivatives');
  });

  it('has a meta-gradient that agrees with finite differences through encoder, memory and hops', () => {
    const spec: TaskSpec = { inputDim: D, outputDim: D, output: 'image', autoassociative: true, sequential: false, setSize: N, queries: N, image: sizes.image };
    const net = new FcEnergy(sizes, new Rng(5));
    const model = new EnergyMemory('ebmm-fc', spec, net, resolveConfig('t', dynamicsFields, { writeSteps: 2, readSteps: 2, writeRateInit: 1, readStepInit: 0.5 }));
    const init = model.variables()['init.memory.W']!;
    init.assign(tf.tidy(() => tf.tensor(new Rng(6).normals(init.size, 0.3), init.shape)));
    const episode = smoothEpisode(7, [B, N, D], 0.5, 0.2, 0.05);
    const names = ['init.memory.W', 'write.rates', 'write.alpha', 'read.step', 'energy.code.norm.gain', 'energy.enc1.conv1.W', 'energy.cand.Ws'];
    for (const { name, analytic, numeric } of checkMetaGradient(model, () => model.loss(episode).total, names, 2e-3)) {
      assert.ok(Math.abs(numeric) > 1e-3, `${name}: the directional derivative ${numeric} is too small to test`);
      assert.ok(Math.abs(analytic - numeric) < 2e-2 * Math.abs(numeric), `${name}: meta-gradient ${analytic} vs finite difference ${numeric}`);
    }
    tf.dispose([episode.items, episode.queries, episode.targets]);
    model.dispose();
  });
});
