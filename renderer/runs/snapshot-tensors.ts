// What the memory inspector computes from a snapshot's tensors: decoding them, any tensor as a 2-D
// matrix for one episode of the batch, the difference of two, and a retrieval trace (query → each read
// iterate → result, with energies) laid out as images or bit rows as the run's task suggests. Pure;
// no DOM. Renderer process.
import type { SnapshotTensorData } from '../../engine/api/figure';
import type { RunSummary } from '../../engine/api/schemas';

export interface DecodedTensor {
  readonly name: string;
  readonly dtype: SnapshotTensorData['dtype'];
  readonly shape: readonly number[];
  /** Row-major values (bools as 0/1). */
  readonly values: Float32Array;
}

/** A tensor's bytes (little-endian, as every platform Engram runs on) as float values. */
export function decodeTensor(t: SnapshotTensorData): DecodedTensor {
  const binary = atob(t.dataBase64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const count = t.shape.reduce((a, b) => a * b, 1);
  const width = t.dtype === 'bool' ? 1 : 4;
  if (bytes.length !== count * width) {
    throw new Error(`tensor ${t.name}: ${bytes.length} bytes do not hold ${t.dtype}[${t.shape.join(', ')}]`);
  }
  const values =
    t.dtype === 'float32'
      ? new Float32Array(bytes.buffer)
      : t.dtype === 'int32'
        ? Float32Array.from(new Int32Array(bytes.buffer))
        : Float32Array.from(bytes);
  return { name: t.name, dtype: t.dtype, shape: t.shape, values };
}

/**
 * The axis of a tensor that indexes the episodes of the batch: the first for memory state and episode
 * tensors, the second for read traces ([K+1, B, …]), none for trained variables (`var/*`).
 */
export function batchAxis(name: string, rank: number): number | null {
  if (name.startsWith('var/') || rank === 0) return null;
  if (name === 'read/iterates' || name === 'read/energies') return rank >= 2 ? 1 : null;
  return 0;
}

/** How many episodes a tensor holds (1 when it has no batch axis). */
export function batchCount(t: Pick<DecodedTensor, 'name' | 'shape'>): number {
  const axis = batchAxis(t.name, t.shape.length);
  return axis === null ? 1 : t.shape[axis]!;
}

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major. */
  readonly values: Float32Array;
  /** What the rows and columns are, e.g. `slots (8)` and `width (16)`, or merged axes. */
  readonly rowTitle: string;
  readonly colTitle: string;
}

/**
 * A tensor as a matrix for episode `batch`: the batch axis is removed, the last axis becomes the
 * columns and every axis before it the rows (a vector is one row, a scalar one cell), so slots × width,
 * a fast-weight matrix, a Kanerva mean or covariance, and stacks of read iterates all show as they are.
 */
export function tensorMatrix(t: DecodedTensor, batch: number): Matrix {
  const axis = batchAxis(t.name, t.shape.length);
  let shape = [...t.shape];
  let values = t.values;
  if (axis !== null) {
    const episodes = shape[axis]!;
    if (!Number.isInteger(batch) || batch < 0 || batch >= episodes) {
      throw new Error(`episode ${batch}: tensor ${t.name} holds episodes 0 to ${episodes - 1}`);
    }
    const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const picked = new Float32Array(outer * inner);
    for (let o = 0; o < outer; o++) picked.set(values.subarray((o * episodes + batch) * inner, (o * episodes + batch + 1) * inner), o * inner);
    values = picked;
    shape = [...shape.slice(0, axis), ...shape.slice(axis + 1)];
  }
  const dims = shape.length === 0 ? [1] : shape;
  const cols = dims[dims.length - 1]!;
  const rows = dims.slice(0, -1).reduce((a, b) => a * b, 1);
  const titles = dims.map((n) => String(n));
  return {
    rows,
    cols,
    values,
    rowTitle: dims.length > 1 ? `rows (${titles.slice(0, -1).join(' × ')})` : 'row',
    colTitle: `columns (${cols})`,
  };
}

/** a − b, for two matrices of the same shape (two steps of a run, or two runs). */
export function matrixDifference(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new Error(`cannot subtract a ${b.rows} × ${b.cols} matrix from a ${a.rows} × ${a.cols} one`);
  }
  return { ...a, values: a.values.map((v, i) => v - b.values[i]!) };
}

export interface MatrixStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

export function matrixStats(m: Pick<Matrix, 'values'>): MatrixStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  for (const v of m.values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    n += 1;
  }
  return { min, max, mean: n ? sum / n : NaN };
}

