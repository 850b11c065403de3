// LabApi: the one contract between the UI and the lab service, served over Electron IPC and over
// HTTP + WebSocket alike. A method is added here, once, with its params and result schemas; the
// dispatcher's handler map and the clients are typed from this file. Imports nothing of ours but
// the schemas.
import { z } from 'zod';
import {
  BackendInfoSchema,
  Catalog,
  KernelStatus,
  MetricPointSchema,
  MetricSeries,
  RunDetail,
  RunId,
  RunRequest,
  RunStatus,
  RunSummary,
} from './schemas';
import { CellId, CellOutput, ExecutionStatus, NotebookDoc, NotebookState, RecentNotebook } from './notebook';
import { ExportedFigure, FigureRequest, FigureSize, SnapshotData } from './figure';

/** Bumped on any breaking change of a method or event. */
export const LAB_API_VERSION = 1;

const none = z.object({}).strict();
const ok = z.object({ ok: z.literal(true) });

export const RunFilter = z
  .object({
    text: z.string().optional(),
    status: z.array(RunStatus).optional(),
    model: z.string().optional(),
    task: z.string().optional(),
    tag: z.string().optional(),
    limit: z.number().int().positive().max(10000).optional(),
  })
  .strict();
export type RunFilter = z.infer<typeof RunFilter>;

/**
 * Every method: `"domain.verb"` → params and result. Params are validated at the boundary before any
 * handler runs; results are validated before they leave the service.
 */
export const labMethods = {
  'system.info': {
    params: none,
    result: z.object({
      version: z.string(),
      apiVersion: z.number().int(),
      dbPath: z.string(),
      /** Where new notebooks go by default (the demo notebook on first start): `notebooks` in the app-data folder. */
      notebooksDir: z.string(),
      platform: z.string(),
      node: z.string(),
      kernel: z.object({ status: KernelStatus, backend: BackendInfoSchema.nullable() }),
    }),
  },
  'catalog.get': { params: none, result: Catalog },
  'runs.list': { params: RunFilter, result: z.array(RunSummary) },
  'runs.get': { params: z.object({ runId: RunId }).strict(), result: RunDetail },
  'runs.metrics': {
    params: z
      .object({
        runId: RunId,
        keys: z.array(z.string()).optional(),
        /** Inclusive step range; omitted ends mean the whole series. */
        fromStep: z.number().optional(),
        toStep: z.number().optional(),
        /** Upper bound on returned points per series (down-sampled above it). */
        maxPoints: z.number().int().min(10).max(1_000_000).default(2000),
      })
      .strict(),
    result: z.array(MetricSeries),
  },
  'runs.start': { params: RunRequest, result: z.object({ runId: RunId }) },
  'runs.stop': { params: z.object({ runId: RunId }).strict(), result: ok },
  'kernel.restart': { params: none, result: ok },
  /** Opens a notebook file (native `.engram.md`), restoring unsaved edits a crash left behind. */
  'notebooks.open': { params: z.object({ path: z.string().min(1) }).strict(), result: NotebookState },
  /** Creates a notebook file: empty, or a copy of the demo notebook. Refuses to overwrite. */
  'notebooks.create': {
    params: z.object({ path: z.string().min(1), demo: z.boolean().default(false) }).strict(),
    result: NotebookState,
  },
  /** Records an edit: kept in the lab book at once (crash-safe) and written to the file within 2 s. */
  'notebooks.update': {
    params: z.object({ path: z.string().min(1), doc: NotebookDoc }).strict(),
    result: z.object({ dirty: z.boolean(), savedMs: z.number().nullable() }),
  },
  /** Writes the notebook now; with `newPath`, saves it as a new file (save as). */
  'notebooks.save': {
    params: z.object({ path: z.string().min(1), doc: NotebookDoc, newPath: z.string().min(1).optional() }).strict(),
    result: NotebookState,
  },
  'notebooks.recent': { params: none, result: z.array(RecentNotebook) },
  /** Converts an nbformat 4 `.ipynb` into a native notebook (its outputs kept, marked untrusted). */
  'notebooks.importIpynb': {
    params: z.object({ from: z.string().min(1), to: z.string().min(1).optional() }).strict(),
    result: NotebookState,
  },
  /** Writes a notebook with its stored outputs as nbformat 4 `.ipynb`. */
  'notebooks.exportIpynb': {
    params: z.object({ path: z.string().min(1), to: z.string().min(1) }).strict(),
    result: z.object({ path: z.string() }),
  },
  /** Runs a cell in the kernel; outputs arrive as `outputs.appended` events. */
  'cells.execute': {
    params: z.object({ notebook: z.string().min(1), cellId: CellId, source: z.string() }).strict(),
    result: z.object({ executionId: z.number().int().positive() }),
  },
  /** Interrupts the running cell and runs: cooperative first, then a kernel restart. */
  'cells.interrupt': { params: none, result: ok },
  /** Renames a run, replaces its note or its tags (only the fields given). */
  'runs.update': {
    params: z
      .object({
        runId: RunId,
        name: z.string().trim().min(1).max(200).optional(),
        note: z.string().max(100_000).optional(),
        tags: z.array(z.string().trim().min(1).max(100)).max(100).optional(),
      })
      .strict(),
    result: RunSummary,
  },
  /**
   * One metric of many runs in one call (a compare plot of hundreds of runs), each series down-sampled
   * like `runs.metrics` for its own step range. Runs without the metric are left out.
   */
  'runs.series': {
    params: z
      .object({
        key: z.string().min(1),
        runs: z
          .array(z.object({ runId: RunId, fromStep: z.number().optional(), toStep: z.number().optional() }).strict())
          .min(1)
          .max(2000),
        maxPoints: z.number().int().min(10).max(1_000_000).default(2000),
      })
      .strict(),
    result: z.array(MetricSeries),
  },
  /** Deletes a run that has ended, with its metrics, snapshots and tags. */
  'runs.delete': { params: z.object({ runId: RunId }).strict(), result: ok },
  /** The tensors of a snapshot (all, or the named ones), as base64 bytes with dtype and shape. */
  'snapshots.get': {
    params: z.object({ snapshotId: z.number().int().positive(), names: z.array(z.string()).optional() }).strict(),
    result: SnapshotData,
  },
  /** Draws a comparison figure headlessly with the renderer's figure code: PDF, SVG or PNG, plus its CSV. */
  'export.figure': { params: z.object({ figure: FigureRequest, size: FigureSize }).strict(), result: ExportedFigure },
} as const;

