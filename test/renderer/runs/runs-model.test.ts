// The runs model: a listing kept current by run events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunId, RunStatus, RunSummary } from '../../../engine/api/schemas';
import { RunsModel } from '../../../renderer/runs/runs-model';

function run(id: number, status: RunStatus = 'RUNNING', createdMs = id * 1000): RunSummary {
  return {
    id: id as RunId,
    name: `run ${id}`,
    kind: 'train',
    model: 'slot-memory',
    task: 'binary-recall',
    status,
    spec: { model: 'slot-memory', task: 'binary-recall', modelConfig: {}, taskConfig: {}, training: {}, seed: 0 },
    seed: 0,
    backend: 'cpu',
    memoryFloats: null,
    step: 0,
    totalSteps: 150,
    createdMs,
    startedMs: null,
    endedMs: null,
    heartbeatMs: null,
    error: null,
    tags: [],
    finalMetrics: { loss: 2 },
    notebook: null,
    cellId: null,
    parentRunId: null,
    parentStep: null,
  };
}

const point = (key: string, step: number, value: number) => ({ key, step, value, wallTimeMs: 0 });

describe('RunsModel', () => {
  it('lists newest first, whatever order the runs came in', () => {
    const model = new RunsModel();
    model.reset([run(2), run(5), run(3)]);
    model.upsert(run(4, 'PENDING', 9000));
    assert.deepEqual(
      model.list().map((r) => r.id),
      [4, 5, 3, 2],
    );
  });

  it('moves a run on with each progress event', () => {
    const model = new RunsModel();
    model.reset([run(1, 'PENDING')]);
    const known = model.applyProgress({
      runId: 1 as RunId,
      step: 40,
      totalSteps: 150,
      points: [point('loss', 39, 0.7), point('loss', 40, 0.6), point('error_bits', 40, 12)],
    });
    assert.equal(known, true);
    const after = model.get(1 as RunId)!;
    assert.equal(after.status, 'RUNNING');
    assert.equal(after.step, 40);
    assert.deepEqual(after.finalMetrics, { loss: 0.6, error_bits: 12 });
  });

  it('never moves a run backwards', () => {
    const model = new RunsModel();
    model.reset([{ ...run(1), step: 50 }]);
    model.applyProgress({ runId: 1 as RunId, step: 30, totalSteps: 150, points: [] });
    assert.equal(model.get(1 as RunId)?.step, 50);
  });

  it('records how a run ended', () => {
    const model = new RunsModel();
    model.reset([run(1)]);
    assert.equal(model.applyEnded({ runId: 1 as RunId, status: 'FAILED', error: 'loss is NaN' }), true);
    assert.equal(model.get(1 as RunId)?.status, 'FAILED');
    assert.equal(model.get(1 as RunId)?.error, 'loss is NaN');
  });

  it('ignores events of runs it does not hold, and says so', () => {
    const model = new RunsModel();
    model.reset([run(1)]);
    let calls = 0;
    model.subscribe(() => calls++);
    assert.equal(model.applyProgress({ runId: 2 as RunId, step: 1, totalSteps: 2, points: [] }), false);
    assert.equal(model.applyEnded({ runId: 2 as RunId, status: 'FINISHED', error: null }), false);
    assert.equal(calls, 0);
    assert.equal(model.list().length, 1);
  });

  it('tells subscribers of every change until they unsubscribe', () => {
    const model = new RunsModel();
    let calls = 0;
    const unsubscribe = model.subscribe(() => calls++);
    model.reset([run(1)]);
    model.upsert(run(2));
    unsubscribe();
    model.upsert(run(3));
    assert.equal(calls, 2);
  });
});
