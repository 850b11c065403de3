// A run's metric series as the plot holds them: what `runs.metrics` returned, extended in place by the
// points that `runs.progressed` events carry, without duplicates. No DOM. Renderer process.
import type { MetricPointData, MetricSeries } from '../../engine/api/schemas';

export interface SeriesData {
  readonly key: string;
  /** Strictly increasing. */
  readonly steps: number[];
  readonly values: number[];
}

/** Series by metric key; iteration order is the trace order (keys sorted at load, new keys appended). */
export type SeriesSet = Map<string, SeriesData>;

export function seriesSetFrom(series: readonly MetricSeries[]): SeriesSet {
  const set: SeriesSet = new Map();
  for (const s of [...series].sort((a, b) => a.key.localeCompare(b.key))) {
    set.set(s.key, { key: s.key, steps: [], values: [] });
    appendPoints(
      set,
      s.steps.map((step, i) => ({ key: s.key, step, value: s.values[i]!, wallTimeMs: s.wallTimesMs[i] ?? 0 })),
    );
  }
  return set;
}

export interface AppendResult {
  /** Points added per key. */
  readonly added: ReadonlyMap<string, number>;
  /** Keys seen for the first time. */
  readonly newKeys: readonly string[];
}

/**
 * Adds the points that lie beyond each series' last step, in step order. A point at or before the
 * last step is one the series already has (the query and an event can both carry it), so it is skipped.
 * Mutates `set`.
 */
export function appendPoints(set: SeriesSet, points: readonly MetricPointData[]): AppendResult {
  const added = new Map<string, number>();
  const newKeys: string[] = [];
  const ordered = [...points].sort((a, b) => a.step - b.step);
  for (const p of ordered) {
    let series = set.get(p.key);
    if (!series) {
      series = { key: p.key, steps: [], values: [] };
      set.set(p.key, series);
      newKeys.push(p.key);
    }
    const last = series.steps[series.steps.length - 1];
    if (last !== undefined && p.step <= last) continue;
    series.steps.push(p.step);
    series.values.push(p.value);
    added.set(p.key, (added.get(p.key) ?? 0) + 1);
  }
  return { added, newKeys };
}

