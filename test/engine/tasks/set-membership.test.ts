// Set membership (NBF §5): each sampler draws the sets it promises, queries are labelled by true
// membership, and the metrics count false positives, false negatives and the space with its backup.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, resolveConfig } from '../../../engine/core/config';
import { runEpisode } from '../../../engine/core/episode';
import type { MemoryModel } from '../../../engine/core/memory-model';
import { Rng } from '../../../engine/core/random';
import { disposeRead, disposeState } from '../../../engine/core/tensors';
import { BloomFilter, bloomBitsPerItem, bloomFilter, type BloomFilterConfig } from '../../../engine/models/bloom-filter';
import { builtinMnist, splitDataset } from '../../../engine/tasks/datasets/image-dataset';
import {
  generateVocabulary,
  SetMembership,
  setMembership,
  stringPoolWords,
  totalBits,
  type SetMembershipConfig,
} from '../../../engine/tasks/set-membership';
import { backendsHere } from '../../helpers/backends';
import { values } from '../../helpers/tensors';

function task(config: Partial<SetMembershipConfig>): SetMembership {
  return new SetMembership(resolveConfig('set-membership', setMembership.fields, config) as SetMembershipConfig);
}

/** A stand-in model with a state of `bits` bits (scoring reads only its size). */
function stateOf(bits: number): MemoryModel {
  return { memoryFloats: () => bits / 32, memoryBits: () => bits } as unknown as MemoryModel;
}

before(async () => {
  await backendsHere();
});

