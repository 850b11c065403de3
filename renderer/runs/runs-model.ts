// The runs of the lab book as the UI knows them: the last `runs.list`, kept current by run events.
// No DOM; views subscribe. Renderer process.
import type { LabEventPayload } from '../../engine/api/lab-api';
import type { RunId, RunSummary } from '../../engine/api/schemas';

export type RunsListener = () => void;

/** Newest first: the order `runs.list` answers in. */
function newestFirst(a: RunSummary, b: RunSummary): number {
  return b.createdMs - a.createdMs || b.id - a.id;
}

export class RunsModel {
  private readonly runs = new Map<RunId, RunSummary>();
  private readonly listeners = new Set<RunsListener>();

  /** Replaces everything with a fresh listing. */
  reset(runs: readonly RunSummary[]): void {
    this.runs.clear();
    for (const run of runs) this.runs.set(run.id, run);
    this.changed();
  }

  /** Adds a run or replaces what is known of it. */
  upsert(run: RunSummary): void {
    this.runs.set(run.id, run);
    this.changed();
  }

  /**
   * Moves a run's step on and updates its final metrics from the event's points. Returns false for a
   * run this model does not hold (created while the listing was in flight: the next listing has it).
   */
  applyProgress(event: LabEventPayload<'runs.progressed'>): boolean {
    const run = this.runs.get(event.runId);
    if (!run) return false;
    const finalMetrics = { ...run.finalMetrics };
    const lastStep = new Map<string, number>();
    for (const p of event.points) {
      if (p.step >= (lastStep.get(p.key) ?? -Infinity)) {
        lastStep.set(p.key, p.step);
        finalMetrics[p.key] = p.value;
      }
    }
    this.runs.set(run.id, {
      ...run,
      // An event can only come from a run that has started.
      status: run.status === 'PENDING' ? 'RUNNING' : run.status,
      step: Math.max(run.step, event.step),
      totalSteps: event.totalSteps || run.totalSteps,
      finalMetrics,
    });
    this.changed();
    return true;
  }

  applyEnded(event: LabEventPayload<'runs.ended'>): boolean {
    const run = this.runs.get(event.runId);
    if (!run) return false;
    this.runs.set(run.id, { ...run, status: event.status, error: event.error });
    this.changed();
    return true;
  }

  /** Forgets a deleted run. */
  remove(id: RunId): void {
    if (this.runs.delete(id)) this.changed();
  }

  get(id: RunId): RunSummary | undefined {
    return this.runs.get(id);
  }

  list(): RunSummary[] {
    return [...this.runs.values()].sort(newestFirst);
  }

  subscribe(listener: RunsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
