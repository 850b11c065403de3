// The error a LabApi call rejects with in the renderer: the service's coded error, or a transport
// failure (server unreachable, not authorised). Renderer process.
import type { LabErrorCode } from '../../engine/api/lab-api';

/** `transport` when the call never got a LabApi answer (network, HTTP status without a body, bridge). */
export type LabCallErrorCode = LabErrorCode | 'transport';

export class LabCallError extends Error {
  constructor(
    readonly code: LabCallErrorCode,
    message: string,
    readonly method: string,
  ) {
    super(message);
    this.name = 'LabCallError';
  }
}

/** A short line for the UI, whatever was thrown. */
export function describeError(err: unknown): string {
  if (err instanceof LabCallError) return `${err.method}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
