// The open notebook against a fake lab client: edits go out debounced and one at a time, the dirty
// flag follows `notebooks.saved`, cell runs follow the kernel's events, and stored outputs come back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LabEvent, LabEventPayload } from '../../../engine/api/lab-api';
import type { CellId, NotebookState } from '../../../engine/api/notebook';
import { executionLabel } from '../../../renderer/notebook/cell-runs';
import { updateCellSource } from '../../../renderer/notebook/notebook-document';
import { NotebookSession, type SessionClient, type SessionTimers } from '../../../renderer/notebook/notebook-session';
import { sourceHash } from '../../../renderer/notebook/source-hash';

const PATH = '/n/demo.engram.md';
const A = 'cella' as CellId;
const B = 'cellb' as CellId;

function state(): NotebookState {
  return {
    path: PATH,
    doc: { title: 'Demo', cells: [{ id: A, kind: 'code', source: 'const x = 1;' }, { id: B, kind: 'markdown', source: '# hi' }] },
    outputs: [{ cellId: A, sourceHash: sourceHash('const x = 1;'), executionCount: 3, outputs: [{ type: 'result', text: '1' }], trusted: true }],
    dirty: false,
    recovered: false,
    savedMs: 10,
  };
}

/** A lab client whose calls are recorded and answered by hand, and whose events the test emits. */
class FakeClient implements SessionClient {
  readonly calls: { method: string; params: Record<string, unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  private readonly listeners = new Map<string, Set<(p: unknown) => void>>();
  call = ((method: string, params: Record<string, unknown>) =>
    new Promise<unknown>((resolve, reject) => this.calls.push({ method, params, resolve, reject }))) as SessionClient['call'];
  on = ((event: string, listener: (p: unknown) => void) => {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    set.add(listener);
    return () => set.delete(listener);
  }) as SessionClient['on'];
  emit<E extends LabEvent>(event: E, payload: LabEventPayload<E>): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
  }
  methods(): string[] {
    return this.calls.map((c) => c.method);
  }
}

class FakeTimers implements SessionTimers {
  private pending: (() => void) | null = null;
  setTimeout(run: () => void) {
    this.pending = run;
    return 1;
  }
  clearTimeout() {
    this.pending = null;
  }
  fire(): void {
    const run = this.pending;
    this.pending = null;
    run?.();
  }
  get armed(): boolean {
    return this.pending !== null;
  }
}

const settle = () => new Promise((r) => setImmediate(r));

function setup() {
  const client = new FakeClient();
  const timers = new FakeTimers();
  const session = new NotebookSession(client, state(), timers);
  return { client, timers, session };
}

