// The tfjs backends Engram knows, by the names `--backend` and ENGRAM_BACKEND take. Kept apart from
// select.ts so that naming them does not load tfjs.
export const backendNames = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof backendNames)[number];
