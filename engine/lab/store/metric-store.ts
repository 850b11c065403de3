// Metric series in the lab book: points appended in blocks of float64 arrays, and reads that are
// down-sampled to a screen's worth of points for any step range, keeping each bucket's extremes.
// Runs in the lab service process (the single writer) and in read-only tools.
import type Database from 'better-sqlite3';

/** Points per stored block: large enough that a million points are a thousand rows. */
export const BLOCK_SIZE = 1024;

/** Points to append, as parallel arrays or objects. */
export interface PointInput {
  readonly key: string;
  readonly step: number;
  readonly value: number;
  readonly wallTimeMs: number;
}

/** A series (or a down-sample of it) as parallel arrays. */
export interface SeriesData {
  readonly key: string;
  readonly steps: number[];
  readonly values: number[];
  readonly wallTimesMs: number[];
  /** Points of the full series inside the requested range. */
  readonly totalInRange: number;
  readonly downsampled: boolean;
}

export interface SeriesStats {
  readonly key: string;
  readonly count: number;
  readonly firstStep: number;
  readonly lastStep: number;
  readonly lastValue: number;
  readonly min: number;
  readonly max: number;
}

/** The open (last, partly filled) block of a series, kept in memory while a run writes. */
interface Tail {
  seriesId: number;
  block: number;
  steps: number[];
  values: number[];
  walls: number[];
  stats: { count: number; firstStep: number; lastStep: number; lastValue: number; min: number; max: number };
}

