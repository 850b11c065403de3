// The lab book: one SQLite file (WAL, synchronous=FULL, foreign keys on) holding runs, metric
// series, snapshots, tags and cell outputs. Runs in the lab service process, its single writer.
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import type { TensorBytes } from '../../api/kernel-protocol';
import type {
  MetricKeyInfo,
  Provenance,
  RunDetail,
  RunId,
  RunKind,
  RunSpecData,
  RunStatus,
  RunSummary,
  SnapshotInfo,
  SnapshotKind,
} from '../../api/schemas';
import type { RunFilter } from '../../api/lab-api';
import { MetricStore, type PointInput, type SeriesData } from './metric-store';
import { migrate } from './migrations/index';

/** A run on another host whose heartbeat is older than this has crashed. */
export const STALE_HEARTBEAT_MS = 60_000;
/**
 * On this host the writer's process id decides; only a heartbeat this old overrules a live id (the
 * id may have been reused by an unrelated process after a crash).
 */
const PID_REUSE_GUARD_MS = 3_600_000;

/** What it takes to create a run row. */
export interface NewRun {
  readonly kind: RunKind;
  readonly name?: string;
  readonly spec: RunSpecData;
  readonly memoryFloats: number | null;
  readonly backend: string | null;
  readonly provenance: Provenance;
  readonly parentRunId?: RunId;
  readonly parentStep?: number;
}

interface RunRow {
  id: number;
  name: string;
  kind: RunKind;
  model: string;
  task: string;
  spec: string;
  seed: number;
  backend: string | null;
  memory_floats: number | null;
  status: RunStatus;
  step: number;
  total_steps: number;
  created_ms: number;
  started_ms: number | null;
  ended_ms: number | null;
  heartbeat_ms: number | null;
  error: string | null;
  note: string;
  provenance: string;
  notebook: string | null;
  cell_id: string | null;
  owner_pid: number | null;
  owner_host: string | null;
  parent_run_id: number | null;
  parent_step: number | null;
}

/** Raised when a run (or snapshot) id names nothing in the lab book. */
export class NotFoundError extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'NotFoundError';
  }
}

export class LabStore {
  readonly db: Database.Database;
  readonly metrics: MetricStore;

