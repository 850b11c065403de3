// The lab book on a real SQLite file: migrations, batched metric writes and down-sampled reads,
// snapshots, filters, and the stale-run sweep.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RunSpecData } from '../../../../engine/api/schemas';
import { minMaxBuckets, BLOCK_SIZE } from '../../../../engine/lab/store/metric-store';
import { latestVersion } from '../../../../engine/lab/store/migrations/index';
import { LabStore, NotFoundError, STALE_HEARTBEAT_MS, type NewRun } from '../../../../engine/lab/store/lab-store';
import { processProvenance } from '../../../../engine/lab/service';
import { tempDir } from '../../../helpers/temp';

const spec: RunSpecData = {
  model: 'slot-memory',
  task: 'binary-recall',
  modelConfig: { budgetFloats: 64 },
  taskConfig: { setSize: 3 },
  training: { steps: 7 },
  seed: 5,
};

function newRun(overrides: Partial<NewRun> = {}): NewRun {
  return {
    kind: 'train',
    spec,
    memoryFloats: 63,
    backend: 'cpu',
    provenance: { ...processProvenance(), notebook: null, cellId: null, sourceHash: null, source: null, command: 'test' },
    ...overrides,
  };
}

function open(): LabStore {
  return new LabStore(join(tempDir(), 'lab.sqlite'));
}