export type LabMethods = typeof labMethods;
export type LabMethod = keyof LabMethods;
/** What a caller passes (defaults may be omitted). */
export type LabParams<M extends LabMethod> = z.input<LabMethods[M]['params']>;
/** What a handler receives (defaults filled in). */
export type LabHandlerParams<M extends LabMethod> = z.output<LabMethods[M]['params']>;
export type LabResult<M extends LabMethod> = z.output<LabMethods[M]['result']>;

export const labMethodNames = Object.keys(labMethods) as LabMethod[];

/** Every event the service pushes: `"domain.pastTense"` → payload. */
export const labEvents = {
  'runs.created': z.object({ run: RunSummary }),
  'runs.progressed': z.object({
    runId: RunId,
    step: z.number().int(),
    totalSteps: z.number().int(),
    /** Metric points recorded since the previous event for this run. */
    points: z.array(MetricPointSchema),
  }),
  'runs.ended': z.object({ runId: RunId, status: RunStatus, error: z.string().nullable() }),
  'kernel.changed': z.object({ status: KernelStatus, backend: BackendInfoSchema.nullable() }),
  'cells.started': z.object({ notebook: z.string(), cellId: CellId, executionId: z.number().int(), executionCount: z.number().int() }),
  'outputs.appended': z.object({ notebook: z.string(), cellId: CellId, executionId: z.number().int(), output: CellOutput }),
  'cells.finished': z.object({
    notebook: z.string(),
    cellId: CellId,
    executionId: z.number().int(),
    executionCount: z.number().int(),
    status: ExecutionStatus,
  }),
  'notebooks.saved': z.object({ path: z.string(), savedMs: z.number() }),
  'runs.updated': z.object({ run: RunSummary }),
  'runs.deleted': z.object({ runId: RunId }),
} as const;

export type LabEvents = typeof labEvents;
export type LabEvent = keyof LabEvents;
export type LabEventPayload<E extends LabEvent> = z.infer<LabEvents[E]>;

export const labEventNames = Object.keys(labEvents) as LabEvent[];

/** The error codes a call can fail with. */
export const LabErrorCode = z.enum(['invalid_params', 'not_found', 'conflict', 'failed']);
export type LabErrorCode = z.infer<typeof LabErrorCode>;

/** The wire form of a failed call (HTTP body, IPC rejection payload). */
export const LabErrorBody = z.object({ code: LabErrorCode, message: z.string() });
export type LabErrorBody = z.infer<typeof LabErrorBody>;

/** What a call resolves to on either transport: the HTTP response body, or the IPC invoke result. */
export type CallEnvelope = { readonly result: unknown } | { readonly error: LabErrorBody };

/**
 * The raw bridge both transports provide: Electron's preload exposes it as `window.engram`, and browser
 * mode builds the same over HTTP + WebSocket. Untyped on purpose; the renderer's client types it.
 */
export interface EngramBridge {
  call(method: string, params: unknown): Promise<CallEnvelope>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

/** An envelope for an event on the wire. */
export interface LabEventMessage<E extends LabEvent = LabEvent> {
  readonly event: E;
  readonly payload: LabEventPayload<E>;
}

/** The client surface both transports implement for the renderer and scripts. */
export interface LabClient {
  call<M extends LabMethod>(method: M, params: LabParams<M>): Promise<LabResult<M>>;
  on<E extends LabEvent>(event: E, listener: (payload: LabEventPayload<E>) => void): () => void;
}
