// The classical Bloom filter: its hash against MurmurHash3's published vectors, its measured
// false-positive rate against (1 − e^(−kn/m))^k, its sizing for a target rate, and no false negatives.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, resolveConfig } from '../../../engine/core/config';
import type { TaskSpec } from '../../../engine/core/memory-model';
import { Rng } from '../../../engine/core/random';
import { disposeRead, disposeState } from '../../../engine/core/tensors';
import {
  BloomBits,
  BloomFilter,
  bloomBitsPerItem,
  bloomFalsePositiveRate,
  bloomFilter,
  BloomHashes,
  murmur3,
  optimalHashes,
  type BloomFilterConfig,
} from '../../../engine/models/bloom-filter';
import { backendsHere } from '../../helpers/backends';
import { values } from '../../helpers/tensors';

function spec(d: number, n: number, q: number): TaskSpec {
  return { inputDim: d, outputDim: 1, output: 'familiarity', autoassociative: false, sequential: false, setSize: n, queries: q };
}

function model(d: number, n: number, q: number, config: Partial<BloomFilterConfig> = {}, seed = 1): BloomFilter {
  return new BloomFilter(resolveConfig('bloom-filter', bloomFilter.fields, config) as BloomFilterConfig, spec(d, n, q), new Rng(seed));
}

function randomKey(rng: Rng, bytes: number): Uint8Array {
  return Uint8Array.from({ length: bytes }, () => rng.int(256));
}

before(async () => {
  await backendsHere();
});

describe('murmur3', () => {
  it('matches the published MurmurHash3 x86_32 vectors', () => {
    const text = (s: string) => new TextEncoder().encode(s);
    assert.equal(murmur3(text(''), 0), 0);
    assert.equal(murmur3(text(''), 1), 0x514e28b7);
    assert.equal(murmur3(text(''), 0xffffffff), 0x81f16f39);
    assert.equal(murmur3(text('test'), 0), 0xba6bd213);
    assert.equal(murmur3(text('Hello, world!'), 1234), 0xfaf6cdb3);
    assert.equal(murmur3(text('The quick brown fox jumps over the lazy dog'), 0), 0x2e4ff723);
  });
});

describe('Bloom filter sizing', () => {
  it('needs 6.24, 9.57 and 14.35 bits per item at 5 %, 1 % and 0.1 % FPR', () => {
    for (const [fpr, bits] of [
      [0.05, 6.24],
      [0.01, 9.57],
      [0.001, 14.35],
    ] as const) {
      const got = bloomBitsPerItem(fpr);
      assert.ok(Math.abs(got - bits) <= 0.05, `at FPR ${fpr}: ${got} bits per item, expected ${bits} ± 0.05`);
    }
  });

  it('reaches the target FPR at that size with the optimal k', () => {
    for (const fpr of [0.05, 0.01, 0.001]) {
      const bitsPerItem = bloomBitsPerItem(fpr);
      const expected = bloomFalsePositiveRate(bitsPerItem * 1000, 1000, optimalHashes(bitsPerItem));
      assert.ok(Math.abs(expected - fpr) / fpr < 0.05, `sized for ${fpr}, the formula gives ${expected}`);
    }
  });
});

