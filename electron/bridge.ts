// The renderer's window onto the lab: a `call` and an `on` for the LabApi methods and events, and
// nothing else (no ipcRenderer, no channels of the page's choosing). Built by the preload; kept free of
// Electron imports so it is tested in plain Node with a fake ipcRenderer.
import { labEventNames, labMethodNames, type CallEnvelope, type EngramBridge } from '../engine/api/lab-api';

/** The IPC channel of calls (invoke) and of events (main → renderer). */
export const CALL_CHANNEL = 'lab:call';
export const EVENT_CHANNEL = 'lab:event';

/** The part of Electron's ipcRenderer the bridge needs. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, message: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, message: unknown) => void): unknown;
}

const methods = new Set<string>(labMethodNames);
const events = new Set<string>(labEventNames);

export function createBridge(ipc: IpcRendererLike): EngramBridge {
  return {
    call(method, params) {
      // Refused here rather than in main, so a page can never name an arbitrary channel.
      if (!methods.has(method)) {
        return Promise.resolve({ error: { code: 'not_found', message: `unknown method "${method}"` } });
      }
      return ipc.invoke(CALL_CHANNEL, method, params) as Promise<CallEnvelope>;
    },
    on(event, listener) {
      if (!events.has(event)) throw new Error(`unknown event "${event}"`);
      const handler = (_e: unknown, message: unknown) => {
        const m = message as { event: string; payload: unknown };
        if (m.event === event) listener(m.payload);
      };
      ipc.on(EVENT_CHANNEL, handler);
      return () => ipc.removeListener(EVENT_CHANNEL, handler);
    },
  };
}
