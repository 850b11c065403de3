// Requests one part of the app makes of another, as CustomEvents on `window`: `engram:open-run` (a run
// card asks the runs view to show a run), `engram:open-cell` (the runs view asks the notebook for a cell).
// Renderer process.
import type { CellId } from '../engine/api/notebook';
import type { RunId } from '../engine/api/schemas';

export interface AppRequests {
  'engram:open-run': { readonly runId: RunId };
  /** `notebook` is the notebook's path as the lab book records it (`RunSummary.notebook`). */
  'engram:open-cell': { readonly notebook: string; readonly cellId: CellId };
}

export type AppRequest = keyof AppRequests;

export function requestApp<R extends AppRequest>(target: EventTarget, request: R, detail: AppRequests[R]): void {
  target.dispatchEvent(new CustomEvent(request, { detail }));
}

/** Listens for a request; returns the function that stops listening. */
export function onAppRequest<R extends AppRequest>(target: EventTarget, request: R, listener: (detail: AppRequests[R]) => void): () => void {
  const handler = (event: Event) => listener((event as CustomEvent<AppRequests[R]>).detail);
  target.addEventListener(request, handler);
  return () => target.removeEventListener(request, handler);
}
