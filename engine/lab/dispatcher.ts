// The one dispatcher that binds the LabApi contract to its handlers. Both transports (Electron IPC and
// HTTP) call `dispatch`; it validates params before any handler runs and results before they leave,
// and turns failures into coded errors. Runs in the lab service process.
import type { z } from 'zod';
import {
  labMethods,
  type CallEnvelope,
  type LabErrorBody,
  type LabErrorCode,
  type LabHandlerParams,
  type LabMethod,
  type LabResult,
} from '../api/lab-api';
import { RpcError } from '../api/rpc';
import { NotFoundError } from './store/lab-store';

/** A handler for every method of the contract: a missing one is a type error. */
export type LabHandlers = {
  [M in LabMethod]: (params: LabHandlerParams<M>) => Promise<LabResult<M>> | LabResult<M>;
};

export class LabError extends Error {
  constructor(
    readonly code: LabErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LabError';
  }

  toBody(): LabErrorBody {
    return { code: this.code, message: this.message };
  }
}

export interface Dispatcher {
  /** Validates and runs a call; rejects with a LabError. */
  dispatch(method: string, params: unknown): Promise<unknown>;
  /** The same, answered as the wire envelope both transports send: `{ result }` or `{ error }`. */
  call(method: string, params: unknown): Promise<CallEnvelope>;
}

export function isLabMethod(method: string): method is LabMethod {
  return Object.prototype.hasOwnProperty.call(labMethods, method);
}

export function createDispatcher(handlers: LabHandlers): Dispatcher {
  const dispatcher: Dispatcher = {
    async call(method, params) {
      try {
        return { result: await dispatcher.dispatch(method, params) };
      } catch (err) {
        return { error: toLabError(err).toBody() };
      }
    },
    async dispatch(method, raw) {
      if (!isLabMethod(method)) {
        throw new LabError('not_found', `unknown method "${method}"; methods: ${Object.keys(labMethods).join(', ')}`);
      }
      const def = labMethods[method];
      const parsed = def.params.safeParse(raw ?? {});
      if (!parsed.success) throw new LabError('invalid_params', describeIssues(method, parsed.error, raw));
      let result: unknown;
      try {
        const handler = handlers[method] as (p: unknown) => unknown;
        result = await handler(parsed.data);
      } catch (err) {
        throw toLabError(err);
      }
      const checked = def.result.safeParse(result);
      if (!checked.success) {
        throw new LabError('failed', `the result of ${method} broke the contract: ${describeIssues(method, checked.error, result)}`);
      }
      return checked.data;
    },
  };
  return dispatcher;
}

function toLabError(err: unknown): LabError {
  if (err instanceof LabError) return err;
  if (err instanceof NotFoundError) return new LabError('not_found', err.message);
  if (err instanceof RpcError) return new LabError(err.code === 'invalid_params' ? 'invalid_params' : 'failed', err.message);
  return new LabError('failed', err instanceof Error ? err.message : String(err));
}

/** One line per problem: the field's path, the value it got, and what the contract allows. */
export function describeIssues(method: string, error: z.ZodError, raw: unknown): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        const where = issue.path.length ? `in "${issue.path.join('.')}" ` : '';
        return `${method}: field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} ${where}not allowed`;
      }
      const path = issue.path.map(String).join('.');
      const value = valueAt(raw, issue.path);
      return `${method}: field "${path || '(params)'}" got ${describe(value)}: ${issue.message}`;
    })
    .join('; ');
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
