// The experiments' shared pieces: Markdown tables and training a run to its end or to a stop.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { fixed, markdownTable, scoped, trainToEnd } from '../../../engine/training/experiment-table';
import { backendsHere } from '../../helpers/backends';

before(async () => {
  await backendsHere();
});

describe('markdownTable', () => {
  it('prints a header, a rule and one line per row, formatting the columns that ask for it', () => {
    const rows = [
      { name: 'a', value: 0.12345 },
      { name: 'b', value: 2 },
    ];
    const text = markdownTable<(typeof rows)[number]>(
      [
        { key: 'name', title: 'model' },
        { key: 'value', title: 'error', format: fixed(2) },
      ],
      rows,
    );
    assert.equal(text, '| model | error |\n| --- | --- |\n| a | 0.12 |\n| b | 2.00 |');
  });
});

describe('scoped', () => {
  it('keys settings as scope.name', () => {
    assert.deepEqual(scoped('task', { pairs: 3, queries: 2 }), { 'task.pairs': 3, 'task.queries': 2 });
  });
});

describe('trainToEnd', () => {
  it('trains to the last step, reporting every step, and returns the trained instance', async () => {
    const steps: number[] = [];
    const run = await trainToEnd(
      { model: 'lstm', task: 'associative-recall', set: { hiddenSize: 3, 'task.pairs': 2, steps: 3, batchSize: 2, evalEpisodes: 2 } },
      (step) => steps.push(step),
    );
    assert.ok(run);
    assert.deepEqual(steps, [1, 2, 3]);
    assert.equal(run.instance.memoryFloats, 6);
    run.instance.model.dispose();
  });

  it('returns null when told to stop', async () => {
    let calls = 0;
    const run = await trainToEnd(
      { model: 'lstm', task: 'associative-recall', set: { hiddenSize: 3, steps: 50, batchSize: 2, evalEpisodes: 2 } },
      () => {},
      { shouldStop: () => ++calls > 2 },
    );
    assert.equal(run, null);
    assert.equal(calls, 3);
  });

  it('records the run it trains and ends the record with the experiment\'s own measurements', async () => {
    const events: string[] = [];
    const run = await trainToEnd(
      { model: 'lstm', task: 'associative-recall', set: { hiddenSize: 3, steps: 4, batchSize: 2, evalEvery: 0, evalEpisodes: 2, logEvery: 2 } },
      () => {},
      {
        record: ({ spec }) => {
          events.push(`start ${spec.model} ${spec.training.steps}`);
          return {
            sink: { metrics: (points) => events.push(`metrics ${points.map((p) => p.key).join(',')}`), snapshot: (s) => events.push(`snapshot ${s.kind}`), progress: () => {} },
            end: (outcome, metrics) => events.push(`end ${outcome.status} ${JSON.stringify(metrics)}`),
          };
        },
      },
    );
    assert.ok(run);
    assert.equal(events[0], 'start lstm 4');
    assert.ok(events.includes('metrics loss,loss') && events.includes('snapshot checkpoint'), events.join('; '));
    assert.ok(!events.some((e) => e.startsWith('end')), 'the record stays open until the experiment reports');
    run.report({ test_accuracy: 0.5 });
    run.report({ test_accuracy: 0.9 });
    assert.deepEqual(events.filter((e) => e.startsWith('end')), ['end FINISHED {"test_accuracy":0.5}']);
    run.instance.model.dispose();
  });
});
