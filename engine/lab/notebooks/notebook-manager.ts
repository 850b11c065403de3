// Notebook files and their state in the lab book: open (recovering unsaved edits a crash left
// behind), create, record edits (a draft row at once, the file by atomic rename within 2 s), save as,
// recent notebooks, and the outputs stored per cell. Runs in the lab service process.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CellId, CellOutput, NotebookDoc, NotebookState, RecentNotebook, StoredCellOutputs } from '../../api/notebook';
import type { EmitEvent } from '../run-recorder';
import { LabError } from '../dispatcher';
import { NotFoundError, type LabStore } from '../store/lab-store';
import { parseNotebook, serializeNotebook } from './native-format';

/** An edit is written to the file this long after the last edit… */
export const AUTOSAVE_QUIET_MS = 800;
/** …and never later than this after the first unsaved edit. */
export const AUTOSAVE_MAX_DELAY_MS = 2000;

/** The short hash that ties stored outputs to the source that produced them. */
export function sourceHash(source: string): string {
  return createHash('sha256').update(source).digest('hex').slice(0, 16);
}

/** Writes a file so that a crash leaves either the old or the new content, never a torn one. */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  // The rename itself is durable only once the directory is synced.
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

interface Pending {
  doc: NotebookDoc;
  timer: NodeJS.Timeout;
  firstEditMs: number;
}

