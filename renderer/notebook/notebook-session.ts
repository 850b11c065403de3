// The open notebook in the renderer: its document (edited through the store), path and save state, and
// its cells' runs following the kernel's events. Edits go to `notebooks.update` after a short quiet
// moment, one write at a time, in order. No DOM. Renderer process.
import type { LabClient, LabEventPayload } from '../../engine/api/lab-api';
import type { CellId, NotebookState } from '../../engine/api/notebook';
import { finishedRun, NO_RUN, outputRun, queuedRun, restoredRun, startedRun, type CellRun } from './cell-runs';
import { findCell, toNotebookDoc, type NotebookDocument } from './notebook-document';
import { NotebookStore } from './notebook-store';
import { SaveTracker } from './save-tracker';
import { sourceHash } from './source-hash';

export type SessionClient = Pick<LabClient, 'call' | 'on'>;

/** How long edits wait for more before they go to the service. */
export const UPDATE_DELAY_MS = 300;

export type SessionChange =
  | { readonly kind: 'run'; readonly cellId: CellId }
  /** The save state, the path or the saved time changed. */
  | { readonly kind: 'file' }
  /** A background write failed (the edits stay pending and go with the next one). */
  | { readonly kind: 'error'; readonly error: unknown };

export interface SessionTimers {
  setTimeout(run: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

const browserTimers: SessionTimers = {
  setTimeout: (run, delayMs) => setTimeout(run, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class NotebookSession {
  readonly store: NotebookStore;
  private currentPath: string;
  /** The document was restored from edits an earlier session had not saved. */
  readonly recovered: boolean;
  private savedAtMs: number | null;
  private readonly tracker = new SaveTracker();
  private readonly runs = new Map<CellId, CellRun>();
  /** Sources sent to `cells.execute` whose `cells.started` has not come yet, per cell, oldest first. */
  private readonly sentSources = new Map<CellId, string[]>();
  private readonly started = new Set<number>();
  private readonly listeners = new Set<(change: SessionChange) => void>();
  private readonly unsubscribe: (() => void)[];
  private updateTimer: unknown = null;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: SessionClient,
    state: NotebookState,
    private readonly timers: SessionTimers = browserTimers,
    private readonly updateDelayMs = UPDATE_DELAY_MS,
  ) {
    this.currentPath = state.path;
    this.recovered = state.recovered;
    this.savedAtMs = state.savedMs;
    this.store = new NotebookStore({ title: state.doc.title, cells: state.doc.cells });
    this.restoreRuns(state);
    this.unsubscribe = [
      this.store.subscribe(() => this.edited()),
      client.on('cells.started', (e) => this.onStarted(e)),
      client.on('outputs.appended', (e) => {
        if (this.forThis(e.notebook)) this.setRun(e.cellId, outputRun(this.runOf(e.cellId), e.output));
      }),
      client.on('cells.finished', (e) => this.onFinished(e)),
      client.on('notebooks.saved', (e) => {
        if (e.path !== this.currentPath) return;
        this.tracker.savedEvent();
        this.savedAtMs = e.savedMs;
        this.emit({ kind: 'file' });
      }),
    ];
  }

  get path(): string {
    return this.currentPath;
  }

  get doc(): NotebookDocument {
    return this.store.doc;
  }

  get dirty(): boolean {
    return this.tracker.dirty;
  }

  get savedMs(): number | null {
    return this.savedAtMs;
  }

  runOf(cellId: CellId): CellRun {
    return this.runs.get(cellId) ?? NO_RUN;
  }

  subscribe(listener: (change: SessionChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks the kernel to run the code cells among `ids`, in that order (markdown cells have nothing to run). */
  async execute(ids: readonly CellId[]): Promise<void> {
    for (const id of ids) {
      const cell = findCell(this.doc, id);
      if (!cell || cell.kind !== 'code') continue;
      const queue = this.sentSources.get(id) ?? [];
      this.sentSources.set(id, [...queue, cell.source]);
      this.setRun(id, queuedRun(this.runOf(id)));
      try {
        // One at a time: the service runs cells in the order the calls arrive.
        await this.client.call('cells.execute', { notebook: this.currentPath, cellId: id, source: cell.source });
      } catch (err) {
        this.sentSources.set(id, (this.sentSources.get(id) ?? []).slice(0, -1));
        this.setRun(id, finishedRun(this.runOf(id), 'error', false));
        throw err;
      }
    }
  }

  /** Sends edits not yet sent, and resolves once every write so far is done. */
  flush(): Promise<void> {
    this.cancelUpdate();
    if (this.tracker.hasUnsent) void this.write(() => this.sendUpdate());
    return this.writes;
  }

  /** Writes the file now (Ctrl+S). */
  save(): Promise<void> {
    return this.saveTo(undefined);
  }

  /** Writes the document to a new file, which this session then edits (its outputs are copied along). */
  saveAs(newPath: string): Promise<void> {
    return this.saveTo(newPath);
  }

  /** Writes the notebook with its outputs as `.ipynb`; returns the path written. */
  async exportIpynb(to: string): Promise<string> {
    await this.flush();
    return (await this.client.call('notebooks.exportIpynb', { path: this.currentPath, to })).path;
  }

  /** After the event stream reconnected: events may have been lost, so the outputs are read again. */
  async resync(): Promise<void> {
    await this.flush();
    const state = await this.client.call('notebooks.open', { path: this.currentPath });
    this.runs.clear();
    this.sentSources.clear();
    this.started.clear();
    this.restoreRuns(state);
    for (const cell of this.doc.cells) this.emit({ kind: 'run', cellId: cell.id });
  }

  dispose(): void {
    this.cancelUpdate();
    for (const off of this.unsubscribe) off();
    this.listeners.clear();
  }

  private restoreRuns(state: NotebookState): void {
    for (const stored of state.outputs) this.runs.set(stored.cellId, restoredRun(stored));
  }

  private forThis(notebook: string): boolean {
    return notebook === this.currentPath;
  }

  private onStarted(e: LabEventPayload<'cells.started'>): void {
    if (!this.forThis(e.notebook)) return;
    this.started.add(e.executionId);
    const [source, ...rest] = this.sentSources.get(e.cellId) ?? [];
    this.sentSources.set(e.cellId, rest);
    // Started from elsewhere (another window, the CLI): the source is taken to be the cell's own.
    const ran = source ?? findCell(this.doc, e.cellId)?.source ?? '';
    this.setRun(e.cellId, startedRun(this.runOf(e.cellId), e.executionCount, sourceHash(ran)));
  }

  private onFinished(e: LabEventPayload<'cells.finished'>): void {
    if (!this.forThis(e.notebook)) return;
    const wasStarted = this.started.delete(e.executionId);
    if (!wasStarted) this.sentSources.set(e.cellId, (this.sentSources.get(e.cellId) ?? []).slice(1));
    this.setRun(e.cellId, finishedRun(this.runOf(e.cellId), e.status, wasStarted));
  }

  private setRun(cellId: CellId, run: CellRun): void {
    this.runs.set(cellId, run);
    this.emit({ kind: 'run', cellId });
  }

  private emit(change: SessionChange): void {
    for (const listener of this.listeners) listener(change);
  }

  private edited(): void {
    const wasDirty = this.tracker.dirty;
    this.tracker.edited();
    if (!wasDirty) this.emit({ kind: 'file' });
    this.scheduleUpdate();
  }

  private scheduleUpdate(): void {
    this.cancelUpdate();
    this.updateTimer = this.timers.setTimeout(() => {
      this.updateTimer = null;
      void this.write(() => this.sendUpdate());
    }, this.updateDelayMs);
  }

  private cancelUpdate(): void {
    if (this.updateTimer === null) return;
    this.timers.clearTimeout(this.updateTimer);
    this.updateTimer = null;
  }

  /** Queues a write behind the ones in flight; its failure is the caller's, never the next write's. */
  private write(work: () => Promise<void>): Promise<void> {
    const done = this.writes.then(work);
    this.writes = done.catch(() => undefined);
    return done;
  }

  private async sendUpdate(): Promise<void> {
    if (!this.tracker.hasUnsent) return;
    const path = this.currentPath;
    this.tracker.sending();
    try {
      await this.client.call('notebooks.update', { path, doc: toNotebookDoc(this.doc) });
      if (this.tracker.updated()) this.scheduleUpdate();
    } catch (error) {
      this.tracker.failed();
      this.emit({ kind: 'error', error });
    }
    this.emit({ kind: 'file' });
  }

  private saveTo(newPath: string | undefined): Promise<void> {
    this.cancelUpdate();
    return this.write(async () => {
      this.tracker.sending();
      try {
        const state = await this.client.call('notebooks.save', {
          path: this.currentPath,
          doc: toNotebookDoc(this.doc),
          ...(newPath !== undefined ? { newPath } : {}),
        });
        this.tracker.savedExplicitly();
        this.currentPath = state.path;
        this.savedAtMs = state.savedMs;
      } catch (err) {
        this.tracker.failed();
        throw err;
      } finally {
        this.emit({ kind: 'file' });
      }
    });
  }
}