describe('SetMembership', () => {
  it('strings: stores a contiguous range of the sorted vocabulary and labels queries by membership', () => {
    const t = task({ sampler: 'strings', setSize: 9, queries: 10, vocabulary: 2000 });
    const words = stringPoolWords(2000, 'train');
    assert.deepEqual(words, [...words].sort(), 'the pool is sorted');
    const rng = new Rng(1);
    for (let e = 0; e < 20; e++) {
      const draw = t.draw(rng, 'train');
      const start = Math.min(...draw.set);
      assert.deepEqual(draw.set, Array.from({ length: 9 }, (_, i) => start + i), 'a contiguous range');
      draw.queries.forEach((q, j) => assert.equal(draw.isMember[j], draw.set.includes(q), `query ${j} mislabelled`));
      assert.equal(draw.isMember.filter(Boolean).length, 5);
    }
  });

  it('strings: keeps train and test words apart, both sorted, about 90 % / 10 %', () => {
    const train = stringPoolWords(2000, 'train');
    const test = stringPoolWords(2000, 'test');
    assert.equal(train.length + test.length, 2000);
    assert.equal(test.length, 200);
    const trainSet = new Set(train);
    assert.ok(test.every((w) => !trainSet.has(w)));
    assert.deepEqual(new Set([...train, ...test]), new Set(generateVocabulary(2000)));
  });

  it('class-based: the whole set is one digit class and non-members come from the others', () => {
    const t = task({ sampler: 'class-based', setSize: 20, queries: 12 });
    const ds = builtinMnist();
    const test = splitDataset(ds).test;
    const rng = new Rng(2);
    const classes = new Set<number>();
    for (let e = 0; e < 20; e++) {
      const draw = t.draw(rng, 'test');
      const label = (i: number) => ds.labels[test[i]!]!;
      const c = label(draw.set[0]!);
      classes.add(c);
      assert.ok(draw.set.every((i) => label(i) === c), 'a set mixes classes');
      assert.equal(new Set(draw.set).size, 20, 'a set repeats an image');
      draw.queries.forEach((q, j) => assert.equal(label(q) === c, draw.isMember[j], `query ${j}: class and membership disagree`));
    }
    assert.ok(classes.size >= 5, 'sets come from many classes');
  });

  it('non-uniform: early items of the fixed ranking are stored far more often than late ones', () => {
    const t = task({ sampler: 'non-uniform', setSize: 50, queries: 2 });
    const counts = new Map<number, number>();
    const rng = new Rng(3);
    for (let e = 0; e < 200; e++) for (const i of t.draw(rng, 'train').set) counts.set(i, (counts.get(i) ?? 0) + 1);
    // Under p(i) ∝ 0.999^rank over 8,000 training images, the 400 most likely images carry ~33 % of the
    // mass (measured: 0.38 of the draws, 2,879 distinct images); a uniform sampler gives 0.16 and ~5,700.
    const sorted = [...counts.values()].sort((a, b) => b - a);
    const top = sorted.slice(0, 400).reduce((s, c) => s + c, 0);
    assert.ok(top / (200 * 50) > 0.3, `the 400 most stored images hold ${top / 10000} of all stored`);
    assert.ok(counts.size < 4000 && counts.size > 1500, `${counts.size} distinct images stored: too spread for 0.999^i`);
  });

  it('uniform: stores distinct items, and queries are labelled by membership', () => {
    const t = task({ sampler: 'uniform', setSize: 30, queries: 8 });
    const draw = t.draw(new Rng(4), 'test');
    assert.equal(new Set(draw.set).size, 30);
    draw.queries.forEach((q, j) => assert.equal(draw.isMember[j], draw.set.includes(q)));
  });

  it('scores a classical Bloom filter with no false negatives and exactly its m bits', () => {
    const t = task({ sampler: 'strings', setSize: 40, queries: 64, vocabulary: 5000, targetFpr: 0.01 });
    const config = resolveConfig('bloom-filter', bloomFilter.fields, { bitsPerItem: bloomBitsPerItem(0.01) }) as BloomFilterConfig;
    const m = new BloomFilter(config, t.spec, new Rng(5));
    const episode = t.sample(new Rng(6), 8, 'test');
    const { state, read } = runEpisode(m, episode);
    const score = t.score(episode, read, m);
    assert.equal(score.fnr, 0);
    assert.equal(score.bits, Math.ceil(40 * bloomBitsPerItem(0.01)));
    assert.ok(score.fpr! < 0.1, `fpr ${score.fpr}`);
    tf.dispose([episode.items, episode.queries, episode.targets]);
    disposeState(state);
    disposeRead(read);
  });

  it('counts every non-member a yes-sayer admits, and charges a no-sayer a backup filter for the whole set', () => {
    const t = task({ sampler: 'strings', setSize: 10, queries: 6, vocabulary: 1000, targetFpr: 0.02 });
    const episode = t.sample(new Rng(7), 3, 'test');
    const yes = t.score(episode, { retrieved: tf.fill([3, 6, 1], 2) }, stateOf(64));
    assert.deepEqual([yes.fpr, yes.fnr, yes.bits], [1, 0, 64]);
    const no = t.score(episode, { retrieved: tf.fill([3, 6, 1], -2) }, stateOf(64));
    assert.deepEqual([no.fpr, no.fnr], [0, 1]);
    assert.ok(Math.abs(no.bits! - (64 + 10 * bloomBitsPerItem(0.01))) < 1e-9);
    tf.dispose([episode.items, episode.queries, episode.targets]);
  });

  it('accounts total bits as the state plus fnr · n items of a backup filter at α/2', () => {
    const bits = totalBits(stateOf(128), 0.25, 100, 0.01);
    assert.ok(Math.abs(bits - (128 + 25 * bloomBitsPerItem(0.005))) < 1e-9);
    assert.ok(Math.abs(bloomBitsPerItem(0.005) - 11.03) < 0.01);
  });

  it('rejects a set larger than its pool allows, naming the field and the limit', () => {
    assert.throws(
      () => task({ sampler: 'class-based', setSize: 500 }),
      (e: unknown) => e instanceof ConfigError && e.field === 'setSize' && /≤ \d+/.test(e.message),
    );
    assert.throws(() => task({ sampler: 'strings', setSize: 60, vocabulary: 1000 }), (e: unknown) => e instanceof ConfigError);
  });

  it('gives MNIST samplers image geometry and strings one-hot letters', () => {
    assert.deepEqual(task({ sampler: 'uniform' }).spec.image, { height: 28, width: 28, channels: 1 });
    const strings = task({ sampler: 'strings', setSize: 5, vocabulary: 1000 });
    assert.equal(strings.spec.inputDim, 12 * 26);
    const episode = strings.sample(new Rng(8), 2, 'train');
    const row = values(episode.items).slice(0, 12 * 26);
    assert.ok(row.every((v) => v === 0 || v === 1));
    assert.ok(row.reduce<number>((s, v) => s + v, 0) >= 4, 'a word of at least two syllables');
    tf.dispose([episode.items, episode.queries, episode.targets]);
  });
});
