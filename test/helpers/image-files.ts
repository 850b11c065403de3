// Small image files for dataset and task tests: IDX bytes made in memory.

/** IDX bytes of unsigned-byte data with the given dimensions (big-endian header, as MNIST's). */
export function idxBytes(dims: readonly number[], data: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out.set([0, 0, 0x08, dims.length]);
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