describe('LabStore', () => {
  describe('#constructor()', () => {
    it('migrates an empty file to the latest schema with WAL, synchronous=FULL and foreign keys', () => {
      const store = open();
      assert.equal(store.db.pragma('user_version', { simple: true }), latestVersion);
      assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(store.db.pragma('synchronous', { simple: true }), 2);
      assert.equal(store.db.pragma('foreign_keys', { simple: true }), 1);
      const tables = store.db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .all()
        .map((t) => t.name);
      assert.deepEqual(tables, ['cell_outputs', 'metric_blocks', 'metric_series', 'notebook_drafts', 'recent_notebooks', 'run_tags', 'runs', 'snapshot_tensors', 'snapshots']);
      store.close();
    });

    it('reopens a migrated book without re-running migrations, and refuses a newer one', () => {
      const path = join(tempDir(), 'lab.sqlite');
      const first = new LabStore(path);
      const id = first.createRun(newRun());
      first.close();
      const second = new LabStore(path);
      assert.equal(second.getRun(id).model, 'slot-memory');
      second.db.pragma(`user_version = ${latestVersion + 10}`);
      second.close();
      assert.throws(() => new LabStore(path), /newer than this Engram/);
    });
  });

  describe('#appendMetrics()', () => {
    it('writes a batch across block boundaries and reads every point back in order', () => {
      const store = open();
      const runId = store.createRun(newRun());
      const n = BLOCK_SIZE * 2 + 37;
      const points = Array.from({ length: n }, (_, i) => ({ key: 'loss', step: i, value: Math.sin(i), wallTimeMs: 1000 + i }));
      store.appendMetrics(runId, points.slice(0, 500));
      store.appendMetrics(runId, points.slice(500));
      const series = store.readMetrics(runId, 'loss', { maxPoints: n })!;
      assert.equal(series.totalInRange, n);
      assert.equal(series.downsampled, false);
      assert.deepEqual(series.steps, points.map((p) => p.step));
      assert.deepEqual(series.values, points.map((p) => p.value));
      const [stats] = store.metrics.stats(runId);
      assert.equal(stats!.count, n);
      assert.equal(stats!.lastStep, n - 1);
      assert.equal(stats!.min, Math.min(...points.map((p) => p.value)));
      store.close();
    });

    it('continues a series that an earlier process left with a partly filled block', () => {
      const path = join(tempDir(), 'lab.sqlite');
      const first = new LabStore(path);
      const runId = first.createRun(newRun());
      first.appendMetrics(runId, [{ key: 'loss', step: 1, value: 3, wallTimeMs: 1 }]);
      first.close();
      const second = new LabStore(path);
      second.appendMetrics(runId, [{ key: 'loss', step: 2, value: 5, wallTimeMs: 2 }]);
      const series = second.readMetrics(runId, 'loss', { maxPoints: 100 })!;
      assert.deepEqual(series.steps, [1, 2]);
      assert.deepEqual(series.values, [3, 5]);
      second.close();
    });
  });

  describe('#readMetrics()', () => {
    it('down-samples a long series to at most maxPoints, keeping its minimum, maximum, first and last point', () => {
      const store = open();
      const runId = store.createRun(newRun());
      const n = 50_000;
      const points = Array.from({ length: n }, (_, i) => ({ key: 'loss', step: i, value: Math.cos(i / 100), wallTimeMs: i }));
      points[12_345]!.value = 99; // a spike that must survive
      points[40_001]!.value = -99;
      store.appendMetrics(runId, points);
      const series = store.readMetrics(runId, 'loss', { maxPoints: 500 })!;
      assert.ok(series.downsampled);
      assert.ok(series.steps.length <= 500, `${series.steps.length} points`);
      assert.equal(series.totalInRange, n);
      assert.ok(series.values.includes(99) && series.values.includes(-99));
      assert.equal(series.steps[0], 0);
      assert.equal(series.steps.at(-1), n - 1);
      const ranged = store.readMetrics(runId, 'loss', { fromStep: 1000, toStep: 1999, maxPoints: 5000 })!;
      assert.deepEqual([ranged.steps[0], ranged.steps.at(-1), ranged.totalInRange], [1000, 1999, 1000]);
      store.close();
    });
  });

  describe('minMaxBuckets()', () => {
    it('keeps each bucket extreme on a hand-made series', () => {
      const steps = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
      const values = Float64Array.from([5, 1, 9, 4, 4, 8, 0, 3]);
      // 6 points allowed → 2 buckets: steps 0–3.5 and 3.5–7.
      assert.deepEqual(Array.from(minMaxBuckets(steps, values, 6)), [0, 1, 2, 5, 6, 7]);
    });
  });

  describe('#addSnapshot()', () => {
    it('stores tensors as bytes with dtype and shape, listed by run', () => {
      const store = open();
      const runId = store.createRun(newRun());
      const values = Float32Array.from([1.5, -2, 3.25, 7, 0, 1]);
      const id = store.addSnapshot(runId, 7, 'memory', [
        { name: 'state/M', dtype: 'float32', shape: [2, 3], data: new Uint8Array(values.buffer) },
      ]);
      const [info] = store.listSnapshots(runId);
      assert.deepEqual([info!.id, info!.step, info!.kind, info!.tensors[0]!.shape], [id, 7, 'memory', [2, 3]]);
      const [t] = store.snapshotTensors(id);
      assert.deepEqual(Array.from(new Float32Array(t!.data.buffer, t!.data.byteOffset, 6)), Array.from(values));
      assert.throws(() => store.snapshotTensors(id + 100), NotFoundError);
      store.close();
    });
  });

  describe('#listRuns()', () => {
    it('filters by status, model, tag and text', () => {
      const store = open();
      const a = store.createRun(newRun({ name: 'alpha' }));
      const b = store.createRun(newRun({ name: 'beta', spec: { ...spec, model: 'hopfield' } }));
      store.db.prepare('INSERT INTO run_tags (run_id, tag) VALUES (?, ?)').run(b, 'capacity');
      store.endRun(a, 'FINISHED', null);
      const ids = (f: Parameters<LabStore['listRuns']>[0]) => store.listRuns(f).map((r) => r.id);
      assert.deepEqual(ids({ status: ['FINISHED'] }), [a]);
      assert.deepEqual(ids({ model: 'hopfield' }), [b]);
      assert.deepEqual(ids({ tag: 'capacity' }), [b]);
      assert.deepEqual(ids({ text: 'alph' }), [a]);
      assert.deepEqual(ids({ text: '100%' }), []);
      store.close();
    });
  });

  describe('#endRun()', () => {
    it('ends a run once; a later ending does not overwrite the first', () => {
      const store = open();
      const id = store.createRun(newRun());
      store.markRunning(id);
      assert.equal(store.endRun(id, 'KILLED', null), true);
      assert.equal(store.endRun(id, 'CRASHED', 'late'), false);
      assert.equal(store.getRun(id).status, 'KILLED');
      store.close();
    });
  });

  describe('#sweepStaleRuns()', () => {
    it('marks CRASHED the runs of a process that is gone, and of another host after a stale heartbeat', () => {
      const store = open();
      const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // a pid that has exited
      const mine = store.createRun(newRun());
      const orphan = store.createRun(newRun());
      const remoteFresh = store.createRun(newRun());
      const remoteStale = store.createRun(newRun());
      for (const id of [mine, orphan, remoteFresh, remoteStale]) store.markRunning(id, 1_000_000);
      const set = store.db.prepare('UPDATE runs SET owner_pid = ?, owner_host = ?, heartbeat_ms = ? WHERE id = ?');
      set.run(process.pid, store.getRun(mine).provenance.host, 1_000_000, mine);
      set.run(dead, store.getRun(orphan).provenance.host, 1_000_000, orphan);
      set.run(4242, 'elsewhere', 1_000_000 + STALE_HEARTBEAT_MS, remoteFresh);
      set.run(4242, 'elsewhere', 1_000_000, remoteStale);
      const swept = store.sweepStaleRuns(1_000_001 + STALE_HEARTBEAT_MS);
      assert.deepEqual(swept.sort(), [orphan, remoteStale].sort());
      assert.equal(store.getRun(orphan).status, 'CRASHED');
      assert.match(store.getRun(orphan).error!, /gone/);
      assert.equal(store.getRun(mine).status, 'RUNNING');
      assert.equal(store.getRun(remoteFresh).status, 'RUNNING');
      store.close();
    });
  });

  describe('foreign keys', () => {
    it('deleting a run deletes its metrics, snapshots and tags', () => {
      const store = open();
      const id = store.createRun(newRun());
      store.appendMetrics(id, [{ key: 'loss', step: 1, value: 1, wallTimeMs: 1 }]);
      store.addSnapshot(id, 1, 'checkpoint', []);
      store.db.prepare('INSERT INTO run_tags (run_id, tag) VALUES (?, ?)').run(id, 't');
      store.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
      for (const table of ['metric_series', 'metric_blocks', 'snapshots', 'run_tags']) {
        assert.equal((store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n, 0, table);
      }
      store.close();
    });
  });
});