/** Rows of a matrix as plotly's heatmap wants them (row 0 first). */
export function matrixRows(m: Matrix): number[][] {
  return Array.from({ length: m.rows }, (_, r) => Array.from(m.values.subarray(r * m.cols, (r + 1) * m.cols)));
}

/** How an item of width D is shown: an image, a row of bits, or a row of values. */
export type ItemLayout =
  | { readonly kind: 'image'; readonly height: number; readonly width: number }
  | { readonly kind: 'bits' }
  | { readonly kind: 'values' };

/**
 * Images for image tasks (28 × 28 when the width is 784; the task's `side` when it sets one; a square
 * width on a task named for images), bit rows when every value is ±1 or 0/1, else value rows.
 */
export function itemLayout(run: Pick<RunSummary, 'task' | 'spec'> | null, width: number, sample: ArrayLike<number>): ItemLayout {
  const side = run?.spec.taskConfig['side'];
  if (typeof side === 'number' && side * side === width) return { kind: 'image', height: side, width: side };
  if (width === 784) return { kind: 'image', height: 28, width: 28 };
  const root = Math.round(Math.sqrt(width));
  if (run && /image/.test(run.task) && root * root === width) return { kind: 'image', height: root, width: root };
  let bits = true;
  for (let i = 0; i < sample.length && bits; i++) {
    const v = sample[i]!;
    bits = v === 1 || v === -1 || v === 0;
  }
  return bits ? { kind: 'bits' } : { kind: 'values' };
}

export interface TraceStep {
  readonly label: string;
  readonly values: Float32Array;
  /** The model's energy at this iterate, where it has one. */
  readonly energy: number | null;
}

export interface RetrievalTrace {
  /** Query, then each read iterate, then the result. */
  readonly steps: readonly TraceStep[];
  /** What should have come back, for reference. */
  readonly target: Float32Array | null;
  readonly itemWidth: number;
}

/** Item `[batch, query]` of a [B, Q, D] tensor, or of iterate k of a [K+1, B, Q, D] one. */
function item(t: DecodedTensor, index: readonly number[]): Float32Array {
  const d = t.shape[t.shape.length - 1]!;
  let offset = 0;
  index.forEach((i, axis) => {
    offset = offset * t.shape[axis]! + i;
  });
  return t.values.subarray(offset * d, (offset + 1) * d);
}

/** Queries per episode in the snapshot (0 when it holds no episode). */
export function queryCount(tensors: ReadonlyMap<string, DecodedTensor>): number {
  return tensors.get('episode/queries')?.shape[1] ?? 0;
}

/**
 * The retrieval of query `query` of episode `batch`: the query, every read iterate (`read/iterates`
 * [K+1, B, Q, D], energies from `read/energies` [K+1, B, Q]) and the result; models without iterates
 * show query → result. Null when the snapshot holds no episode.
 */
export function retrievalTrace(tensors: ReadonlyMap<string, DecodedTensor>, batch: number, query: number): RetrievalTrace | null {
  const queries = tensors.get('episode/queries');
  const retrieved = tensors.get('read/retrieved');
  if (!queries || !retrieved || queries.shape.length !== 3) return null;
  const [episodes, count] = [queries.shape[0]!, queries.shape[1]!];
  if (batch < 0 || batch >= episodes) throw new Error(`episode ${batch}: the snapshot holds episodes 0 to ${episodes - 1}`);
  if (query < 0 || query >= count) throw new Error(`query ${query}: the episode has queries 0 to ${count - 1}`);
  const iterates = tensors.get('read/iterates');
  const energies = tensors.get('read/energies');
  const energyAt = (k: number): number | null => (energies && energies.shape.length === 3 ? energies.values[(k * episodes + batch) * count + query]! : null);
  const steps: TraceStep[] = [{ label: 'query', values: item(queries, [batch, query]), energy: null }];
  if (iterates && iterates.shape.length === 4) {
    const k = iterates.shape[0]!;
    for (let i = 0; i < k; i++) steps.push({ label: i === 0 ? 'iterate 0' : `iterate ${i}`, values: item(iterates, [i, batch, query]), energy: energyAt(i) });
  }
  steps.push({ label: 'result', values: item(retrieved, [batch, query]), energy: null });
  const targets = tensors.get('episode/targets');
  const target = targets && targets.shape.length === 3 && targets.shape[2] === retrieved.shape[2] ? item(targets, [batch, query]) : null;
  return { steps, target, itemWidth: retrieved.shape[retrieved.shape.length - 1]! };
}