describe('BloomBits', () => {
  // 50 filters of 2,000 items and 20,000 non-member queries each: 1,000,000 queries per ratio, so that
  // even at m/n = 14 (FPR ≈ 0.12 %) about 1,200 false positives are counted (binomial σ ≈ 3 %).
  for (const bitsPerItem of [6, 10, 14]) {
    it(`measures an FPR within 10 % of (1 − e^(−kn/m))^k at m/n = ${bitsPerItem}`, () => {
      const n = 2000;
      const m = bitsPerItem * n;
      const k = optimalHashes(bitsPerItem);
      const rng = new Rng(bitsPerItem);
      let falsePositives = 0;
      let queries = 0;
      for (let f = 0; f < 50; f++) {
        const filter = new BloomBits(new BloomHashes(m, k, [rng.nextUint32(), rng.nextUint32()]));
        // 12-byte keys: collisions between members and non-members are negligible (2^-96).
        for (let i = 0; i < n; i++) filter.add(randomKey(rng, 12));
        for (let j = 0; j < 20000; j++, queries++) if (filter.has(randomKey(rng, 12))) falsePositives++;
      }
      const measured = falsePositives / queries;
      const expected = bloomFalsePositiveRate(m, n, k);
      assert.ok(queries >= 50000);
      assert.ok(
        Math.abs(measured - expected) / expected <= 0.1,
        `m/n = ${bitsPerItem}, k = ${k}: measured FPR ${measured}, formula ${expected}`,
      );
    });
  }

  it('keeps the formula at a small composite m, where plain double hashing mod m collapses (m = 480, n = 50, k = 7)', () => {
    const [n, m, k] = [50, 480, 7];
    const rng = new Rng(480);
    let falsePositives = 0;
    for (let f = 0; f < 1000; f++) {
      const filter = new BloomBits(new BloomHashes(m, k, [rng.nextUint32(), rng.nextUint32()]));
      for (let i = 0; i < n; i++) filter.add(randomKey(rng, 12));
      for (let j = 0; j < 1000; j++) if (filter.has(randomKey(rng, 12))) falsePositives++;
    }
    const measured = falsePositives / 1e6;
    const expected = bloomFalsePositiveRate(m, n, k);
    assert.ok(Math.abs(measured - expected) / expected <= 0.1, `measured FPR ${measured}, formula ${expected}`);
  });

  it('never misses an item it stored', () => {
    const rng = new Rng(3);
    for (let f = 0; f < 200; f++) {
      const n = 1 + rng.int(300);
      // Deliberately overfull filters (m/n from 0.5): false negatives would show here first.
      const m = Math.max(1, Math.round(n * (0.5 + rng.uniform() * 10)));
      const filter = new BloomBits(new BloomHashes(m, 1 + rng.int(12), [rng.nextUint32(), rng.nextUint32()]));
      const keys = Array.from({ length: n }, () => randomKey(rng, 1 + rng.int(40)));
      for (const key of keys) filter.add(key);
      for (const key of keys) assert.ok(filter.has(key), `filter ${f} (m = ${m}, n = ${n}) lost a stored key`);
    }
  });
});

describe('BloomFilter (MemoryModel)', () => {
  it('reads every written item as a member, in every episode, ever', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 20; trial++) {
      const [b, n, d] = [3, 2 + rng.int(50), 7];
      const m = model(d, n, n, { bitsPerItem: 0.5 + rng.uniform() * 4 }, trial);
      const items = tf.tensor3d(Array.from({ length: b * n * d }, () => rng.normal()), [b, n, d]);
      const state = m.write(m.initialState(b), items);
      const read = m.read(state, items);
      assert.ok(values(read.retrieved).every((v) => v > 0), `trial ${trial}: a written item read as absent`);
      items.dispose();
      disposeState(state);
      disposeRead(read);
    }
  });

  it('keeps episodes apart: an item written in one episode is absent from an empty one', () => {
    const m = model(5, 3, 3, { bitsPerItem: 20 });
    const items = tf.tensor3d(Array.from({ length: 2 * 3 * 5 }, (_, i) => i), [2, 3, 5]);
    const state = m.write(m.initialState(2), items.slice([0, 0, 0], [1, 3, 5]).concat(tf.zeros([1, 3, 5]).add(1000)));
    const read = m.read(state, items);
    const r = values(read.retrieved);
    assert.deepEqual(r.slice(0, 3), [1, 1, 1]);
    assert.ok(r.slice(3).some((v) => v < 0), 'the second episode claims items written only to the first');
    items.dispose();
    disposeState(state);
    disposeRead(read);
  });

  it('sizes m = ⌈bitsPerItem · n⌉, chooses the optimal k by default and honours an explicit k', () => {
    const auto = model(7, 100, 5, { bitsPerItem: 9.6 });
    assert.equal(auto.memoryBits(), 960);
    assert.equal(auto.memoryFloats(), 30);
    assert.equal(auto.k, 7);
    assert.equal(model(7, 100, 5, { bitsPerItem: 9.6, hashes: 3 }).k, 3);
  });

  it('rejects a non-positive bitsPerItem and a k of 0, naming the field', () => {
    assert.throws(() => resolveConfig('model bloom-filter', bloomFilter.fields, { bitsPerItem: 0 }), (e: unknown) => {
      return e instanceof ConfigError && e.field === 'bitsPerItem';
    });
    assert.throws(() => resolveConfig('model bloom-filter', bloomFilter.fields, { hashes: 0 }), (e: unknown) => {
      return e instanceof ConfigError && e.field === 'hashes';
    });
  });

  it('serves only familiarity tasks, saying why not otherwise', () => {
    assert.equal(bloomFilter.supports(spec(3, 2, 2)), null);
    assert.match(bloomFilter.supports({ ...spec(3, 2, 2), output: 'bipolar' }) ?? '', /familiarity/);
  });
});