export class NotebookManager {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly store: LabStore,
    private readonly emit: EmitEvent,
  ) {}

  open(rawPath: string): NotebookState {
    const path = resolve(rawPath);
    const draft = this.draft(path);
    const onDisk = existsSync(path);
    if (!onDisk && !draft) throw new NotebookNotFound(path);
    const fileDoc = onDisk ? parseNotebook(readFileSync(path, 'utf8'), path) : null;
    let doc = draft?.doc ?? fileDoc!;
    let savedMs = onDisk ? statSync(path).mtimeMs : null;
    const recovered = draft !== null && JSON.stringify(draft.doc) !== JSON.stringify(fileDoc);
    if (draft) {
      // Restore what a crash left unsaved, and put it in the file straight away.
      savedMs = this.write(path, draft.doc);
      doc = draft.doc;
    }
    this.touchRecent(path, doc.title);
    return { path, doc, outputs: this.outputs(path, doc), dirty: false, recovered, savedMs };
  }

  create(rawPath: string, doc: NotebookDoc): NotebookState {
    const path = resolve(rawPath);
    if (existsSync(path)) throw new NotebookExists(path);
    const savedMs = this.write(path, doc);
    this.touchRecent(path, doc.title);
    return { path, doc, outputs: [], dirty: false, recovered: false, savedMs };
  }

  /** Records an edit: the draft row now, the file after a quiet moment (at most 2 s later). */
  update(rawPath: string, doc: NotebookDoc): { dirty: boolean; savedMs: number | null } {
    const path = resolve(rawPath);
    this.store.db
      .prepare('INSERT OR REPLACE INTO notebook_drafts (notebook, content, updated_ms) VALUES (?, ?, ?)')
      .run(path, JSON.stringify(doc), Date.now());
    const now = Date.now();
    const previous = this.pending.get(path);
    if (previous) clearTimeout(previous.timer);
    const firstEditMs = previous?.firstEditMs ?? now;
    const delay = Math.max(0, Math.min(AUTOSAVE_QUIET_MS, firstEditMs + AUTOSAVE_MAX_DELAY_MS - now));
    const timer = setTimeout(() => this.flush(path), delay);
    this.pending.set(path, { doc, timer, firstEditMs });
    return { dirty: true, savedMs: existsSync(path) ? statSync(path).mtimeMs : null };
  }

  /** Saves now; with `newPath`, writes the document there and opens that file instead. */
  save(rawPath: string, doc: NotebookDoc, newPath?: string): NotebookState {
    const path = resolve(rawPath);
    this.cancel(path);
    const target = newPath ? resolve(newPath) : path;
    const savedMs = this.write(target, doc);
    if (newPath) this.copyOutputs(path, target);
    this.touchRecent(target, doc.title);
    return { path: target, doc, outputs: this.outputs(target, doc), dirty: false, recovered: false, savedMs };
  }

  recent(): RecentNotebook[] {
    return this.store.db
      .prepare<[], { notebook: string; title: string; opened_ms: number }>(
        'SELECT notebook, title, opened_ms FROM recent_notebooks ORDER BY opened_ms DESC LIMIT 20',
      )
      .all()
      .map((r) => ({ path: r.notebook, title: r.title, openedMs: r.opened_ms }));
  }

  /** Writes every pending edit (on shutdown). */
  flushAll(): void {
    for (const path of [...this.pending.keys()]) this.flush(path);
  }

  /** Forgets a cell's outputs when it starts running again. */
  clearOutputs(notebook: string, cellId: CellId): void {
    this.store.db.prepare('DELETE FROM cell_outputs WHERE notebook = ? AND cell_id = ?').run(resolve(notebook), cellId);
  }

  /**
   * Stores one output of a running cell. A progress output replaces the earlier one with its key, so
   * a restored notebook shows where the progress ended, not every step of it.
   */
  appendOutput(notebook: string, cellId: CellId, source: string, executionCount: number | null, output: CellOutput, trusted = true): void {
    const path = resolve(notebook);
    const db = this.store.db;
    db.transaction(() => {
      if (output.type === 'progress') {
        const rows = db
          .prepare<[string, string], { seq: number; output: string }>('SELECT seq, output FROM cell_outputs WHERE notebook = ? AND cell_id = ?')
          .all(path, cellId);
        const same = rows.find((r) => {
          const o = JSON.parse(r.output) as CellOutput;
          return o.type === 'progress' && o.key === output.key;
        });
        if (same) {
          db.prepare('UPDATE cell_outputs SET output = ? WHERE notebook = ? AND cell_id = ? AND seq = ?').run(JSON.stringify(output), path, cellId, same.seq);
          return;
        }
      }
      const next = db
        .prepare<[string, string], { seq: number | null }>('SELECT max(seq) AS seq FROM cell_outputs WHERE notebook = ? AND cell_id = ?')
        .get(path, cellId)!.seq;
      db.prepare(
        `INSERT INTO cell_outputs (notebook, cell_id, source_hash, execution_count, trusted, seq, output, created_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(path, cellId, sourceHash(source), executionCount, trusted ? 1 : 0, (next ?? -1) + 1, JSON.stringify(output), Date.now());
    })();
  }

  /** The stored outputs of a notebook's cells, in cell order. */
  outputs(rawPath: string, doc: NotebookDoc): StoredCellOutputs[] {
    const path = resolve(rawPath);
    const rows = this.store.db
      .prepare<[string], { cell_id: string; source_hash: string; execution_count: number | null; trusted: number; output: string }>(
        'SELECT cell_id, source_hash, execution_count, trusted, output FROM cell_outputs WHERE notebook = ? ORDER BY cell_id, seq',
      )
      .all(path);
    const byCell = new Map<string, StoredCellOutputs>();
    for (const r of rows) {
      let entry = byCell.get(r.cell_id);
      if (!entry) {
        entry = { cellId: r.cell_id as CellId, sourceHash: r.source_hash, executionCount: r.execution_count, outputs: [], trusted: r.trusted === 1 };
        byCell.set(r.cell_id, entry);
      }
      entry.outputs.push(JSON.parse(r.output) as CellOutput);
    }
    return doc.cells.flatMap((c) => byCell.get(c.id) ?? []);
  }

  private flush(path: string): void {
    const p = this.pending.get(path);
    if (!p) return;
    this.pending.delete(path);
    clearTimeout(p.timer);
    const savedMs = this.write(path, p.doc);
    this.emit('notebooks.saved', { path, savedMs });
  }

  private cancel(path: string): void {
    const p = this.pending.get(path);
    if (p) clearTimeout(p.timer);
    this.pending.delete(path);
  }

  /** Writes the file, then drops the draft it supersedes; returns the file's new mtime. */
  private write(path: string, doc: NotebookDoc): number {
    writeFileAtomic(path, serializeNotebook(doc));
    this.store.db.prepare('DELETE FROM notebook_drafts WHERE notebook = ?').run(path);
    return statSync(path).mtimeMs;
  }

  private draft(path: string): { doc: NotebookDoc } | null {
    const row = this.store.db.prepare<[string], { content: string }>('SELECT content FROM notebook_drafts WHERE notebook = ?').get(path);
    return row ? { doc: JSON.parse(row.content) as NotebookDoc } : null;
  }

  private copyOutputs(from: string, to: string): void {
    this.store.db
      .prepare(
        `INSERT OR REPLACE INTO cell_outputs (notebook, cell_id, source_hash, execution_count, trusted, seq, output, created_ms)
         SELECT ?, cell_id, source_hash, execution_count, trusted, seq, output, created_ms FROM cell_outputs WHERE notebook = ?`,
      )
      .run(to, from);
  }

  private touchRecent(path: string, title: string): void {
    this.store.db.prepare('INSERT OR REPLACE INTO recent_notebooks (notebook, title, opened_ms) VALUES (?, ?, ?)').run(path, title, Date.now());
  }
}

class NotebookNotFound extends NotFoundError {
  constructor(path: string) {
    super(`no notebook at ${path}`);
  }
}

class NotebookExists extends LabError {
  constructor(path: string) {
    super('conflict', `${path} already exists; choose another name`);
  }
}
