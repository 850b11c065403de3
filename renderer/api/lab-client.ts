// The renderer's one LabApi client: typed calls and events over whichever transport this window has —
// Electron IPC when the preload exposed `window.engram`, else browser mode's HTTP + WebSocket.
// Renderer process.
import type { CallEnvelope, LabClient, LabEvent, LabEventPayload, LabMethod, LabParams, LabResult } from '../../engine/api/lab-api';
import type { EngramBridge } from './engram-bridge';
import { createHttpBridge, type ConnectionState } from './http-bridge';
import { LabCallError } from './lab-call-error';

export interface RendererLabClient extends LabClient {
  readonly transport: 'ipc' | 'http';
  /**
   * Tells `listener` the event connection's state now and on every change. State built from events
   * must be re-read on each `open`: events sent while disconnected are lost.
   */
  onConnection(listener: (state: ConnectionState) => void): () => void;
}

/** Types a raw bridge: results come back as the contract says, failures reject with a LabCallError. */
export function createLabClient(
  bridge: EngramBridge,
  transport: RendererLabClient['transport'],
  onConnection: RendererLabClient['onConnection'],
): RendererLabClient {
  return {
    transport,
    onConnection,
    async call<M extends LabMethod>(method: M, params: LabParams<M>): Promise<LabResult<M>> {
      let envelope: CallEnvelope;
      try {
        envelope = await bridge.call(method, params);
      } catch (err) {
        if (err instanceof LabCallError) throw err;
        throw new LabCallError('transport', err instanceof Error ? err.message : String(err), method);
      }
      if ('error' in envelope) throw new LabCallError(envelope.error.code, envelope.error.message, method);
      // The service validated the result against the contract before sending it.
      return envelope.result as LabResult<M>;
    },
    on<E extends LabEvent>(event: E, listener: (payload: LabEventPayload<E>) => void): () => void {
      return bridge.on(event, (payload) => listener(payload as LabEventPayload<E>));
    },
  };
}

/** Picks the transport of this window: the preload's bridge inside Electron, HTTP in a browser. */
export function connectLabClient(win: Window): RendererLabClient {
  const ipc = win.engram;
  if (ipc) {
    // IPC events flow as long as the window lives.
    return createLabClient(ipc, 'ipc', (listener) => {
      listener('open');
      return () => undefined;
    });
  }
  const http = createHttpBridge({ origin: win.location.origin });
  return createLabClient(http, 'http', (listener) => http.onConnection(listener));
}
