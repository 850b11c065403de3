// Loads image datasets stored as IDX files (MNIST, Fashion-MNIST, gzip-compressed or not) into an
// ImageDataset. Engine layer; reads files, so it uses node:fs and node:zlib (allowed for loaders).
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ImageDataset } from './image-dataset';

/** The contents of one IDX file: its dimensions and its unsigned bytes. */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/** A file that cannot be read as the dataset it should hold; the message names the path. */
export class DatasetError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'DatasetError';
  }
}

const UNSIGNED_BYTE = 0x08;

/**
 * Parses IDX bytes (gunzipping them first when they start with the gzip magic). Only unsigned-byte
 * data is accepted: it is what MNIST-style image and label files hold.
 */
export function parseIdx(bytes: Uint8Array, path: string): IdxArray {
  let raw = bytes;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      raw = new Uint8Array(gunzipSync(raw));
    } catch (err) {
      throw new DatasetError(path, `looks gzip-compressed but does not decompress (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0) throw new DatasetError(path, 'is not an IDX file (no 0x0000 magic)');
  if (raw[2] !== UNSIGNED_BYTE) throw new DatasetError(path, `holds IDX data type 0x${raw[2]!.toString(16)}; only unsigned bytes (0x08) are supported`);
  const rank = raw[3]!;
  const header = 4 + 4 * rank;
  if (raw.length < header) throw new DatasetError(path, `is truncated inside its header (${raw.length} bytes)`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (raw.length - header < size) {
    throw new DatasetError(path, `declares dimensions [${dims.join(', ')}] (${size} bytes) but holds ${raw.length - header}`);
  }
  return { dims, data: raw.subarray(header, header + size) };
}

function readBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(path, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code ?? String(err)})`);
  }
}

/** Where the labels of an MNIST-style images file live: "…-images-idx3-ubyte[.gz]" → "…-labels-idx1-ubyte[.gz]". */
export function labelsPathFor(imagesPath: string): string | null {
  const guess = imagesPath.replace(/images-idx3-ubyte/, 'labels-idx1-ubyte');
  return guess !== imagesPath && existsSync(guess) ? guess : null;
}

/**
 * Loads an IDX images file [count, height, width] with pixels scaled to [0, 1]. Labels come from
 * `labelsPath`, or from the MNIST-named labels file beside the images when there is one; without
 * labels every image is class 0.
 */
export function loadIdx(imagesPath: string, labelsPath: string | null = labelsPathFor(imagesPath)): ImageDataset {
  const images = parseIdx(readBytes(imagesPath), imagesPath);
  if (images.dims.length !== 3) throw new DatasetError(imagesPath, `holds a rank-${images.dims.length} array; images need rank 3 [count, height, width]`);
  const [count, height, width] = images.dims as [number, number, number];
  let labels = new Uint8Array(count);
  if (labelsPath !== null) {
    const parsed = parseIdx(readBytes(labelsPath), labelsPath);
    if (parsed.dims.length !== 1 || parsed.dims[0] !== count) {
      throw new DatasetError(labelsPath, `holds labels of shape [${parsed.dims.join(', ')}], the images need [${count}]`);
    }
    labels = Uint8Array.from(parsed.data);
  }
  const pixels = new Float32Array(count * height * width);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i]! / 255;
  const classes = labels.reduce((m, l) => Math.max(m, l + 1), 1);
  return { name: `idx ${basename(imagesPath)}`, height, width, count, classes, labels, pixels };
}
