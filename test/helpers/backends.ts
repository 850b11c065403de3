// The tfjs backends that load on this machine, selected once per test process.
import { availableBackends, selectBackend, type BackendName } from '../../engine/backend/select';

let cached: Promise<BackendName[]> | null = null;

/** Backends available here (wasm and cpu at least); the first call also leaves cpu selected. */
export function backendsHere(): Promise<BackendName[]> {
  cached ??= availableBackends().then(async (list) => {
    await selectBackend('cpu');
    return list;
  });
  return cached;
}
