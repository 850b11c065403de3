// Pattern completion (Miconi et al. 2018): the presentation schedule, the half-erased query of a stored
// pattern, and the sign-error metric.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, resolveConfig } from '../../../engine/core/config';
import { Rng } from '../../../engine/core/random';
import {
  PatternCompletion,
  patternCompletion,
  signErrorFraction,
  type PatternCompletionConfig,
} from '../../../engine/tasks/pattern-completion';
import { backendsHere } from '../../helpers/backends';
import { values } from '../../helpers/tensors';

function task(config: Partial<PatternCompletionConfig>): PatternCompletion {
  return new PatternCompletion(resolveConfig('pattern-completion', patternCompletion.fields, config) as PatternCompletionConfig);
}

before(async () => {
  await backendsHere();
});

describe('PatternCompletion', () => {
  it('shows every pattern once per cycle for presentSteps steps, each followed by gapSteps zeros', () => {
    const [d, patterns, present, gap, cycles] = [7, 3, 2, 3, 2];
    const t = task({ dim: d, patterns, presentSteps: present, gapSteps: gap, cycles, queries: 2 });
    assert.equal(t.spec.setSize, cycles * patterns * (present + gap));
    const episode = t.sample(new Rng(1), 5);
    const items = values(episode.items);
    const steps = t.spec.setSize;
    for (let b = 0; b < 5; b++) {
      const row = (s: number) => items.slice((b * steps + s) * d, (b * steps + s + 1) * d).join(',');
      for (let c = 0; c < cycles; c++) {
        const shown: string[] = [];
        for (let p = 0; p < patterns; p++) {
          const start = (c * patterns + p) * (present + gap);
          for (let s = 1; s < present; s++) assert.equal(row(start + s), row(start), 'a presentation changes mid-way');
          for (let s = present; s < present + gap; s++) assert.equal(row(start + s), new Array(d).fill(0).join(','), 'a gap is not zero');
          shown.push(row(start));
        }
        assert.equal(new Set(shown).size, patterns, 'a cycle repeats a pattern');
        if (c === 0) shown.forEach((p) => assert.ok(p.split(',').every((v) => v === '1' || v === '-1'), 'a pattern is not ±1'));
      }
    }
    tf.dispose([episode.items, episode.queries, episode.targets]);
  });

  it('queries a stored pattern with ⌊d/2⌋ bits zeroed and targets the whole pattern', () => {
    const [d, steps] = [9, 2];
    const t = task({ dim: d, patterns: 4, presentSteps: steps, gapSteps: 1, cycles: 1, queries: 3 });
    const episode = t.sample(new Rng(2), 4);
    const items = values(episode.items);
    const queries = values(episode.queries);
    const targets = values(episode.targets);
    const n = t.spec.setSize;
    for (let b = 0; b < 4; b++) {
      const stored = new Set(Array.from({ length: 4 }, (_, p) => items.slice((b * n + p * (steps + 1)) * d, (b * n + p * (steps + 1) + 1) * d).join(',')));
      const asked = new Set<string>();
      for (let j = 0; j < 3; j++) {
        const q = queries.slice((b * 3 + j) * d, (b * 3 + j + 1) * d);
        const target = targets.slice((b * 3 + j) * d, (b * 3 + j + 1) * d);
        assert.ok(stored.has(target.join(',')), 'the target is not a stored pattern');
        assert.equal(q.filter((v) => v === 0).length, 4, 'not ⌊9/2⌋ = 4 bits erased');
        q.forEach((v, i) => assert.ok(v === 0 || v === target[i], 'a kept bit differs from the pattern'));
        asked.add(target.join(','));
      }
      assert.equal(asked.size, 3, 'two queries of one episode complete the same pattern');
    }
    tf.dispose([episode.items, episode.queries, episode.targets]);
  });

  it('scores the fraction of bits whose sign is wrong, with sign(0) = +1', () => {
    const retrieved = tf.tensor3d([[[0.5, -0.1, 0, -2]]]);
    const targets = tf.tensor3d([[[1, 1, -1, -1]]]);
    assert.equal(signErrorFraction(retrieved, targets), 0.5);
    tf.dispose([retrieved, targets]);
  });

  it('rejects more queries than patterns, naming the field', () => {
    assert.throws(() => task({ patterns: 2, queries: 3 }), (e: unknown) => e instanceof ConfigError && e.field === 'queries');
  });
});
