// Binds the LabApi to Electron IPC: every call goes through the lab service's dispatcher — the same
// one browser mode's HTTP transport uses — and every service event is forwarded to the windows.
// Runs in the Electron main process; Electron objects are passed in, so it is tested in plain Node.
import type { IpcMainInvokeEvent } from 'electron';
import type { LabService } from '../engine/lab/service';
import type { CallEnvelope } from '../engine/api/lab-api';
import { CALL_CHANNEL, EVENT_CHANNEL } from './bridge';

/** The parts of ipcMain and of a window's webContents that the binding uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}
export interface WebContentsLike {
  send(channel: string, message: unknown): void;
  isDestroyed(): boolean;
}

/**
 * Handles `lab:call` from frames whose URL `isTrusted` accepts (the app's own origin), and forwards
 * events to the windows `targets` returns. Returns the unbinding function.
 */
export function bindLabApi(
  ipcMain: IpcMainLike,
  service: LabService,
  options: { isTrusted: (frameUrl: string) => boolean; targets: () => readonly WebContentsLike[] },
): () => void {
  ipcMain.handle(CALL_CHANNEL, async (event, method, params): Promise<CallEnvelope> => {
    // Electron security checklist #17: a frame that is not the app (an output iframe, a page that
    // navigated away) must not reach the lab.
    const url = event.senderFrame?.url ?? '';
    if (!options.isTrusted(url)) return { error: { code: 'failed', message: `calls from ${url || 'an unknown frame'} are refused` } };
    return service.dispatcher.call(String(method), params);
  });
  const unsubscribe = service.onEvent((event, payload) => {
    for (const target of options.targets()) if (!target.isDestroyed()) target.send(EVENT_CHANNEL, { event, payload });
  });
  return () => {
    ipcMain.removeHandler(CALL_CHANNEL);
    unsubscribe();
  };
}
