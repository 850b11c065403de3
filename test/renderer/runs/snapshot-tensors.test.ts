// The memory inspector's arithmetic: decoding snapshot tensors, matrices per episode, differences,
// item layouts and retrieval traces. Distinct small sizes (2, 3, 5, 7) so that swapped axes fail.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SnapshotTensorData } from '../../../engine/api/figure';
import {
  batchCount,
  decodeTensor,
  itemLayout,
  matrixDifference,
  matrixStats,
  retrievalTrace,
  tensorMatrix,
  type DecodedTensor,
} from '../../../renderer/runs/snapshot-tensors';
import { runSummary } from '../../helpers/run-summary';

function wire(name: string, shape: number[], values: number[], dtype: SnapshotTensorData['dtype'] = 'float32'): SnapshotTensorData {
  const bytes = dtype === 'float32' ? new Uint8Array(Float32Array.from(values).buffer) : dtype === 'int32' ? new Uint8Array(Int32Array.from(values).buffer) : Uint8Array.from(values);
  return { name, dtype, shape, dataBase64: Buffer.from(bytes).toString('base64') };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const tensor = (name: string, shape: number[], values = range(shape.reduce((a, b) => a * b, 1))): DecodedTensor => decodeTensor(wire(name, shape, values));

describe('decodeTensor()', () => {
  it('decodes float32, int32 and bool bytes, and refuses bytes that do not fit the shape', () => {
    assert.deepEqual(Array.from(decodeTensor(wire('a', [2], [1.5, -2])).values), [1.5, -2]);
    assert.deepEqual(Array.from(decodeTensor(wire('b', [3], [7, -1, 0], 'int32')).values), [7, -1, 0]);
    assert.deepEqual(Array.from(decodeTensor(wire('c', [2], [1, 0], 'bool')).values), [1, 0]);
    assert.throws(() => decodeTensor({ ...wire('d', [2], [1, 2]), shape: [3] }), /tensor d: 8 bytes do not hold float32\[3\]/);
  });
});

describe('tensorMatrix()', () => {
  it('takes one episode of a [B, N, S] memory as N × S', () => {
    const slots = tensor('state/slots', [2, 3, 5]);
    assert.equal(batchCount(slots), 2);
    const m = tensorMatrix(slots, 1);
    assert.deepEqual([m.rows, m.cols], [3, 5]);
    assert.deepEqual(Array.from(m.values), range(15).map((v) => v + 15));
  });

  it('merges leading axes into rows, keeps a vector as one row and a scalar per episode as one cell', () => {
    const m = tensorMatrix(tensor('state/w', [2, 3, 5, 7]), 0);
    assert.deepEqual([m.rows, m.cols, m.rowTitle], [15, 7, 'rows (3 × 5)']);
    assert.deepEqual(Object.values(tensorMatrix(tensor('state/h', [2, 7]), 1)).slice(0, 2), [1, 7]);
    const count = tensorMatrix(tensor('state/count', [3], [5, 6, 7]), 2);
    assert.deepEqual([count.rows, count.cols, Array.from(count.values)], [1, 1, [7]]);
  });

  it('finds the batch on the second axis of read iterates, and none in trained variables', () => {
    const it = tensor('read/iterates', [3, 2, 5, 7]);
    assert.equal(batchCount(it), 2);
    const m = tensorMatrix(it, 1);
    assert.deepEqual([m.rows, m.cols], [15, 7]);
    assert.equal(m.values[0], 35); // iterate 0, episode 1
    assert.equal(m.values[35], 105); // iterate 1, episode 1
    const v = tensorMatrix(tensor('var/W', [3, 5]), 0);
    assert.deepEqual([v.rows, v.cols], [3, 5]);
    assert.throws(() => tensorMatrix(it, 2), /episode 2: tensor read\/iterates holds episodes 0 to 1/);
  });

  it('subtracts matrices of the same shape only', () => {
    const a = tensorMatrix(tensor('state/m', [1, 2, 3], [1, 2, 3, 4, 5, 6]), 0);
    const b = tensorMatrix(tensor('state/m', [1, 2, 3], [1, 1, 1, 1, 1, 1]), 0);
    const d = matrixDifference(a, b);
    assert.deepEqual(Array.from(d.values), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(matrixStats(d), { min: 0, max: 5, mean: 2.5 });
    assert.throws(() => matrixDifference(a, tensorMatrix(tensor('state/m', [1, 3, 2]), 0)), /cannot subtract a 3 × 2 matrix from a 2 × 3 one/);
  });
});

describe('itemLayout()', () => {
  it('shows 784-wide items as 28 × 28 images, a task side when set, ±1 items as bits, others as values', () => {
    assert.deepEqual(itemLayout(null, 784, []), { kind: 'image', height: 28, width: 28 });
    assert.deepEqual(itemLayout(runSummary({ id: 1, task: 'image-recall', taskConfig: { side: 7 } }), 49, []), { kind: 'image', height: 7, width: 7 });
    assert.deepEqual(itemLayout(runSummary({ id: 1 }), 49, [1, -1, 1]), { kind: 'bits' });
    assert.deepEqual(itemLayout(runSummary({ id: 1 }), 3, [0.5, -1, 1]), { kind: 'values' });
  });
});

describe('retrievalTrace()', () => {
  const D = 5;
  const base = (extra: DecodedTensor[]) =>
    new Map(
      [
        tensor('episode/queries', [2, 3, D]),
        tensor('episode/targets', [2, 3, D], range(30).map((v) => -v)),
        tensor('read/retrieved', [2, 3, D], range(30).map((v) => v + 100)),
        ...extra,
      ].map((t) => [t.name, t]),
    );

  it('follows a query through every read iterate to the result, with energies', () => {
    const K1 = 3;
    const trace = retrievalTrace(
      base([tensor('read/iterates', [K1, 2, 3, D], range(K1 * 30).map((v) => v + 1000)), tensor('read/energies', [K1, 2, 3], range(K1 * 6).map((v) => -v))]),
      1,
      2,
    )!;
    assert.deepEqual(trace.steps.map((s) => s.label), ['query', 'iterate 0', 'iterate 1', 'iterate 2', 'result']);
    assert.deepEqual(Array.from(trace.steps[0]!.values), range(5).map((v) => v + 25));
    // iterate 1, episode 1, query 2: offset ((1·2 + 1)·3 + 2)·5 = 55.
    assert.deepEqual(Array.from(trace.steps[2]!.values), range(5).map((v) => v + 1055));
    assert.deepEqual(trace.steps.map((s) => s.energy), [null, -5, -11, -17, null]);
    assert.deepEqual(Array.from(trace.steps[4]!.values), range(5).map((v) => v + 125));
    assert.deepEqual(Array.from(trace.target!), range(5).map((v) => -(v + 25)));
  });

  it('shows query → result for models without iterates, and nothing without an episode', () => {
    const trace = retrievalTrace(base([]), 0, 0)!;
    assert.deepEqual(trace.steps.map((s) => s.label), ['query', 'result']);
    assert.equal(retrievalTrace(new Map(), 0, 0), null);
    assert.throws(() => retrievalTrace(base([]), 0, 3), /query 3: the episode has queries 0 to 2/);
  });
});
