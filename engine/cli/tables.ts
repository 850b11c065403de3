// Plain-text tables for the CLI's human-readable output. CLI process.
import type { RunSummary } from '../api/schemas';

/** Left-aligned columns separated by two spaces, with a header line. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function runsTable(runs: readonly RunSummary[]): string {
  if (runs.length === 0) return 'no runs\n';
  return formatTable(
    ['id', 'name', 'model', 'task', 'status', 'step', 'backend', 'started', 'metrics'],
    runs.map((r) => [
      String(r.id),
      r.name,
      r.model,
      r.task,
      r.status,
      `${r.step}/${r.totalSteps}`,
      r.backend ?? '-',
      new Date(r.startedMs ?? r.createdMs).toISOString().slice(0, 19).replace('T', ' '),
      Object.entries(r.finalMetrics)
        .filter(([k]) => !k.startsWith('loss/'))
        .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`)
        .join(' '),
    ]),
  );
}