  /** Opens (creating if needed) and migrates the lab book at `path`. */
  constructor(readonly path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // Run state must survive an OS crash; metric points are batched so FULL costs one fsync per batch.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    this.metrics = new MetricStore(this.db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Marks as CRASHED every unfinished run whose writer is gone: on this host, its process no longer
   * exists; on another host (a shared lab book), its heartbeat is older than STALE_HEARTBEAT_MS.
   * Returns the ids swept.
   */
  sweepStaleRuns(nowMs = Date.now()): RunId[] {
    const rows = this.db
      .prepare<[], Pick<RunRow, 'id' | 'owner_pid' | 'owner_host' | 'heartbeat_ms' | 'created_ms'>>(
        `SELECT id, owner_pid, owner_host, heartbeat_ms, created_ms FROM runs WHERE status IN ('PENDING', 'RUNNING')`,
      )
      .all();
    const here = hostname();
    const swept: RunId[] = [];
    for (const r of rows) {
      const silentMs = nowMs - (r.heartbeat_ms ?? r.created_ms);
      let why: string | null = null;
      if (r.owner_host === here && r.owner_pid !== null) {
        if (!processAlive(r.owner_pid)) why = `the process (${r.owner_pid}) that ran it is gone`;
        else if (silentMs > PID_REUSE_GUARD_MS) why = `no heartbeat for ${Math.round(silentMs / 1000)} s`;
      } else if (silentMs > STALE_HEARTBEAT_MS) {
        why = `no heartbeat for ${Math.round(silentMs / 1000)} s`;
      }
      if (why) {
        this.endRun(r.id as RunId, 'CRASHED', `crashed: ${why}`, nowMs);
        swept.push(r.id as RunId);
      }
    }
    return swept;
  }

  createRun(run: NewRun, nowMs = Date.now()): RunId {
    const training = run.spec.training as { steps?: number };
    const info = this.db
      .prepare(
        `INSERT INTO runs (name, kind, model, task, spec, seed, backend, memory_floats, status, total_steps,
                           created_ms, provenance, notebook, cell_id, owner_pid, owner_host, parent_run_id, parent_step)
         VALUES (@name, @kind, @model, @task, @spec, @seed, @backend, @memoryFloats, 'PENDING', @totalSteps,
                 @createdMs, @provenance, @notebook, @cellId, @pid, @host, @parentRunId, @parentStep)`,
      )
      .run({
        name: run.name ?? '',
        kind: run.kind,
        model: run.spec.model,
        task: run.spec.task,
        spec: JSON.stringify(run.spec),
        seed: run.spec.seed,
        backend: run.backend,
        memoryFloats: run.memoryFloats,
        totalSteps: run.kind === 'train' ? (training.steps ?? 0) : 0,
        createdMs: nowMs,
        provenance: JSON.stringify(run.provenance),
        notebook: run.provenance.notebook,
        cellId: run.provenance.cellId,
        pid: process.pid,
        host: hostname(),
        parentRunId: run.parentRunId ?? null,
        parentStep: run.parentStep ?? null,
      });
    const id = Number(info.lastInsertRowid) as RunId;
    if (!run.name) this.db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(`${run.spec.model}-${id}`, id);
    return id;
  }

  markRunning(runId: RunId, nowMs = Date.now()): void {
    this.db
      .prepare(`UPDATE runs SET status = 'RUNNING', started_ms = ?, heartbeat_ms = ? WHERE id = ? AND status = 'PENDING'`)
      .run(nowMs, nowMs, runId);
  }

  /** Records the latest step of running runs and that their writer is alive. */
  heartbeat(runIds: readonly RunId[], nowMs = Date.now()): void {
    const stmt = this.db.prepare(`UPDATE runs SET heartbeat_ms = ? WHERE id = ? AND status = 'RUNNING'`);
    this.db.transaction(() => runIds.forEach((id) => stmt.run(nowMs, id)))();
  }

  setStep(runId: RunId, step: number): void {
    this.db.prepare('UPDATE runs SET step = ? WHERE id = ?').run(step, runId);
  }

  /** Ends a run once; a run that already ended keeps its first ending. */
  endRun(runId: RunId, status: Exclude<RunStatus, 'PENDING' | 'RUNNING'>, error: string | null, nowMs = Date.now()): boolean {
    const info = this.db
      .prepare(`UPDATE runs SET status = ?, error = ?, ended_ms = ? WHERE id = ? AND status IN ('PENDING', 'RUNNING')`)
      .run(status, error, nowMs, runId);
    this.metrics.release(runId);
    return info.changes > 0;
  }

  appendMetrics(runId: RunId, points: readonly PointInput[]): void {
    this.metrics.append(runId, points);
  }

  readMetrics(runId: RunId, key: string, range: { fromStep?: number; toStep?: number; maxPoints: number }): SeriesData | null {
    return this.metrics.read(runId, key, range);
  }

  addSnapshot(runId: RunId, step: number, kind: SnapshotKind, tensors: readonly TensorBytes[], nowMs = Date.now()): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db.prepare('INSERT INTO snapshots (run_id, step, kind, created_ms) VALUES (?, ?, ?, ?)').run(runId, step, kind, nowMs)
          .lastInsertRowid,
      );
      const insert = this.db.prepare('INSERT INTO snapshot_tensors (snapshot_id, name, dtype, shape, data) VALUES (?, ?, ?, ?, ?)');
      for (const t of tensors) insert.run(id, t.name, t.dtype, JSON.stringify(t.shape), Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
      return id;
    })();
  }

  listSnapshots(runId: RunId): SnapshotInfo[] {
    const snaps = this.db
      .prepare<[number], { id: number; step: number; kind: SnapshotKind; created_ms: number }>(
        'SELECT id, step, kind, created_ms FROM snapshots WHERE run_id = ? ORDER BY step, id',
      )
      .all(runId);
    const tensors = this.db.prepare<[number], { name: string; dtype: string; shape: string }>(
      'SELECT name, dtype, shape FROM snapshot_tensors WHERE snapshot_id = ? ORDER BY name',
    );
    return snaps.map((s) => ({
      id: s.id,
      runId,
      step: s.step,
      kind: s.kind,
      createdMs: s.created_ms,
      tensors: tensors.all(s.id).map((t) => ({ name: t.name, dtype: t.dtype, shape: JSON.parse(t.shape) as number[] })),
    }));
  }

  /** Which run, step and kind a snapshot belongs to. */
  snapshotOwner(snapshotId: number): { runId: RunId; step: number; kind: SnapshotKind } {
    const row = this.db
      .prepare<[number], { run_id: number; step: number; kind: SnapshotKind }>('SELECT run_id, step, kind FROM snapshots WHERE id = ?')
      .get(snapshotId);
    if (!row) throw new NotFoundError(`no snapshot ${snapshotId}`);
    return { runId: row.run_id as RunId, step: row.step, kind: row.kind };
  }

  /** The tensors of a snapshot (all, or the named ones). */
  snapshotTensors(snapshotId: number, names?: readonly string[]): TensorBytes[] {
    const rows = this.db
      .prepare<[number], { name: string; dtype: TensorBytes['dtype']; shape: string; data: Buffer }>(
        'SELECT name, dtype, shape, data FROM snapshot_tensors WHERE snapshot_id = ? ORDER BY name',
      )
      .all(snapshotId);
    if (rows.length === 0 && !this.db.prepare('SELECT 1 FROM snapshots WHERE id = ?').get(snapshotId)) {
      throw new NotFoundError(`no snapshot ${snapshotId}`);
    }
    return rows
      .filter((r) => !names || names.includes(r.name))
      .map((r) => ({ name: r.name, dtype: r.dtype, shape: JSON.parse(r.shape) as number[], data: new Uint8Array(r.data) }));
  }

  /** Renames a run, replaces its note or its tags; fields left undefined stay as they are. */
  updateRun(runId: RunId, change: { name?: string; note?: string; tags?: readonly string[] }): RunSummary {
    this.row(runId);
    this.db.transaction(() => {
      if (change.name !== undefined) this.db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(change.name, runId);
      if (change.note !== undefined) this.db.prepare('UPDATE runs SET note = ? WHERE id = ?').run(change.note, runId);
      if (change.tags !== undefined) {
        this.db.prepare('DELETE FROM run_tags WHERE run_id = ?').run(runId);
        const insert = this.db.prepare('INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)');
        for (const tag of change.tags) insert.run(runId, tag);
      }
    })();
    return this.getRunSummary(runId);
  }

  /** Deletes a run with its metric series, snapshots and tags (foreign keys cascade); runs resumed from it keep going, unparented. */
  deleteRun(runId: RunId): void {
    this.row(runId);
    this.db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
    this.metrics.release(runId);
  }

  listRuns(filter: RunFilter = {}): RunSummary[] {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (filter.status?.length) {
      where.push(`status IN (${filter.status.map((_, i) => `@s${i}`).join(', ')})`);
      filter.status.forEach((s, i) => (args[`s${i}`] = s));
    }
    if (filter.model) {
      where.push('model = @model');
      args.model = filter.model;
    }
    if (filter.task) {
      where.push('task = @task');
      args.task = filter.task;
    }
    if (filter.tag) {
      where.push('id IN (SELECT run_id FROM run_tags WHERE tag = @tag)');
      args.tag = filter.tag;
    }
    if (filter.text) {
      where.push(`(name LIKE @text ESCAPE '\\' OR model LIKE @text ESCAPE '\\' OR task LIKE @text ESCAPE '\\'
                   OR note LIKE @text ESCAPE '\\' OR spec LIKE @text ESCAPE '\\'
                   OR id IN (SELECT run_id FROM run_tags WHERE tag LIKE @text ESCAPE '\\'))`);
      args.text = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    const rows = this.db.prepare<Record<string, unknown>, RunRow>(sql).all({ ...args, limit: filter.limit ?? 1000 });
    return rows.map((r) => this.summary(r));
  }

  getRunSummary(runId: RunId): RunSummary {
    return this.summary(this.row(runId));
  }

  getRun(runId: RunId): RunDetail {
    const row = this.row(runId);
    const metrics: MetricKeyInfo[] = this.metrics.stats(runId);
    return {
      ...this.summary(row),
      note: row.note,
      provenance: JSON.parse(row.provenance) as Provenance,
      metrics,
      snapshots: this.listSnapshots(runId),
    };
  }

  private row(runId: RunId): RunRow {
    const row = this.db.prepare<[number], RunRow>('SELECT * FROM runs WHERE id = ?').get(runId);
    if (!row) throw new NotFoundError(`no run ${runId}`);
    return row;
  }

  private summary(r: RunRow): RunSummary {
    const tags = this.db
      .prepare<[number], { tag: string }>('SELECT tag FROM run_tags WHERE run_id = ? ORDER BY tag')
      .all(r.id)
      .map((t) => t.tag);
    const finalMetrics: Record<string, number> = {};
    for (const s of this.metrics.stats(r.id)) finalMetrics[s.key] = s.lastValue;
    return {
      id: r.id as RunId,
      name: r.name,
      kind: r.kind,
      model: r.model,
      task: r.task,
      status: r.status,
      spec: JSON.parse(r.spec) as RunSpecData,
      seed: r.seed,
      backend: r.backend,
      memoryFloats: r.memory_floats,
      step: r.step,
      totalSteps: r.total_steps,
      createdMs: r.created_ms,
      startedMs: r.started_ms,
      endedMs: r.ended_ms,
      heartbeatMs: r.heartbeat_ms,
      error: r.error,
      tags,
      finalMetrics,
      notebook: r.notebook,
      cellId: r.cell_id,
      parentRunId: r.parent_run_id as RunId | null,
      parentStep: r.parent_step,
    };
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
