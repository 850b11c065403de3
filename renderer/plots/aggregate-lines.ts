// Averaging runs into one line with a band: the members are interpolated onto common x positions and
// reduced to mean and standard deviation or range at each; and the band statistics of a set of values.
// Pure. Renderer process (also the headless export page).
import type { BandKind } from '../../engine/api/figure';

/** Above this many distinct x positions the members are resampled onto an even grid. */
export const MAX_GRID_POINTS = 4000;

export interface XY {
  readonly x: readonly number[];
  readonly y: readonly number[];
}

export interface BandStats {
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
}

/** Mean and band of finite values (NaN mean for none). `std` is the population deviation: 0 for one value. */
export function bandStats(values: readonly number[], band: BandKind): BandStats {
  const finite = values.filter(Number.isFinite);
  const n = finite.length;
  if (n === 0) return { mean: NaN, lower: NaN, upper: NaN, count: 0 };
  const mean = finite.reduce((a, b) => a + b, 0) / n;
  if (band === 'minmax') return { mean, lower: Math.min(...finite), upper: Math.max(...finite), count: n };
  if (band === 'none') return { mean, lower: mean, upper: mean, count: n };
  const sd = Math.sqrt(finite.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
  return { mean, lower: mean - sd, upper: mean + sd, count: n };
}

/** y at `x` by linear interpolation between a member's points; NaN outside its x range. `xs` ascend. */
export function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  const n = xs.length;
  if (n === 0 || x < xs[0]! || x > xs[n - 1]!) return NaN;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  if (xs[lo] === x) return ys[lo]!;
  if (xs[hi] === x) return ys[hi]!;
  const t = (x - xs[lo]!) / (xs[hi]! - xs[lo]!);
  return ys[lo]! + t * (ys[hi]! - ys[lo]!);
}

/** The x positions a group is evaluated at: every member's x, or an even grid when there are too many. */
export function commonGrid(members: readonly XY[], maxPoints = MAX_GRID_POINTS): number[] {
  const all = new Set<number>();
  for (const m of members) for (const x of m.x) all.add(x);
  const sorted = [...all].sort((a, b) => a - b);
  if (sorted.length <= maxPoints) return sorted;
  const lo = sorted[0]!;
  const hi = sorted[sorted.length - 1]!;
  return Array.from({ length: maxPoints }, (_, i) => lo + ((hi - lo) * i) / (maxPoints - 1));
}

export interface AggregatedLine {
  readonly x: number[];
  readonly mean: number[];
  readonly lower: number[];
  readonly upper: number[];
  /** Members whose x range covers each position (runs of different lengths). */
  readonly count: number[];
}

/** Members (x ascending) reduced at each common x position to the mean and band of those that cover it. */
export function aggregateLines(members: readonly XY[], band: BandKind, grid: readonly number[] = commonGrid(members)): AggregatedLine {
  const out: AggregatedLine = { x: [], mean: [], lower: [], upper: [], count: [] };
  for (const x of grid) {
    const stats = bandStats(members.map((m) => interpolate(m.x, m.y, x)), band);
    if (stats.count === 0) continue;
    out.x.push(x);
    out.mean.push(stats.mean);
    out.lower.push(stats.lower);
    out.upper.push(stats.upper);
    out.count.push(stats.count);
  }
  return out;
}
