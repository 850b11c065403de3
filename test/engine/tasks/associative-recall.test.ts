// Associative recall (Ba et al. 2016): well-formed sequences, answers that are the queried key's value,
// fixed numbered splits whose test episodes never occur in training, and accuracy scoring.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, resolveConfig } from '../../../engine/core/config';
import { Rng } from '../../../engine/core/random';
import {
  AssociativeRecall,
  associativeRecall,
  contentBucket,
  DIGITS,
  LETTERS,
  sampleText,
  SYMBOLS,
  type AssociativeRecallConfig,
  type RecallSample,
} from '../../../engine/tasks/associative-recall';
import { backendsHere } from '../../helpers/backends';
import { values } from '../../helpers/tensors';

function task(config: Partial<AssociativeRecallConfig>): AssociativeRecall {
  return new AssociativeRecall(resolveConfig('associative-recall', associativeRecall.fields, config) as AssociativeRecallConfig);
}

/** The index of the 1 in each one-hot row of a [B, T, width] tensor, checking there is exactly one. */
function symbols(t: tf.Tensor): number[][][] {
  const [b, n, width] = t.shape as [number, number, number];
  const v = values(t);
  return Array.from({ length: b }, (_, i) =>
    Array.from({ length: n }, (__, j) => {
      const row = v.slice((i * n + j) * width, (i * n + j + 1) * width);
      assert.equal(row.reduce((s, x) => s + x, 0), 1, 'a row that is not one-hot');
      return [row.indexOf(1)];
    }),
  );
}

const key = (s: RecallSample) => `${s.sequence.join(',')}|${s.queryKeys.join(',')}`;

before(async () => {
  await backendsHere();
});

describe('AssociativeRecall', () => {
  it('writes k1 v1 … kK vK ? ? and asks distinct keys whose targets are their values', () => {
    const t = task({ pairs: 5, queries: 3 });
    assert.deepEqual([t.spec.inputDim, t.spec.outputDim, t.spec.setSize, t.spec.queries], [37, 10, 12, 3]);
    const episode = t.sample(new Rng(1), 7, 'train');
    const items = symbols(episode.items);
    const queries = symbols(episode.queries);
    const targets = symbols(episode.targets);
    items.forEach((seq, b) => {
      const flat = seq.map(([s]) => s!);
      const keys = flat.filter((_, i) => i % 2 === 0 && i < 10);
      const vals = flat.filter((_, i) => i % 2 === 1 && i < 10);
      assert.ok(keys.every((k) => k < LETTERS), 'keys are letters');
      assert.equal(new Set(keys).size, 5, 'keys are distinct');
      assert.ok(vals.every((v) => v >= LETTERS && v < LETTERS + DIGITS), 'values are digits');
      assert.deepEqual(flat.slice(10), [SYMBOLS - 1, SYMBOLS - 1], 'the sequence ends ? ?');
      const asked = queries[b]!.map(([q]) => q!);
      assert.equal(new Set(asked).size, 3, 'queried keys are distinct');
      asked.forEach((q, j) => assert.equal(targets[b]![j]![0], vals[keys.indexOf(q)]! - LETTERS, 'the target is the value of q'));
    });
    tf.dispose([episode.items, episode.queries, episode.targets]);
  });

  it('prints a sample as the paper does', () => {
    const text = sampleText(task({ pairs: 4 }).episodeSample('train', 3));
    assert.match(text, /^([a-z][0-9]){4}\?\?[a-z] → [0-9]$/);
  });

  it('serves a fixed, numbered set per split: episode i is the same sample every time', () => {
    const t = task({ pairs: 4 });
    assert.deepEqual(t.episodeSample('test', 17), t.episodeSample('test', 17));
    assert.notDeepEqual(t.episodeSample('test', 17), t.episodeSample('test', 18));
    assert.notDeepEqual(t.episodeSample('train', 17), t.episodeSample('test', 17));
  });

  it('never lets a test or validation episode occur in training, even where few distinct episodes exist', () => {
    // K = 1: only 26 · 10 = 260 distinct episodes, so a split by seeds alone would overlap.
    const t = task({ pairs: 1, trainEpisodes: 3000, validationEpisodes: 300, testEpisodes: 300 });
    const train = new Set(Array.from({ length: 3000 }, (_, i) => key(t.episodeSample('train', i))));
    for (const split of ['test', 'validation'] as const) {
      const held = Array.from({ length: 300 }, (_, i) => t.episodeSample(split, i));
      assert.ok(held.every((s) => !train.has(key(s))), `a ${split} episode occurs in training`);
      assert.ok(new Set(held.map(key)).size > 5, `${split} has more than a handful of distinct episodes`);
    }
    assert.ok(train.size > 200, 'training covers most of the 260 episodes outside the held-out buckets');
    const counts = new Array<number>(20).fill(0);
    const rng = new Rng(3);
    for (let i = 0; i < 2000; i++) counts[contentBucket({ sequence: [rng.int(26), rng.int(10)], queryKeys: [rng.int(26)], answers: [0] })]! += 1;
    assert.ok(Math.min(...counts) > 50, `content buckets are uneven: ${counts}`);
  });

  it('scores accuracy and error percentage from the logits', () => {
    const t = task({ pairs: 2, queries: 2 });
    const episode = t.sample(new Rng(4), 3, 'test');
    // Rows 0–3 put the largest logit on the right digit, rows 4–5 on the next digit (wrong).
    const target = values(episode.targets);
    const logits = target.map((_, i) => {
      const row = Math.floor(i / 10);
      const digit = i % 10;
      const right = target.slice(row * 10, row * 10 + 10).indexOf(1);
      return digit === (row < 4 ? right : (right + 1) % 10) ? 3 : 0;
    });
    const retrieved = tf.tensor3d(logits, [3, 2, 10]);
    const score = t.score(episode, { retrieved });
    assert.ok(Math.abs(score.accuracy! - 4 / 6) < 1e-6, `accuracy ${score.accuracy}`);
    assert.ok(Math.abs(score.error_pct! - 100 * (2 / 6)) < 1e-4, `error_pct ${score.error_pct}`);
    tf.dispose([episode.items, episode.queries, episode.targets, retrieved]);
  });

  it('rejects more queries than pairs, naming the field', () => {
    assert.throws(
      () => task({ pairs: 3, queries: 4 }),
      (e: unknown) => e instanceof ConfigError && e.field === 'queries' && /≤ pairs \(3\)/.test(e.message),
    );
  });
});
