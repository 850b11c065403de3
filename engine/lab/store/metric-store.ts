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

/** A float64 view of a blob: in place when it happens to be 8-byte aligned (large blobs are), else a copy. */
function f64View(blob: Buffer): Float64Array {
  return blob.byteOffset % 8 === 0 ? new Float64Array(blob.buffer, blob.byteOffset, blob.byteLength / 8) : fromF64(blob);
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
      blocksInRange: db.prepare<[number, number, number], { min_step: number; max_step: number; steps: Buffer; vals: Buffer; wall_times_ms: Buffer }>(
        `SELECT min_step, max_step, steps, vals, wall_times_ms FROM metric_blocks
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
   *
   * One streaming pass over the stored blocks, read in place (no copy of the series): a full-range
   * read of a million points touches each point once and allocates only what it returns.
   */
  read(runId: number, key: string, range: { fromStep?: number; toStep?: number; maxPoints: number }): SeriesData | null {
    const series = this.stmt.findSeries.get(runId, key);
    if (!series) return null;
    const from = range.fromStep ?? -Infinity;
    const to = range.toStep ?? Infinity;
    const blocks = this.stmt.blocksInRange.all(series.id, from, to).map((b) => ({
      inside: b.min_step >= from && b.max_step <= to,
      minStep: b.min_step,
      maxStep: b.max_step,
      steps: f64View(b.steps),
      values: f64View(b.vals),
      walls: b.wall_times_ms,
    }));
    // Points in range and their step extent; whole blocks are counted from their headers.
    let total = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const b of blocks) {
      if (b.inside) {
        total += b.steps.length;
        if (b.minStep < lo) lo = b.minStep;
        if (b.maxStep > hi) hi = b.maxStep;
        continue;
      }
      for (const s of b.steps) {
        if (s < from || s > to) continue;
        total += 1;
        if (s < lo) lo = s;
        if (s > hi) hi = s;
      }
    }
    const picked: { block: number; index: number }[] = [];
    if (total <= range.maxPoints) {
      blocks.forEach((b, block) => {
        for (let index = 0; index < b.steps.length; index++) {
          const s = b.steps[index]!;
          if (b.inside || (s >= from && s <= to)) picked.push({ block, index });
        }
      });
    } else {
      const bucketer = new MinMaxBucketer(lo, hi, range.maxPoints);
      blocks.forEach((b, block) => bucketer.addAll(block * BLOCK_SIZE, b.steps, b.values, b.inside ? -Infinity : from, b.inside ? Infinity : to));
      for (const at of bucketer.chosen()) picked.push({ block: Math.floor(at / BLOCK_SIZE), index: at % BLOCK_SIZE });
    }
    const walls = new Map<number, Float64Array>();
    const wallOf = (block: number): Float64Array => {
      let w = walls.get(block);
      if (!w) walls.set(block, (w = f64View(blocks[block]!.walls)));
      return w;
    };
    return {
      key,
      steps: picked.map((p) => blocks[p.block]!.steps[p.index]!),
      values: picked.map((p) => blocks[p.block]!.values[p.index]!),
      wallTimesMs: picked.map((p) => wallOf(p.block)[p.index]!),
      totalInRange: total,
      downsampled: total > range.maxPoints,
    };
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
 * A min/max down-sample built point by point: the first and last point, and the lowest and highest
 * point of each of ⌊(maxPoints − 2) / 2⌋ equal step buckets over [lo, hi]. Points are identified by
 * the caller's position numbers, which must grow with storage order.
 */
export class MinMaxBucketer {
  private readonly buckets: number;
  private readonly width: number;
  private readonly minAt: Float64Array;
  private readonly maxAt: Float64Array;
  private readonly minValue: Float64Array;
  private readonly maxValue: Float64Array;
  private first = -1;
  private last = -1;

  constructor(
    private readonly lo: number,
    hi: number,
    maxPoints: number,
  ) {
    this.buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
    this.width = (hi - lo) / this.buckets || 1;
    this.minAt = new Float64Array(this.buckets).fill(-1);
    this.maxAt = new Float64Array(this.buckets).fill(-1);
    this.minValue = new Float64Array(this.buckets);
    this.maxValue = new Float64Array(this.buckets);
  }

  /**
   * Adds the points of parallel arrays whose steps lie in [from, to], as positions `base + index`, in
   * one tight loop (a full-range read passes a million points through it).
   */
  addAll(base: number, steps: Float64Array, values: Float64Array, from: number, to: number): void {
    const { lo, buckets, width, minAt, maxAt, minValue, maxValue } = this;
    const last = buckets - 1;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i]!;
      if (s < from || s > to) continue;
      const at = base + i;
      const v = values[i]!;
      if (this.first < 0) this.first = at;
      this.last = at;
      let b = Math.floor((s - lo) / width);
      if (b > last) b = last;
      if (minAt[b] === -1 || v < minValue[b]!) {
        minAt[b] = at;
        minValue[b] = v;
      }
      if (maxAt[b] === -1 || v > maxValue[b]!) {
        maxAt[b] = at;
        maxValue[b] = v;
      }
    }
  }

  /** The positions kept, ascending. */
  chosen(): number[] {
    const kept = new Set<number>();
    if (this.first >= 0) kept.add(this.first).add(this.last);
    for (let b = 0; b < this.buckets; b++) {
      if (this.minAt[b] !== -1) kept.add(this.minAt[b]!);
      if (this.maxAt[b] !== -1) kept.add(this.maxAt[b]!);
    }
    return [...kept].sort((a, b) => a - b);
  }
}

/** Indices (ascending) of a min/max down-sample of a whole series to at most `maxPoints` points. */
export function minMaxBuckets(steps: Float64Array, values: Float64Array, maxPoints: number): Int32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of steps) {
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  const bucketer = new MinMaxBucketer(lo, hi, maxPoints);
  bucketer.addAll(0, steps, values, -Infinity, Infinity);
  return Int32Array.from(bucketer.chosen());
}
