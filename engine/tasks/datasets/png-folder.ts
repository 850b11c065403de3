// Loads a folder of PNG images in the Omniglot layout (root/alphabet/character/*.png, one class per
// character) into an ImageDataset, and resizes datasets by area averaging. Engine layer; reads
// files, so it uses node:fs (allowed for loaders).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PNG } from 'pngjs';
import { DatasetError } from './idx';
import type { ImageDataset } from './image-dataset';

/** Which pixels are the foreground (value 1): dark strokes on white (Omniglot) or light on dark (MNIST). */
export type Ink = 'dark' | 'light';

export interface PngFolderOptions {
  readonly ink?: Ink;
  /** Resize every image to this height and width by area averaging (default: keep their size). */
  readonly size?: { readonly height: number; readonly width: number } | null;
}

function subfolders(path: string): string[] {
  return readdirSync(path)
    .filter((name) => statSync(join(path, name)).isDirectory())
    .sort();
}

/** Grey level in [0, 1] of every pixel of a decoded RGBA PNG, composited over white. */
function luminance(png: PNG): Float32Array {
  const out = new Float32Array(png.width * png.height);
  for (let i = 0; i < out.length; i++) {
    const [r, g, b, a] = [png.data[4 * i]!, png.data[4 * i + 1]!, png.data[4 * i + 2]!, png.data[4 * i + 3]! / 255];
    const grey = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    out[i] = grey * a + (1 - a);
  }
  return out;
}

/**
 * Loads root/alphabet/character/*.png. Labels number the characters in sorted order (alphabet, then
 * character); every image must have the same size unless `size` resizes them.
 */
export function loadPngFolder(root: string, options: PngFolderOptions = {}): ImageDataset {
  const ink = options.ink ?? 'dark';
  let alphabets: string[];
  try {
    if (!statSync(root).isDirectory()) throw new DatasetError(root, 'is a file; expected a folder of alphabet/character/*.png');
    alphabets = subfolders(root);
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(root, code === 'ENOENT' ? 'no such folder' : `cannot be read (${code ?? String(err)})`);
  }
  const files: { path: string; label: number }[] = [];
  let label = 0;
  for (const alphabet of alphabets) {
    for (const character of subfolders(join(root, alphabet))) {
      const dir = join(root, alphabet, character);
      const pngs = readdirSync(dir)
        .filter((f) => f.toLowerCase().endsWith('.png'))
        .sort();
      if (pngs.length === 0) continue;
      for (const f of pngs) files.push({ path: join(dir, f), label });
      label += 1;
    }
  }
  if (files.length === 0) throw new DatasetError(root, 'holds no PNG images in the layout alphabet/character/*.png');
  let height = 0;
  let width = 0;
  const images: Float32Array[] = [];
  for (const file of files) {
    let png: PNG;
    try {
      png = PNG.sync.read(readFileSync(file.path));
    } catch (err) {
      throw new DatasetError(file.path, `is not a readable PNG (${err instanceof Error ? err.message : String(err)})`);
    }
    let grey = luminance(png);
    if (ink === 'dark') grey = grey.map((v) => 1 - v);
    const target = options.size ?? { height: images.length ? height : png.height, width: images.length ? width : png.width };
    if (!options.size && (png.height !== target.height || png.width !== target.width)) {
      throw new DatasetError(file.path, `is ${png.width}×${png.height}, the first image ${target.width}×${target.height}; resize them to one size`);
    }
    images.push(options.size ? resizeArea(grey, png.height, png.width, target.height, target.width) : grey);
    height = target.height;
    width = target.width;
  }
  const pixels = new Float32Array(images.length * height * width);
  images.forEach((img, i) => pixels.set(img, i * height * width));
  return {
    name: `png folder ${basename(root)}`,
    height,
    width,
    count: images.length,
    // ImageDataset labels are bytes: past 256 characters (Omniglot has 1 623) labels wrap, so the
    // fixed split then runs per group of characters sharing a label rather than per character.
    classes: Math.min(label, 256),
    labels: Uint8Array.from(files.map((f) => f.label % 256)),
    pixels,
  };
}

/** Overlap weights of every output cell with every input cell along one axis of length `from` → `to`. */
function areaWeights(from: number, to: number): { start: number; weights: number[] }[] {
  const scale = from / to;
  return Array.from({ length: to }, (_, o) => {
    const lo = o * scale;
    const hi = (o + 1) * scale;
    const start = Math.floor(lo);
    const weights: number[] = [];
    for (let i = start; i < Math.min(from, Math.ceil(hi)); i++) weights.push((Math.min(hi, i + 1) - Math.max(lo, i)) / scale);
    return { start, weights };
  });
}

/** Resizes one row-major image by area averaging (each output pixel is the mean of the input area it covers). */
export function resizeArea(image: Float32Array, height: number, width: number, toHeight: number, toWidth: number): Float32Array {
  const rows = areaWeights(height, toHeight);
  const cols = areaWeights(width, toWidth);
  const out = new Float32Array(toHeight * toWidth);
  rows.forEach((r, y) => {
    cols.forEach((c, x) => {
      let s = 0;
      r.weights.forEach((wr, i) => c.weights.forEach((wc, j) => (s += wr * wc * image[(r.start + i) * width + c.start + j]!)));
      out[y * toWidth + x] = s;
    });
  });
  return out;
}

/** A dataset with every image resized to height × width by area averaging. */
export function resizeDataset(ds: ImageDataset, height: number, width: number): ImageDataset {
  if (ds.height === height && ds.width === width) return ds;
  const size = ds.height * ds.width;
  const pixels = new Float32Array(ds.count * height * width);
  for (let i = 0; i < ds.count; i++) {
    pixels.set(resizeArea(ds.pixels.subarray(i * size, (i + 1) * size), ds.height, ds.width, height, width), i * height * width);
  }
  return { ...ds, name: `${ds.name} at ${width}×${height}`, height, width, pixels };
}
