// Tensor helpers shared by models, tasks and the trainer: disposing states and reads, and turning a
// memory state into the plain bytes of a snapshot and back. Engine layer, any process.
import * as tf from '@tensorflow/tfjs';
import type { TensorBytes } from '../api/kernel-protocol';
import type { Episode, MemoryState, ReadResult } from './memory-model';

/**
 * tf.tidy for functions that return records of tensors (states, reads, loss results): every tensor
 * reachable from the result is kept, everything else made inside is freed.
 */
export function tidy<T>(fn: () => T): T {
  return tf.tidy(fn as () => tf.TensorContainer) as T;
}

export function disposeState(state: MemoryState): void {
  for (const t of Object.values(state)) t.dispose();
}

export function disposeEpisode(e: Episode): void {
  e.items.dispose();
  e.queries.dispose();
  e.targets.dispose();
}

export function disposeRead(read: ReadResult): void {
  read.retrieved.dispose();
  read.weights?.dispose();
  read.iterates?.dispose();
  read.energies?.dispose();
}

/** One serialised tensor: little-endian bytes of the given dtype and shape (the snapshot format). */
export type TensorRecord = TensorBytes;
type SnapshotDtype = TensorBytes['dtype'];

/** Serialises tensors (a memory state, variables, a read trace) into records. Syncs with the device. */
export function toRecords(tensors: Readonly<Record<string, tf.Tensor>>): TensorRecord[] {
  return Object.entries(tensors).map(([name, t]) => {
    const dtype = t.dtype as SnapshotDtype;
    if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
      throw new Error(`tensor "${name}" has dtype ${t.dtype}, which snapshots cannot store`);
    }
    const values = t.dataSync();
    const typed =
      dtype === 'float32'
        ? Float32Array.from(values as Float32Array)
        : dtype === 'int32'
          ? Int32Array.from(values as Int32Array)
          : Uint8Array.from(values as Uint8Array);
    return {
      name,
      dtype,
      shape: [...t.shape],
      data: new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength),
    };
  });
}

/** Rebuilds tensors from records; the caller owns them. */
export function fromRecords(records: readonly TensorRecord[]): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const r of records) out[r.name] = tf.tensor(recordValues(r), [...r.shape], r.dtype);
  return out;
}

/** The values of a record as a typed array (copied, so it is aligned whatever the source buffer). */
export function recordValues(r: TensorRecord): Float32Array | Int32Array | Uint8Array {
  const bytes = r.data.slice();
  const size = r.shape.reduce((a, b) => a * b, 1);
  const values =
    r.dtype === 'float32'
      ? new Float32Array(bytes.buffer, 0, bytes.byteLength / 4)
      : r.dtype === 'int32'
        ? new Int32Array(bytes.buffer, 0, bytes.byteLength / 4)
        : new Uint8Array(bytes.buffer, 0, bytes.byteLength);
  if (values.length !== size) {
    throw new Error(`tensor "${r.name}": ${values.length} values do not fill shape [${r.shape.join(', ')}]`);
  }
  return values;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
