// The image-recall task on a small IDX dataset written to a temporary folder (and once on the
// built-in MNIST): split use, corruptions, metrics against plain loops, and config errors.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../engine/backend/select';
import { resolveConfig } from '../../../engine/core/config';
import { Rng } from '../../../engine/core/random';
import { ImageRecall, imageRecall, type ImageEpisode, type ImageRecallConfig } from '../../../engine/tasks/image-recall';
import { idxBytes } from '../../helpers/image-files';
import { values } from '../../helpers/tensors';

const H = 6;
const W = 5;
const D = H * W;
const COUNT = 40;

describe('ImageRecall', () => {
  const dir = mkdtempSync(join(tmpdir(), 'engram-image-recall-'));
  const path = join(dir, 'train-images-idx3-ubyte');
  // Image i has every pixel equal to a value that identifies it, so items can be traced to images.
  const rng = new Rng(1);
  const pixels: number[] = Array.from({ length: COUNT * D }, () => (rng.uniform() < 0.5 ? 255 : 0));
  for (let i = 0; i < COUNT; i++) pixels[i * D] = i; // first pixel: the image's index
  before(async () => {
    await selectBackend('cpu');
    writeFileSync(path, idxBytes([COUNT, H, W], pixels));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes([COUNT], Array.from({ length: COUNT }, (_, i) => i % 2)));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const task = (config: Partial<ImageRecallConfig>) =>
    new ImageRecall(resolveConfig('task image-recall', imageRecall.fields, { dataset: 'idx', path, ...config }) as ImageRecallConfig);

  it('describes 1-channel images of the dataset\'s size and defaults the block to half the side', () => {
    const t = task({ setSize: 3 });
    assert.deepEqual(t.spec.image, { height: H, width: W, channels: 1 });
    assert.deepEqual([t.spec.inputDim, t.spec.outputDim, t.spec.output], [D, D, 'image']);
    assert.equal(t.blockSize, 2);
    assert.deepEqual(t.metrics.map((m) => m.name), ['error_bits', 'block_error_bits']);
    assert.deepEqual(task({ setSize: 3, pixels: 'grey', corruption: 'salt-pepper' }).metrics.map((m) => m.name), ['mse']);
  });

  it('draws train and test episodes from disjoint images, N distinct ones per episode', () => {
    const t = task({ setSize: 4, pixels: 'grey' });
    const ids = (split: 'train' | 'test') => {
      const e = t.sample(new Rng(2), 5, split);
      const v = values(e.items);
      tf.dispose([e.items, e.queries, e.targets]);
      return Array.from({ length: 5 }, (_, b) => Array.from({ length: 4 }, (__, n) => Math.round(v[(b * 4 + n) * D]! * 255)));
    };
    const train = ids('train');
    const test = ids('test');
    for (const episode of [...train, ...test]) assert.equal(new Set(episode).size, 4, 'distinct images in an episode');
    const trainSet = new Set(train.flat());
    assert.ok(test.flat().every((i) => !trainSet.has(i)), 'no test image is a training image');
  });

  it('block: zeroes one s×s square per query, recorded in the mask; targets are the clean items', () => {
    const t = task({ setSize: 3, blockSize: 3 });
    const e = t.sample(new Rng(3), 2, 'test') as ImageEpisode;
    const [items, queries, targets] = [values(e.items), values(e.queries), values(e.targets)];
    assert.ok(items.every((v) => v === 0 || v === 1), 'binary pixels');
    for (let q = 0; q < 6; q++) {
      const mask = e.blockMask!.subarray(q * D, (q + 1) * D);
      assert.equal(mask.reduce((s, v) => s + v, 0), 9);
      const rows = new Set<number>();
      const cols = new Set<number>();
      mask.forEach((m, i) => {
        if (m) {
          rows.add(Math.floor(i / W));
          cols.add(i % W);
          assert.equal(queries[q * D + i], 0);
        } else assert.equal(queries[q * D + i], targets[q * D + i]);
      });
      assert.deepEqual([rows.size, cols.size], [3, 3], 'a square');
    }
    // Every target is one of the episode's items.
    for (let b = 0; b < 2; b++) {
      const episodeItems = [0, 1, 2].map((n) => items.slice((b * 3 + n) * D, (b * 3 + n + 1) * D).join());
      for (let q = 0; q < 3; q++) assert.ok(episodeItems.includes(targets.slice((b * 3 + q) * D, (b * 3 + q + 1) * D).join()));
    }
    tf.dispose([e.items, e.queries, e.targets]);
  });

  it('salt-pepper: replaced pixels are 0 or 1, about p of them', () => {
    const t = task({ setSize: 8, pixels: 'grey', corruption: 'salt-pepper', noise: 0.3 });
    const e = t.sample(new Rng(4), 8, 'train');
    const [queries, targets] = [values(e.queries), values(e.targets)];
    let changed = 0;
    queries.forEach((v, i) => {
      if (v !== targets[i]) {
        changed += 1;
        assert.ok(v === 0 || v === 1);
      }
    });
    // A replaced pixel keeps its value when it already was 0 or 1 (here: every pixel but the first),
    // so the changed fraction is p/2 on these binary-valued images; 1 920 pixels give a tight check.
    const fraction = changed / queries.length;
    assert.ok(fraction > 0.1 && fraction < 0.2, `changed fraction ${fraction}`);
    tf.dispose([e.items, e.queries, e.targets]);
  });

  it('scores error bits and in-block error bits as plain counts, and mse as a per-image sum', () => {
    const t = task({ setSize: 2, blockSize: 2 });
    const e = t.sample(new Rng(5), 1, 'test') as ImageEpisode;
    const read = tf.tidy(() => tf.fill([1, 2, D], 0.6)); // every pixel read as 1
    const targets = values(e.targets);
    const wrong: number[] = targets.map((v) => (v === 1 ? 0 : 1));
    const inBlock = wrong.reduce((s, v, i) => s + v * e.blockMask![i]!, 0);
    const scores = t.score(e, { retrieved: read });
    assert.equal(scores.error_bits, wrong.reduce((a, b) => a + b, 0) / 2);
    assert.equal(scores.block_error_bits, inBlock / 2);
    const grey = task({ setSize: 2, pixels: 'grey', corruption: 'salt-pepper' });
    const g = grey.sample(new Rng(6), 1, 'test');
    const mse = grey.score(g, { retrieved: read }).mse!;
    const expected = values(g.targets).reduce((s, v) => s + (0.6 - v) ** 2, 0) / 2;
    assert.ok(Math.abs(mse - expected) < 1e-4, `mse ${mse} vs ${expected}`);
    tf.dispose([e.items, e.queries, e.targets, g.items, g.queries, g.targets, read]);
  });

  it('names the field and the path when the dataset cannot be loaded', () => {
    assert.throws(() => task({ path: join(dir, 'nope-images-idx3-ubyte') }), /task image-recall: field "path" got ".*nope-images-idx3-ubyte".*no such file/);
    assert.throws(() => task({ path: '' }), /field "path" got ""; allowed: the path of the IDX images file/);
    assert.throws(() => task({ dataset: 'png-folder', path: join(dir, 'none') }), /field "path".*none: no such folder/);
    assert.throws(() => task({ setSize: 30 }), /field "setSize" got 30; allowed: an integer ≤ the \d+ test images/);
    assert.throws(() => task({ blockSize: 7 }), /field "blockSize" got 7; allowed: null or an integer ≤ the image side \(5\)/);
  });

  it('serves the built-in MNIST digits at 28×28 with a 14-pixel block by default', () => {
    const t = new ImageRecall(resolveConfig('task image-recall', imageRecall.fields, { setSize: 3 }) as ImageRecallConfig);
    assert.deepEqual(t.spec.image, { height: 28, width: 28, channels: 1 });
    assert.equal(t.blockSize, 14);
  });
});
