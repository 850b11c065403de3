// EBMM's write, read and meta-gradient on a tiny gated-RNN energy: the exact meta-gradient against
// central finite differences, the first-order mode's difference, and the paper's read and write facts.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resolveConfig } from '../../../../engine/core/config';
import type { Episode, TaskSpec } from '../../../../engine/core/memory-model';
import { Rng } from '../../../../engine/core/random';
import { disposeEpisode, disposeRead, disposeState } from '../../../../engine/core/tensors';
import { dynamicsFields, EnergyMemory, type DynamicsConfig } from '../../../../engine/models/ebmm/energy-memory';
import { GatedRnnEnergy } from '../../../../engine/models/ebmm/gated-rnn-energy';
import { backendsHere } from '../../../helpers/backends';
import { checkMetaGradient, metaGradients, smoothEpisode as smoothEpisodeOf } from '../../../helpers/meta-gradient';
import { expectClose, values } from '../../../helpers/tensors';

// Distinct sizes: B episodes, N items (= Q queries), D width, H hidden, dyn writable units.
const [B, N, D, H, DYN] = [2, 3, 5, 7, 4];

function spec(output: TaskSpec['output'] = 'bipolar'): TaskSpec {
  return { inputDim: D, outputDim: D, output, autoassociative: true, sequential: false, setSize: N, queries: N };
}

function build(overrides: Partial<DynamicsConfig> = {}, output: TaskSpec['output'] = 'bipolar', seed = 3): EnergyMemory {
  const dynamics = resolveConfig('test', dynamicsFields, { writeSteps: 2, readSteps: 3, ...overrides });
  const net = new GatedRnnEnergy({ dim: D, hidden: H, memoryWidth: DYN, hops: 2 }, new Rng(seed));
  return new EnergyMemory('ebmm', spec(output), net, dynamics);
}

/** Items inside (−0.4, 0.4), queries near them: no projection is active. */
function smoothEpisode(seed: number): Episode {
  return smoothEpisodeOf(seed, [B, N, D], 0, 0.4, 0.1);
}

