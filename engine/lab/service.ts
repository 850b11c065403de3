// The lab service: owns the lab book (its only writer), the kernel process and the LabApi handlers.
// Electron's main process, `engram serve` and the CLI each create one; the transports sit on top.
// Runs in the lab service process.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { NotebookDoc, StoredCellOutputs } from '../api/notebook';
import { LAB_API_VERSION, type LabEvent, type LabEventPayload } from '../api/lab-api';
import type { Provenance, RunId } from '../api/schemas';
import { readFileSync } from 'node:fs';
import { CellExecutions } from './cell-executions';
import { createDispatcher, LabError, type Dispatcher, type LabHandlers } from './dispatcher';
import { exportFigure, FigureInputError, type FigureRenderer } from './export/figure-export';
import { KernelHost, type KernelLauncher } from './kernel-host';
import { demoNotebook } from './notebooks/demo-notebook';
import { fromIpynb, toIpynb, type NotebookFigures } from './notebooks/ipynb';
import { newCellId, NOTEBOOK_EXTENSION } from './notebooks/native-format';
import { NotebookManager, writeFileAtomic } from './notebooks/notebook-manager';
import { defaultDataDir } from './paths';
import { imagesToPng } from './notebooks/images-png';
import { RunRecorder } from './run-recorder';
import { LabStore, NotFoundError } from './store/lab-store';
import { ENGRAM_VERSION } from './version';

export type LabEventListener = <E extends LabEvent>(event: E, payload: LabEventPayload<E>) => void;

export interface LabServiceOptions {
  readonly dbPath: string;
  readonly launcher: KernelLauncher;
  /** Renders a figure to PNG for .ipynb export (headless Chromium where one is at hand). */
  /** Draws notebook figures to PNG for .ipynb export (headless Chromium); without it, figures keep only their plotly JSON. */
  readonly notebookFigures?: () => NotebookFigures;
  /** Draws `export.figure` requests headlessly (system Chromium, or an Electron offscreen window); none: the method fails saying so. */
  readonly figureRenderer?: FigureRenderer;
}

/** Provenance fields that describe this process rather than a cell or command. */
export function processProvenance(): Omit<Provenance, 'notebook' | 'cellId' | 'sourceHash' | 'source' | 'command'> {
  return { engramVersion: ENGRAM_VERSION, node: process.version, platform: `${process.platform}-${process.arch}`, host: hostname() };
}

export class LabService {
  readonly store: LabStore;
  readonly recorder: RunRecorder;
  readonly kernel: KernelHost;
  readonly notebooks: NotebookManager;
  readonly cells: CellExecutions;
  readonly dispatcher: Dispatcher;
  private readonly notebookFigures: (() => NotebookFigures) | null;
  private readonly figureRenderer: FigureRenderer | null;
  /** Runs the start-up sweep found dead (left RUNNING by a process that is gone). */
  readonly sweptRuns: readonly RunId[];
  private readonly listeners = new Set<LabEventListener>();

  constructor(options: LabServiceOptions) {
    mkdirSync(dirname(options.dbPath), { recursive: true });
    this.store = new LabStore(options.dbPath);
    this.sweptRuns = this.store.sweepStaleRuns();
    const emit: LabEventListener = (event, payload) => {
      for (const listener of this.listeners) listener(event, payload);
    };
    this.recorder = new RunRecorder(this.store, emit);
    this.notebooks = new NotebookManager(this.store, emit);
    this.notebookFigures = options.notebookFigures ?? null;
    this.figureRenderer = options.figureRenderer ?? null;
    this.kernel = new KernelHost(options.launcher, this.recorder, emit, {
      provenance: processProvenance,
      labCall: (method, params) => this.dispatcher.dispatch(method, params),
      snapshotTensors: ({ runId, kind, step }) => {
        const snaps = this.store.listSnapshots(runId).filter((x) => x.kind === kind && (step === undefined || x.step === step));
        const found = snaps[snaps.length - 1];
        if (!found) throw new NotFoundError(`run ${runId} has no ${kind} snapshot${step !== undefined ? ` at step ${step}` : ''}`);
        return { step: found.step, tensors: this.store.snapshotTensors(found.id) };
      },
      cellOutput: (executionId, output) => this.cells.output(executionId, output),
    });
    this.cells = new CellExecutions(this.kernel, this.notebooks, emit);
    this.dispatcher = createDispatcher(this.handlers());
  }

