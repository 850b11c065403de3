// The messages between the lab service and a kernel process (Electron utilityProcess or a forked
// Node child). Both sides send requests that the other answers, plus one-way notices. Messages are
// structured-cloned, so snapshot bytes travel as Uint8Array. Imports nothing of ours but schemas.
import type { CellOutput, ExecutionStatus } from './notebook';
import type {
  BackendInfoData,
  Catalog,
  MetricPointData,
  RunId,
  RunKind,
  RunRequest,
  RunSpecData,
  RunStatus,
  SnapshotKind,
} from './schemas';

/** A tensor as stored in a snapshot: little-endian bytes of dtype and shape. */
export interface TensorBytes {
  readonly name: string;
  readonly dtype: 'float32' | 'int32' | 'bool';
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

/** Requests the service makes of the kernel, with their results. */
export interface KernelMethods {
  catalog: { params: Record<string, never>; result: Catalog };
  /** Validates the request, has the service create the run, answers with its id, then trains. */
  train: { params: RunRequest; result: { runId: RunId } };
  /** Runs a notebook cell; outputs stream as `cell.output` notices; answers when the cell is done. */
  execute: {
    params: { executionId: number; executionCount: number; notebook: string; cellId: string; source: string };
    result: { status: ExecutionStatus };
  };
}

/** What a kernel tells the service when a run is about to start: enough to create its row. */
export interface RunCreation {
  readonly kind: RunKind;
  readonly name?: string;
  readonly spec: RunSpecData;
  readonly memoryFloats: number;
  readonly backend: string;
  readonly notebook?: string;
  readonly cellId?: string;
  /** The source of the cell that started the run (the service keys outputs by its hash). */
  readonly source?: string;
}

/** Requests the kernel makes of the service (the service is the only writer of the lab book). */
export interface ServiceMethods {
  'runs.create': { params: RunCreation; result: { runId: RunId } };
  /** A LabApi call on behalf of a cell (`lab.runs`, metric series for `lab.plot`). */
  'lab.call': { params: { method: string; params: unknown }; result: unknown };
  /** A run's snapshot (the given kind, at `step` or the latest) for `lab.snapshot` and evaluation. */
  'snapshots.tensors': {
    params: { runId: RunId; kind: SnapshotKind; step?: number };
    result: { step: number; tensors: TensorBytes[] };
  };
}

/** One-way notices from the kernel. */
export type KernelNotice =
  | { readonly type: 'ready'; readonly backend: BackendInfoData; readonly pid: number }
  | { readonly type: 'run.started'; readonly runId: RunId; readonly totalSteps: number }
  | { readonly type: 'run.metrics'; readonly runId: RunId; readonly points: readonly MetricPointData[] }
  | { readonly type: 'run.progress'; readonly runId: RunId; readonly step: number; readonly totalSteps: number }
  | {
      readonly type: 'run.snapshot';
      readonly runId: RunId;
      readonly step: number;
      readonly kind: SnapshotKind;
      readonly tensors: readonly TensorBytes[];
    }
  | {
      readonly type: 'run.ended';
      readonly runId: RunId;
      readonly status: Extract<RunStatus, 'FINISHED' | 'FAILED' | 'KILLED'>;
      readonly step: number;
      readonly error: string | null;
    }
  | { readonly type: 'heartbeat'; readonly runIds: readonly RunId[] }
  | { readonly type: 'cell.output'; readonly executionId: number; readonly output: CellOutput };

/** One-way notices from the service. */
export type ServiceNotice =
  /** Cooperative stop of one run, or of every run, with null. */
  | { readonly type: 'stop'; readonly runId: RunId | null }
  /** Cooperative interrupt of the running cell and its runs. */
  | { readonly type: 'interrupt' }
  | { readonly type: 'shutdown' };

/** A request in either direction, answered by a response with the same id. */
export interface RpcRequest {
  readonly type: 'request';
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}

export type RpcResponse =
  | { readonly type: 'response'; readonly id: number; readonly ok: true; readonly result: unknown }
  | {
      readonly type: 'response';
      readonly id: number;
      readonly ok: false;
      readonly error: { readonly code: 'invalid_params' | 'failed'; readonly message: string };
    };

export type KernelToService = KernelNotice | RpcRequest | RpcResponse;
export type ServiceToKernel = ServiceNotice | RpcRequest | RpcResponse;

/** How often a kernel with an active run reports that it is alive. */
export const HEARTBEAT_INTERVAL_MS = 2000;