describe('NotebookSession', () => {
  it('sends edits after a quiet moment, one write at a time, with the latest document', async () => {
    const { client, timers, session } = setup();
    session.store.update((d) => updateCellSource(d, A, 'const x = 2;'));
    assert.equal(session.dirty, true);
    assert.deepEqual(client.methods(), [], 'nothing leaves before the quiet moment');
    session.store.update((d) => updateCellSource(d, A, 'const x = 3;'));
    timers.fire();
    await settle();
    assert.deepEqual(client.methods(), ['notebooks.update']);
    assert.equal((client.calls[0]!.params['doc'] as { cells: { source: string }[] }).cells[0]!.source, 'const x = 3;');
    session.store.update((d) => updateCellSource(d, A, 'const x = 4;'));
    timers.fire();
    await settle();
    assert.deepEqual(client.methods(), ['notebooks.update'], 'the second write waits for the first');
    client.calls[0]!.resolve({ dirty: true, savedMs: 10 });
    await settle();
    assert.deepEqual(client.methods(), ['notebooks.update', 'notebooks.update']);
    client.calls[1]!.resolve({ dirty: true, savedMs: 10 });
    await settle();
    assert.equal(session.dirty, true);
    client.emit('notebooks.saved', { path: '/elsewhere.engram.md', savedMs: 20 });
    assert.equal(session.dirty, true, 'another notebook was saved');
    client.emit('notebooks.saved', { path: PATH, savedMs: 30 });
    assert.deepEqual([session.dirty, session.savedMs], [false, 30]);
  });

  it('sends the document again when a save was announced while its update was in flight', async () => {
    const { client, timers, session } = setup();
    session.store.update((d) => updateCellSource(d, A, 'y'));
    timers.fire();
    await settle();
    client.emit('notebooks.saved', { path: PATH, savedMs: 11 });
    client.calls[0]!.resolve({ dirty: true, savedMs: 11 });
    await settle();
    assert.equal(timers.armed, true, 'another update is scheduled');
    timers.fire();
    await settle();
    assert.deepEqual(client.methods(), ['notebooks.update', 'notebooks.update']);
  });

  it('saves now on request (cancelling the pending update), and saves as a new path', async () => {
    const { client, timers, session } = setup();
    session.store.update((d) => updateCellSource(d, A, 'z'));
    const saved = session.save();
    assert.equal(timers.armed, false);
    await settle();
    assert.deepEqual(client.methods(), ['notebooks.save']);
    client.calls[0]!.resolve({ ...state(), savedMs: 40 });
    await saved;
    assert.deepEqual([session.dirty, session.savedMs], [false, 40]);
    const savedAs = session.saveAs('/n/copy.engram.md');
    await settle();
    assert.deepEqual(client.calls[1]!.params, { path: PATH, doc: client.calls[1]!.params['doc'], newPath: '/n/copy.engram.md' });
    client.calls[1]!.resolve({ ...state(), path: '/n/copy.engram.md', savedMs: 50 });
    await savedAs;
    assert.equal(session.path, '/n/copy.engram.md');
  });

  it('keeps edits of a failed write and reports the failure', async () => {
    const { client, timers, session } = setup();
    const errors: unknown[] = [];
    session.subscribe((c) => c.kind === 'error' && errors.push(c.error));
    session.store.update((d) => updateCellSource(d, A, 'w'));
    timers.fire();
    await settle();
    client.calls[0]!.reject(new Error('unreachable'));
    await settle();
    assert.equal(errors.length, 1);
    void session.flush();
    await settle();
    assert.deepEqual(client.methods(), ['notebooks.update', 'notebooks.update'], 'flush sends what failed');
  });

  it('restores stored outputs and follows a cell through queued, started, outputs and finished', async () => {
    const { client, session } = setup();
    assert.equal(executionLabel(session.runOf(A)), '[3]');
    assert.deepEqual(session.runOf(A).outputs, [{ type: 'result', text: '1' }]);
    const running = session.execute([B, A]);
    await settle();
    assert.deepEqual(client.calls.map((c) => [c.method, c.params['cellId']]), [['cells.execute', A]], 'markdown cells are not sent');
    assert.equal(executionLabel(session.runOf(A)), '[*]');
    // The service may announce the start before the call returns.
    session.store.update((d) => updateCellSource(d, A, 'edited while queued'));
    client.emit('cells.started', { notebook: PATH, cellId: A, executionId: 5, executionCount: 4 });
    client.calls[0]!.resolve({ executionId: 5 });
    await running;
    assert.deepEqual(session.runOf(A).outputs, [], 'a started cell drops its old outputs');
    assert.equal(session.runOf(A).sourceHash, sourceHash('const x = 1;'), 'the outputs belong to the source that ran');
    client.emit('outputs.appended', { notebook: PATH, cellId: A, executionId: 5, output: { type: 'stream', name: 'stdout', text: 'a' } });
    client.emit('outputs.appended', { notebook: '/other.engram.md', cellId: A, executionId: 9, output: { type: 'stream', name: 'stdout', text: 'x' } });
    client.emit('cells.finished', { notebook: PATH, cellId: A, executionId: 5, executionCount: 4, status: 'error' });
    const run = session.runOf(A);
    assert.deepEqual([executionLabel(run), run.ended, run.outputs], ['[4]', 'error', [{ type: 'stream', name: 'stdout', text: 'a' }]]);
  });

  it('forgets a queued execution an interrupt dropped, keeping the outputs before it', async () => {
    const { client, session } = setup();
    void session.execute([A]);
    await settle();
    client.calls[0]!.resolve({ executionId: 8 });
    await settle();
    client.emit('cells.finished', { notebook: PATH, cellId: A, executionId: 8, executionCount: 0, status: 'interrupted' });
    const run = session.runOf(A);
    assert.deepEqual([executionLabel(run), run.outputs], ['[3]', [{ type: 'result', text: '1' }]]);
  });

  it('reads the outputs again after a reconnect, and stops listening once disposed', async () => {
    const { client, session } = setup();
    const resynced = session.resync();
    await settle();
    assert.deepEqual(client.methods(), ['notebooks.open']);
    client.calls[0]!.resolve({ ...state(), outputs: [{ cellId: B, sourceHash: 'h', executionCount: 1, outputs: [{ type: 'result', text: 'b' }], trusted: false }] });
    await resynced;
    assert.deepEqual(session.runOf(A).outputs, []);
    assert.equal(session.runOf(B).trusted, false);
    session.dispose();
    client.emit('cells.started', { notebook: PATH, cellId: A, executionId: 1, executionCount: 1 });
    assert.equal(executionLabel(session.runOf(A)), '[ ]');
  });
});