function f64(values: readonly number[]): Buffer {
  const a = Float64Array.from(values);
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function fromF64(blob: Buffer): Float64Array {
  // Copy to an aligned buffer: SQLite blobs carry no alignment guarantee.
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float64Array(copy.buffer, 0, blob.byteLength / 8);
}

export class MetricStore {
  private readonly tails = new Map<string, Tail>();
  private readonly stmt;

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      findSeries: db.prepare<[number, string], { id: number; count: number }>(
        'SELECT id, count FROM metric_series WHERE run_id = ? AND key = ?',
      ),
      insertSeries: db.prepare(
        `INSERT INTO metric_series (run_id, key, count, first_step, last_step, last_value, min_value, max_value)
         VALUES (?, ?, 0, 0, 0, 0, 0, 0)`,
      ),
      updateSeries: db.prepare(
        `UPDATE metric_series SET count = ?, first_step = ?, last_step = ?, last_value = ?, min_value = ?, max_value = ?
         WHERE id = ?`,
      ),
      seriesRow: db.prepare<[number], { count: number; first_step: number; last_step: number; last_value: number; min_value: number; max_value: number }>(
        'SELECT count, first_step, last_step, last_value, min_value, max_value FROM metric_series WHERE id = ?',
      ),
      lastBlock: db.prepare<[number], { block: number; count: number; steps: Buffer; vals: Buffer; wall_times_ms: Buffer }>(
        'SELECT block, count, steps, vals, wall_times_ms FROM metric_blocks WHERE series_id = ? ORDER BY block DESC LIMIT 1',
      ),
      upsertBlock: db.prepare(
        `INSERT OR REPLACE INTO metric_blocks
           (series_id, block, count, min_step, max_step, min_value, max_value, steps, vals, wall_times_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      blocksInRange: db.prepare<[number, number, number], { count: number; steps: Buffer; vals: Buffer; wall_times_ms: Buffer }>(
        `SELECT count, steps, vals, wall_times_ms FROM metric_blocks
         WHERE series_id = ? AND max_step >= ? AND min_step <= ? ORDER BY block`,
      ),
      stats: db.prepare<[number], { key: string; count: number; first_step: number; last_step: number; last_value: number; min_value: number; max_value: number }>(
        'SELECT key, count, first_step, last_step, last_value, min_value, max_value FROM metric_series WHERE run_id = ? ORDER BY key',
      ),
    };
  }

  /**
   * Appends points to their series in one transaction (call it with a batch: a transaction per point
   * would cost an fsync per point under synchronous=FULL).
   */
  append(runId: number, points: readonly PointInput[]): void {
    if (points.length === 0) return;
    const touched = new Set<Tail>();
    this.db.transaction(() => {
      for (const p of points) {
        const tail = this.tailFor(runId, p.key);
        tail.steps.push(p.step);
        tail.values.push(p.value);
        tail.walls.push(p.wallTimeMs);
        const s = tail.stats;
        if (s.count === 0) {
          s.firstStep = p.step;
          s.min = p.value;
          s.max = p.value;
        }
        s.count += 1;
        s.lastStep = p.step;
        s.lastValue = p.value;
        if (p.value < s.min) s.min = p.value;
        if (p.value > s.max) s.max = p.value;
        touched.add(tail);
        if (tail.steps.length === BLOCK_SIZE) {
          this.writeBlock(tail);
          tail.block += 1;
          tail.steps = [];
          tail.values = [];
          tail.walls = [];
        }
      }
      for (const tail of touched) {
        if (tail.steps.length > 0) this.writeBlock(tail);
        const s = tail.stats;
        this.stmt.updateSeries.run(s.count, s.firstStep, s.lastStep, s.lastValue, s.min, s.max, tail.seriesId);
      }
    })();
  }

  /** Forgets the in-memory tails of a run (after it ended, or was deleted). */
  release(runId: number): void {
    for (const key of this.tails.keys()) if (key.startsWith(`${runId}\u0000`)) this.tails.delete(key);
  }

  /** Running statistics of every metric of a run. */
  stats(runId: number): SeriesStats[] {
    return this.stmt.stats.all(runId).map((r) => ({
      key: r.key,
      count: r.count,
      firstStep: r.first_step,
      lastStep: r.last_step,
      lastValue: r.last_value,
      min: r.min_value,
      max: r.max_value,
    }));
  }

  /**
   * The points of a series with steps in [fromStep, toStep]; when there are more than `maxPoints`,
   * a min/max down-sample: the range is cut into equal step buckets and each keeps its lowest and
   * highest point, plus the first and last point, so no spike is ever lost on screen.
   */
  read(runId: number, key: string, range: { fromStep?: number; toStep?: number; maxPoints: number }): SeriesData | null {
    const series = this.stmt.findSeries.get(runId, key);
    if (!series) return null;
    const from = range.fromStep ?? -Infinity;
    const to = range.toStep ?? Infinity;
    const blocks = this.stmt.blocksInRange.all(series.id, from, to);
    let total = 0;
    const parts: { steps: Float64Array; values: Float64Array; walls: Float64Array }[] = [];
    for (const b of blocks) {
      const part = { steps: fromF64(b.steps), values: fromF64(b.vals), walls: fromF64(b.wall_times_ms) };
      parts.push(part);
      total += part.steps.length;
    }
    const steps = new Float64Array(total);
    const values = new Float64Array(total);
    const walls = new Float64Array(total);
    let n = 0;
    for (const part of parts) {
      for (let i = 0; i < part.steps.length; i++) {
        const s = part.steps[i]!;
        if (s < from || s > to) continue;
        steps[n] = s;
        values[n] = part.values[i]!;
        walls[n] = part.walls[i]!;
        n += 1;
      }
    }
    const keep = n <= range.maxPoints ? null : minMaxBuckets(steps.subarray(0, n), values.subarray(0, n), range.maxPoints);
    const pick = (a: Float64Array): number[] => (keep ? Array.from(keep, (i) => a[i]!) : Array.from(a.subarray(0, n)));
    return { key, steps: pick(steps), values: pick(values), wallTimesMs: pick(walls), totalInRange: n, downsampled: keep !== null };
  }

  private tailFor(runId: number, key: string): Tail {
    const cacheKey = `${runId}\u0000${key}`;
    const cached = this.tails.get(cacheKey);
    if (cached) return cached;
    let tail: Tail;
    const existing = this.stmt.findSeries.get(runId, key);
    if (!existing) {
      const seriesId = Number(this.stmt.insertSeries.run(runId, key).lastInsertRowid);
      tail = { seriesId, block: 0, steps: [], values: [], walls: [], stats: { count: 0, firstStep: 0, lastStep: 0, lastValue: 0, min: 0, max: 0 } };
    } else {
      // A series written by an earlier process: continue its last block if it has room.
      const row = this.stmt.seriesRow.get(existing.id)!;
      const last = this.stmt.lastBlock.get(existing.id);
      const stats = { count: row.count, firstStep: row.first_step, lastStep: row.last_step, lastValue: row.last_value, min: row.min_value, max: row.max_value };
      if (last && last.count < BLOCK_SIZE) {
        tail = {
          seriesId: existing.id,
          block: last.block,
          steps: Array.from(fromF64(last.steps)),
          values: Array.from(fromF64(last.vals)),
          walls: Array.from(fromF64(last.wall_times_ms)),
          stats,
        };
      } else {
        tail = { seriesId: existing.id, block: last ? last.block + 1 : 0, steps: [], values: [], walls: [], stats };
      }
    }
    this.tails.set(cacheKey, tail);
    return tail;
  }

  private writeBlock(tail: Tail): void {
    let minStep = Infinity;
    let maxStep = -Infinity;
    let minValue = Infinity;
    let maxValue = -Infinity;
    for (let i = 0; i < tail.steps.length; i++) {
      const s = tail.steps[i]!;
      const v = tail.values[i]!;
      if (s < minStep) minStep = s;
      if (s > maxStep) maxStep = s;
      if (v < minValue) minValue = v;
      if (v > maxValue) maxValue = v;
    }
    this.stmt.upsertBlock.run(
      tail.seriesId,
      tail.block,
      tail.steps.length,
      minStep,
      maxStep,
      // NaN cannot be stored as REAL NOT NULL extremes; a series of NaNs keeps 0 bounds.
      Number.isFinite(minValue) ? minValue : 0,
      Number.isFinite(maxValue) ? maxValue : 0,
      f64(tail.steps),
      f64(tail.values),
      f64(tail.walls),
    );
  }
}

/**
 * Indices (ascending) of a min/max down-sample to at most `maxPoints` points: the first and last
 * point, and the lowest and highest point of each of ⌊(maxPoints − 2) / 2⌋ equal step buckets.
 */
export function minMaxBuckets(steps: Float64Array, values: Float64Array, maxPoints: number): Int32Array {
  const n = steps.length;
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    if (steps[i]! < lo) lo = steps[i]!;
    if (steps[i]! > hi) hi = steps[i]!;
  }
  const width = (hi - lo) / buckets || 1;
  const minIdx = new Int32Array(buckets).fill(-1);
  const maxIdx = new Int32Array(buckets).fill(-1);
  for (let i = 0; i < n; i++) {
    const b = Math.min(buckets - 1, Math.floor((steps[i]! - lo) / width));
    const v = values[i]!;
    if (minIdx[b] === -1 || v < values[minIdx[b]!]!) minIdx[b] = i;
    if (maxIdx[b] === -1 || v > values[maxIdx[b]!]!) maxIdx[b] = i;
  }
  const chosen = new Set<number>([0, n - 1]);
  for (let b = 0; b < buckets; b++) {
    if (minIdx[b] !== -1) chosen.add(minIdx[b]!);
    if (maxIdx[b] !== -1) chosen.add(maxIdx[b]!);
  }
  return Int32Array.from([...chosen].sort((a, b) => a - b));
}