describe('EnergyMemory', () => {
  before(async () => {
    await backendsHere();
  });

  describe('#loss meta-gradient', () => {
    // Larger-than-default write rates and a small read step: the write moves θ enough that the
    // gradients through it are far from zero, and the read stays inside the box.
    const dynamics = { writeRateInit: 1, readStepInit: 0.05 } as const;
    const checked = [
      'init.memory.W',
      'init.memory.b',
      'write.rates',
      'write.alpha',
      'write.beta',
      'read.step',
      'read.stepDecay',
      'read.momentum',
      'energy.static.Ws',
      'energy.gate.Wx',
      'energy.out.w',
    ];

    it('agrees with central finite differences for θ̄, write rates, α, β, read steps and static weights', () => {
      const model = build(dynamics);
      const episode = smoothEpisode(11);
      // θ̄_mem starts at zero; move it off zero so its gradient is not a special case.
      const init = model.variables()['init.memory.W']!;
      init.assign(tf.tidy(() => tf.tensor(new Rng(5).normals(init.size, 0.3), init.shape)));
      for (const { name, analytic, numeric } of checkMetaGradient(model, () => model.loss(episode).total, checked, 2e-3)) {
        assert.ok(Math.abs(numeric) > 1e-3, `${name}: the directional derivative ${numeric} is too small to test`);
        const relative = Math.abs(analytic - numeric) / Math.abs(numeric);
        assert.ok(relative < 2e-2, `${name}: meta-gradient ${analytic} vs finite difference ${numeric} (relative error ${relative})`);
      }
      disposeEpisode(episode);
      model.dispose();
    });

    it('differs in first-order mode exactly where the gradient flows through the write', () => {
      const exact = build({ ...dynamics, metaGradient: 'exact' });
      const firstOrder = build({ ...dynamics, metaGradient: 'first-order' });
      const episode = smoothEpisode(12);
      const a = metaGradients(exact, () => exact.loss(episode).total);
      const b = metaGradients(firstOrder, () => firstOrder.loss(episode).total);
      const relativeDifference = (name: string) =>
        tf.tidy(() => a[name]!.sub(b[name]!).norm().div(a[name]!.norm()).dataSync()[0]!);
      // The read sees the same written weights, so read parameters get the same gradient…
      for (const name of ['read.step', 'read.stepDecay', 'read.momentum']) {
        assert.ok(relativeDifference(name) < 1e-4, `${name} should not depend on the meta-gradient mode`);
      }
      // …while θ̄ and α reach the loss only through the write, whose gradients first-order freezes.
      for (const name of ['init.memory.W', 'write.alpha', 'energy.static.Wx']) {
        assert.ok(relativeDifference(name) > 0.05, `${name}: first-order should differ from exact, got ${relativeDifference(name)}`);
      }
      tf.dispose([...Object.values(a), ...Object.values(b)]);
      disposeEpisode(episode);
      exact.dispose();
      firstOrder.dispose();
    });
  });

  describe('#write', () => {
    it('changes only the memory parameters and lowers the writing loss of the stored items', () => {
      const model = build({ writeRateInit: 0.01, writeSteps: 1 });
      const episode = smoothEpisode(13);
      const initial = model.initialState(B);
      const written = model.write(initial, episode.items);
      assert.deepEqual(Object.keys(written).sort(), ['memory.W', 'memory.b']);
      assert.deepEqual(written['memory.W']!.shape, [B, D, DYN]);
      // W = mean E + ‖∇ₓE‖² (α = 1) + ‖θ − θ̄‖² (β = 1) per episode; one small step must lower it.
      const writingLoss = (state: Record<string, tf.Tensor>) =>
        tf.tidy(() => {
          const net = model.net;
          const energy = net.energy(episode.items, net.statics, state).mean(1); // [B]
          const dEdx = tf.grad((x: tf.Tensor) => net.energy(x, net.statics, state).sum())(episode.items);
          const prior = Object.entries(state)
            .map(([n, t]) => t.sub(net.memoryInit[n]!).square().reshape([B, -1]).sum(1))
            .reduce((a, b) => a.add(b)); // [B]
          return values(energy.add(dEdx.square().sum(-1).mean(1)).add(prior));
        });
      const before = writingLoss(initial);
      const after = writingLoss(written);
      for (let b = 0; b < B; b++) assert.ok(after[b]! < before[b]!, `episode ${b}: writing loss ${before[b]} → ${after[b]}`);
      disposeState(initial);
      disposeState(written);
      disposeEpisode(episode);
      model.dispose();
    });

    it('writes each episode independently of the others in its batch', () => {
      const model = build({ writeRateInit: 0.3 });
      const episode = smoothEpisode(14);
      const initial = model.initialState(B);
      const together = model.write(initial, episode.items);
      const firstAlone = tf.tidy(() => {
        const one = model.initialState(1);
        return model.write(one, episode.items.slice([0, 0, 0], [1, N, D]));
      });
      expectClose(values(firstAlone['memory.W']!), values(together['memory.W']!).slice(0, D * DYN), 1e-5, 'episode 0 memory.W');
      [initial, together, firstAlone].forEach(disposeState);
      disposeEpisode(episode);
      model.dispose();
    });

    it('has learning rates of its own at every write step with writeRates per-step', () => {
      const shared = build({ writeSteps: 2 });
      assert.deepEqual(shared.variables()['write.rates']!.shape, [1, 3]); // [writable layers, terms], for every step
      shared.dispose();
      const one = build({ writeRateInit: 0.3, writeSteps: 1 });
      const two = build({ writeRateInit: 0.3, writeSteps: 2, writeRates: 'per-step' });
      const rates = two.variables()['write.rates']!;
      assert.deepEqual(rates.shape, [2, 1, 3]); // [T, writable layers, terms]
      // Second-step rates of softplus(−40) ≈ 4e-18: two steps must write what one step writes.
      const first = one.variables()['write.rates']!; // [1, 3]: the one step's rates
      rates.assign(tf.tidy(() => tf.concat([first.expandDims(0), tf.fill([1, 1, 3], -40)], 0)));
      const episode = smoothEpisode(17);
      const [initialOne, initialTwo] = [one.initialState(B), two.initialState(B)];
      const [byOne, byTwo] = [one.write(initialOne, episode.items), two.write(initialTwo, episode.items)];
      expectClose(values(byTwo['memory.W']!), values(byOne['memory.W']!), 1e-6, 'memory.W');
      // With the second step's rates at their initial value, the second step writes more.
      rates.assign(tf.tidy(() => tf.stack([first, first])));
      const twoSteps = two.write(initialTwo, episode.items);
      assert.ok(tf.tidy(() => twoSteps['memory.W']!.sub(byOne['memory.W']!).abs().max().dataSync()[0]!) > 1e-4, 'the second step wrote nothing');
      [initialOne, initialTwo, byOne, byTwo, twoSteps].forEach(disposeState);
      disposeEpisode(episode);
      one.dispose();
      two.dispose();
    });
  });

  describe('#read', () => {
    for (const [output, lo, hi] of [['bipolar', -1, 1], ['image', 0, 1]] as const) {
      it(`starts at the query and keeps every ${output} iterate in [${lo}, ${hi}]`, () => {
        const model = build({ readStepInit: 50 }, output);
        const rng = new Rng(15);
        const queries = tf.tensor3d(
          Array.from({ length: B * N * D }, () => lo + (hi - lo) * rng.uniform()),
          [B, N, D],
        );
        const state = model.initialState(B);
        const read = model.read(state, queries);
        assert.deepEqual(read.iterates!.shape, [4, B, N, D]);
        assert.deepEqual(read.energies!.shape, [4, B, N]);
        expectClose(values(read.iterates!.slice([0], [1]).reshape([B, N, D])), values(queries), 0, 'x⁽⁰⁾');
        const all = values(read.iterates!);
        assert.ok(all.every((x) => x >= lo && x <= hi), 'an iterate left the box');
        // A step of 50 must have pushed some coordinates onto the box's faces.
        assert.ok(all.some((x) => x === lo || x === hi), 'no iterate reached the boundary');
        disposeState(state);
        disposeRead(read);
        queries.dispose();
        model.dispose();
      });
    }

    it('lowers the energy at every step when the steps are small', () => {
      const model = build({ readStepInit: 1e-3, readSteps: 5 });
      const episode = smoothEpisode(16);
      const state = model.write(model.initialState(B), episode.items);
      const read = model.read(state, episode.queries);
      const energies = values(read.energies!); // [K+1, B, Q]
      const perStep = B * N;
      for (let k = 0; k < 5; k++) {
        for (let i = 0; i < perStep; i++) {
          const [e0, e1] = [energies[k * perStep + i]!, energies[(k + 1) * perStep + i]!];
          assert.ok(e1 <= e0 + 1e-6, `step ${k + 1}, query ${i}: energy ${e0} → ${e1}`);
        }
      }
      disposeState(state);
      disposeRead(read);
      disposeEpisode(episode);
      model.dispose();
    });
  });
});