  /** Subscribes to every LabApi event; returns the unsubscribe function. */
  onEvent(listener: LabEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the kernel and closes the lab book after writing what is buffered. */
  async close(): Promise<void> {
    this.notebooks.flushAll();
    await this.kernel.shutdown();
    this.recorder.close();
    this.store.close();
  }

  /** A notebook with its outputs as .ipynb JSON, figures drawn to PNG where a renderer is set up. */
  async exportNotebook(doc: NotebookDoc, outputs: readonly StoredCellOutputs[]): Promise<Record<string, unknown>> {
    const figures = this.notebookFigures?.();
    try {
      return await toIpynb(doc, outputs, { figure: figures?.toPng ?? (async () => null), images: imagesToPng });
    } finally {
      await figures?.close();
    }
  }

  private handlers(): LabHandlers {
    return {
      'system.info': () => ({
        version: ENGRAM_VERSION,
        apiVersion: LAB_API_VERSION,
        dbPath: this.store.path,
        notebooksDir: join(defaultDataDir(), 'notebooks'),
        platform: `${process.platform}-${process.arch}`,
        node: process.version,
        kernel: { status: this.kernel.status, backend: this.kernel.backend },
      }),
      'catalog.get': () => this.kernel.catalog(),
      'runs.list': (filter) => this.store.listRuns(filter),
      'runs.get': ({ runId }) => this.store.getRun(runId),
      'runs.metrics': ({ runId, keys, fromStep, toStep, maxPoints }) => {
        this.store.getRunSummary(runId); // not_found for an unknown run, rather than an empty list
        this.recorder.flush();
        const wanted = keys ?? this.store.metrics.stats(runId).map((s) => s.key);
        return wanted.flatMap((key) => {
          const series = this.store.readMetrics(runId, key, {
            ...(fromStep !== undefined ? { fromStep } : {}),
            ...(toStep !== undefined ? { toStep } : {}),
            maxPoints,
          });
          return series ? [{ runId, ...series }] : [];
        });
      },
      'runs.start': (request) => this.kernel.train(request),
      'runs.stop': ({ runId }) => {
        const run = this.store.getRunSummary(runId);
        if (!this.kernel.activeRuns.has(runId)) {
          throw new LabError('conflict', `run ${runId} is ${run.status}, not running in this lab's kernel`);
        }
        this.kernel.stop(runId);
        return { ok: true as const };
      },
      'kernel.restart': async () => {
        await this.kernel.restart();
        this.cells.kernelRestarted();
        return { ok: true as const };
      },
      'notebooks.open': ({ path }) => this.notebooks.open(path),
      'notebooks.create': ({ path, demo }) =>
        this.notebooks.create(path, demo ? demoNotebook() : { title: 'Untitled', cells: [{ id: newCellId(), kind: 'code', source: '' }] }),
      'notebooks.update': ({ path, doc }) => this.notebooks.update(path, doc),
      'notebooks.save': ({ path, doc, newPath }) => this.notebooks.save(path, doc, newPath),
      'notebooks.recent': () => this.notebooks.recent(),
      'notebooks.importIpynb': ({ from, to }) => {
        let json: unknown;
        try {
          json = JSON.parse(readFileSync(from, 'utf8'));
        } catch (err) {
          throw new LabError('invalid_params', `field "from": cannot read ${from} as JSON (${(err as Error).message})`);
        }
        const { doc, outputs } = fromIpynb(json, from);
        const target = to ?? from.replace(/\.ipynb$/, '') + NOTEBOOK_EXTENSION;
        this.notebooks.create(target, doc);
        for (const o of outputs) for (const out of o.outputs) this.notebooks.appendOutput(target, o.cellId, o.source, o.executionCount, out, false);
        return this.notebooks.open(target);
      },
      'notebooks.exportIpynb': async ({ path, to }) => {
        const state = this.notebooks.open(path);
        const json = await this.exportNotebook(state.doc, state.outputs);
        writeFileAtomic(to, `${JSON.stringify(json, null, 1)}\n`);
        return { path: to };
      },
      'cells.execute': ({ notebook, cellId, source }) => this.cells.execute(notebook, cellId, source),
      'cells.interrupt': () => {
        this.cells.interrupt();
        return { ok: true as const };
      },
      'runs.update': ({ runId, name, note, tags }) => {
        const run = this.store.updateRun(runId, { ...(name !== undefined ? { name } : {}), ...(note !== undefined ? { note } : {}), ...(tags !== undefined ? { tags } : {}) });
        this.announce('runs.updated', { run });
        return run;
      },
      'runs.series': ({ key, runs, maxPoints }) => {
        for (const { runId } of runs) this.store.getRunSummary(runId); // not_found names the run
        this.recorder.flush();
        return runs.flatMap(({ runId, fromStep, toStep }) => {
          const series = this.store.readMetrics(runId, key, {
            ...(fromStep !== undefined ? { fromStep } : {}),
            ...(toStep !== undefined ? { toStep } : {}),
            maxPoints,
          });
          return series ? [{ runId, ...series }] : [];
        });
      },
      'runs.delete': ({ runId }) => {
        const run = this.store.getRunSummary(runId);
        if (run.status === 'PENDING' || run.status === 'RUNNING') {
          throw new LabError('conflict', `run ${runId} is ${run.status}: stop it before deleting it`);
        }
        this.store.deleteRun(runId);
        this.announce('runs.deleted', { runId });
        return { ok: true as const };
      },
      'snapshots.get': ({ snapshotId, names }) => {
        const owner = this.store.snapshotOwner(snapshotId);
        const tensors = this.store.snapshotTensors(snapshotId, names);
        const missing = (names ?? []).filter((n) => !tensors.some((t) => t.name === n));
        if (missing.length) {
          const all = this.store.listSnapshots(owner.runId).find((x) => x.id === snapshotId)?.tensors.map((t) => t.name) ?? [];
          throw new LabError('invalid_params', `snapshots.get: field "names" got ${JSON.stringify(missing)}: snapshot ${snapshotId} has ${all.join(', ')}`);
        }
        return {
          snapshotId,
          ...owner,
          tensors: tensors.map((t) => ({
            name: t.name,
            dtype: t.dtype,
            shape: [...t.shape],
            dataBase64: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64'),
          })),
        };
      },
      'export.figure': async ({ figure, size }) => {
        if (!this.figureRenderer) throw new LabError('failed', 'figure export is not set up in this process (it needs a headless Chromium)');
        try {
          return await exportFigure(this.store, this.figureRenderer, figure, size);
        } catch (err) {
          if (err instanceof FigureInputError) throw new LabError('invalid_params', `export.figure: ${err.message}`);
          throw err;
        }
      },
    };
  }

  private announce<E extends LabEvent>(event: E, payload: LabEventPayload<E>): void {
    for (const listener of this.listeners) listener(event, payload);
  }
}
