// How run fields read in the UI: metric values, durations, progress. Pure; no DOM. Renderer process.

/** Four significant digits; exponent notation for very large or small magnitudes. */
export function formatMetricValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e5 || abs < 1e-3)) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

/** `0.4 s`, `12 s`, `3 min 05 s`, `2 h 07 min`. */
export function formatDuration(durationMs: number): string {
  if (durationMs < 10_000) return `${(Math.max(0, durationMs) / 1000).toFixed(1)} s`;
  const totalS = Math.round(durationMs / 1000);
  if (totalS < 60) return `${totalS} s`;
  const totalMin = Math.floor(totalS / 60);
  if (totalMin < 60) return `${totalMin} min ${String(totalS % 60).padStart(2, '0')} s`;
  return `${Math.floor(totalMin / 60)} h ${String(totalMin % 60).padStart(2, '0')} min`;
}

/**
 * The final metrics worth a table cell: top-level keys (not loss terms such as `loss/kl`), sorted,
 * at most `max` of them, with how many were left out.
 */
export function summariseMetrics(metrics: Readonly<Record<string, number>>, max = 3): { text: string; hidden: number } {
  const keys = Object.keys(metrics)
    .filter((k) => !k.includes('/'))
    .sort();
  const shown = keys.slice(0, max).map((k) => `${k} ${formatMetricValue(metrics[k]!)}`);
  return { text: shown.join(' · '), hidden: Object.keys(metrics).length - shown.length };
}
