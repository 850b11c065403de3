// A run's lifecycle log, as the run view's Log tab shows it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunDetail, RunId } from '../../../engine/api/schemas';
import { lifecycleLog } from '../../../renderer/runs/run-view';
import { runSummary } from '../../helpers/run-summary';

function detail(overrides: Partial<RunDetail>): RunDetail {
  return {
    ...runSummary({ id: 4, startedMs: 1_000_000, endedMs: 1_090_000 }),
    note: '',
    provenance: { notebook: null, cellId: null, sourceHash: null, source: null, command: 'engram train --steps 100', engramVersion: '0.1.0', node: 'v20', platform: 'linux-x64', host: 'h' },
    metrics: [{ key: 'loss', count: 10, firstStep: 1, lastStep: 100, lastValue: 1, min: 1, max: 2 }],
    snapshots: [],
    ...overrides,
  };
}

describe('lifecycleLog()', () => {
  it('tells how the run was made, started, resumed and ended, and what it recorded', () => {
    const lines = lifecycleLog(detail({ parentRunId: 2 as RunId, parentStep: 50, status: 'FAILED', error: 'loss is NaN at step 99' }), 2_000_000);
    assert.match(lines[0]!, /created \(train\) by `engram train --steps 100`$/);
    assert.match(lines[1]!, /^\s+resumed from run 2 at step 50$/);
    assert.match(lines[2]!, /started on cpu, 100 steps planned$/);
    assert.match(lines[3]!, /FAILED at step 100 after 1 min 30 s$/);
    assert.match(lines[4]!, /^\s+loss is NaN at step 99$/);
    assert.match(lines[5]!, /^\s+1 metric series, 10 points; 0 snapshots$/);
  });

  it('shows the last heartbeat of a run that has not ended', () => {
    const lines = lifecycleLog(detail({ status: 'RUNNING', endedMs: null, heartbeatMs: 1_950_000, step: 40 }), 2_000_000);
    assert.ok(lines.some((l) => /last heartbeat \(50 s ago\), step 40$/.test(l)), lines.join('\n'));
  });
});
