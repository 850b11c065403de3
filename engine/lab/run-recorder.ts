// Records runs as they happen — creation, metric points, progress, snapshots, heartbeats, endings —
// into the lab book, batching metric points into one transaction per flush, and announces each
// change as a LabApi event. Runs in the lab service process (and in the CLI for in-process runs).
import type { TensorBytes } from '../api/kernel-protocol';
import type { LabEvent, LabEventPayload } from '../api/lab-api';
import type { MetricPointData, RunId, RunStatus, RunSummary, SnapshotKind } from '../api/schemas';
import type { LabStore, NewRun } from './store/lab-store';

export type EmitEvent = <E extends LabEvent>(event: E, payload: LabEventPayload<E>) => void;

/** How often buffered metric points are written and announced. */
export const FLUSH_INTERVAL_MS = 250;
/** A buffer this large is written at once rather than waiting for the timer. */
const MAX_BUFFERED_POINTS = 20_000;

interface Pending {
  points: MetricPointData[];
  step: number;
  totalSteps: number;
  stepChanged: boolean;
}

export class RunRecorder {
  private readonly pending = new Map<RunId, Pending>();
  private buffered = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: LabStore,
    private readonly emit: EmitEvent,
  ) {}

  create(run: NewRun): RunSummary {
    const runId = this.store.createRun(run);
    const summary = this.store.getRunSummary(runId);
    this.emit('runs.created', { run: summary });
    return summary;
  }

  started(runId: RunId, totalSteps: number): void {
    this.store.markRunning(runId);
    this.entry(runId).totalSteps = totalSteps;
  }

  metrics(runId: RunId, points: readonly MetricPointData[]): void {
    this.entry(runId).points.push(...points);
    this.buffered += points.length;
    if (this.buffered >= MAX_BUFFERED_POINTS) this.flush();
    else this.schedule();
  }

  progress(runId: RunId, step: number, totalSteps: number): void {
    const e = this.entry(runId);
    e.step = step;
    e.totalSteps = totalSteps;
    e.stepChanged = true;
    this.schedule();
  }

  snapshot(runId: RunId, step: number, kind: SnapshotKind, tensors: readonly TensorBytes[]): void {
    this.flush();
    this.store.addSnapshot(runId, step, kind, tensors);
  }

  heartbeat(runIds: readonly RunId[]): void {
    this.store.heartbeat(runIds);
  }

  /** Writes what is buffered and records the ending; an already-ended run keeps its first ending. */
  ended(runId: RunId, status: Exclude<RunStatus, 'PENDING' | 'RUNNING'>, error: string | null): void {
    this.flush();
    this.pending.delete(runId);
    if (this.store.endRun(runId, status, error)) this.emit('runs.ended', { runId, status, error });
  }

  /** Writes every buffered point in one transaction and announces the progress of each run. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = [...this.pending.entries()].filter(([, e]) => e.points.length > 0 || e.stepChanged);
    if (batch.length === 0) return;
    this.store.db.transaction(() => {
      for (const [runId, e] of batch) {
        this.store.appendMetrics(runId, e.points);
        if (e.stepChanged) this.store.setStep(runId, e.step);
      }
    })();
    for (const [runId, e] of batch) {
      this.emit('runs.progressed', { runId, step: e.step, totalSteps: e.totalSteps, points: e.points });
      e.points = [];
      e.stepChanged = false;
    }
    this.buffered = 0;
  }

  close(): void {
    this.flush();
  }

  private entry(runId: RunId): Pending {
    let e = this.pending.get(runId);
    if (!e) {
      e = { points: [], step: 0, totalSteps: 0, stepChanged: false };
      this.pending.set(runId, e);
    }
    return e;
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
  }
}
