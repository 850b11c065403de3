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
