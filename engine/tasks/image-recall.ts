/**
 * Image auto-association: store a set of images, recall each from an occluded or noisy copy.
 * The image protocol of EBMM Fig. 3 and reference §19.3 (block occlusion, salt-and-pepper noise).
 * Engine layer; runs in the kernel, the CLI and tests (its dataset loaders read files).
 *
 * An episode writes `setSize` distinct images — from the training images for 'train' episodes,
 * from the held-out images for 'test' ones (the fixed split of datasets/image-dataset.ts) — and
 * queries every one of them once, in a shuffled order, corrupted by one of:
 *   - `block`:       an s×s square at a uniformly random position set to 0 (s = `blockSize`),
 *   - `salt-pepper`: each pixel set to 0 or to 1 with probability p/2 each (p = `noise`).
 * Pixels are `binary` (thresholded at 0.5 before corruption) or `grey` in [0, 1].
 *
 * Metrics, per retrieved image, averaged over queries and episodes:
 *   - binary: `error_bits`, pixels whose thresholded read (≥ 0.5) differs from the target;
 *     with block corruption also `block_error_bits`, those of them inside the occluded square.
 *   - grey: `mse`, the sum over the image's pixels of the squared error (per image, not per
 *     pixel, like EBMM's squared-error axis); with block corruption also `block_mse`, the sum
 *     inside the square.
 * Training loss: binary cross-entropy per pixel (binary) or squared error per pixel (grey).
 */
import * as tf from '@tensorflow/tfjs';
import { auto, choice, ConfigError, int, real, text, type ConfigOf } from '../core/config';
import { defineTask, type Episode, type MetricInfo, type ReadResult, type Task, type TaskSpec } from '../core/memory-model';
import type { Rng } from '../core/random';
import { DatasetError, loadIdx } from './datasets/idx';
import { builtinMnist, splitDataset, type DatasetSplit, type ImageDataset } from './datasets/image-dataset';
import { loadPngFolder, resizeDataset } from './datasets/png-folder';

const fields = {
  dataset: choice(['mnist', 'idx', 'png-folder'] as const, 'mnist', 'built-in MNIST digits, an IDX images file, or a folder alphabet/character/*.png'),
  path: text('', 'for idx: the images file (…-images-idx3-ubyte[.gz]; labels beside it are used); for png-folder: the root folder'),
  ink: choice(['dark', 'light'] as const, 'dark', 'png-folder: which pixels are foreground (1): dark strokes on white (Omniglot) or light on dark'),
  side: auto('resize every image to side × side by area averaging (null: keep the dataset\'s size)', { min: 2, max: 256, integer: true }),
  pixels: choice(['binary', 'grey'] as const, 'binary', 'binary: thresholded at 0.5; grey: intensities in [0, 1]'),
  setSize: int(16, 'images stored per episode (N)', { min: 1, max: 1024 }),
  corruption: choice(['block', 'salt-pepper'] as const, 'block', 'how queries are corrupted'),
  blockSize: auto('side s of the occluded square (null: half the image side, 14 for 28×28)', { min: 1, integer: true }),
  noise: real(0.2, 'salt-pepper: probability p that a pixel is replaced (by 0 or 1, p/2 each)', { min: 0, max: 1 }),
};

export type ImageRecallConfig = ConfigOf<typeof fields>;

/** An episode that also knows where each query's block was, for the in-block metrics. */
export interface ImageEpisode extends Episode {
  /** 1 inside the occluded square of each query, else 0. Plain bytes, so it owns no tensor. */
  readonly blockMask: Uint8Array | null; // [B, Q, D]
}

const OWNER = 'task image-recall';
const datasetCache = new Map<string, { ds: ImageDataset; split: DatasetSplit }>();

/** Loads (once per process) the dataset the config names, with its fixed train/test split. */
export function loadImageDataset(config: ImageRecallConfig): { ds: ImageDataset; split: DatasetSplit } {
  const key = JSON.stringify([config.dataset, config.path, config.ink, config.side]);
  const cached = datasetCache.get(key);
  if (cached) return cached;
  if (config.dataset !== 'mnist' && config.path.trim() === '') {
    throw new ConfigError(OWNER, 'path', config.path, `the path of the ${config.dataset === 'idx' ? 'IDX images file' : 'image folder'} (dataset ${config.dataset})`);
  }
  let ds: ImageDataset;
  try {
    ds =
      config.dataset === 'mnist'
        ? builtinMnist()
        : config.dataset === 'idx'
          ? loadIdx(config.path)
          : loadPngFolder(config.path, { ink: config.ink, size: config.side === null ? null : { height: config.side, width: config.side } });
  } catch (err) {
    if (err instanceof DatasetError) {
      throw new ConfigError(OWNER, 'path', config.path, `a readable ${config.dataset} dataset (${err.message})`);
    }
    throw err;
  }
  if (config.side !== null) ds = resizeDataset(ds, config.side, config.side);
  const entry = { ds, split: splitDataset(ds) };
  datasetCache.set(key, entry);
  return entry;
}

export class ImageRecall implements Task {
  readonly id = 'image-recall';
  readonly spec: TaskSpec;
  readonly metrics: readonly MetricInfo[];
  readonly blockSize: number;
  private readonly ds: ImageDataset;
  private readonly split: DatasetSplit;

  constructor(readonly config: ImageRecallConfig) {
    const { ds, split } = loadImageDataset(config);
    this.ds = ds;
    this.split = split;
    const side = Math.min(ds.height, ds.width);
    this.blockSize = config.blockSize ?? Math.floor(side / 2);
    if (this.blockSize > side) {
      throw new ConfigError(OWNER, 'blockSize', config.blockSize, `null or an integer ≤ the image side (${side})`);
    }
    for (const part of ['train', 'test'] as const) {
      if (split[part].length < config.setSize) {
        throw new ConfigError(OWNER, 'setSize', config.setSize, `an integer ≤ the ${split[part].length} ${part} images of ${ds.name}`);
      }
    }
    const d = ds.height * ds.width;
    this.spec = {
      inputDim: d,
      outputDim: d,
      output: 'image',
      autoassociative: true,
      sequential: false,
      setSize: config.setSize,
      queries: config.setSize,
      image: { height: ds.height, width: ds.width, channels: 1 },
    };
    const binary = config.pixels === 'binary';
    const block = config.corruption === 'block';
    this.metrics = [
      binary
        ? { name: 'error_bits', goal: 'min', description: 'pixels per image whose thresholded read differs from the target' }
        : { name: 'mse', goal: 'min', description: 'sum over an image\'s pixels of the squared error' },
      ...(block
        ? [
            binary
              ? { name: 'block_error_bits', goal: 'min' as const, description: 'wrong pixels per image inside the occluded square' }
              : { name: 'block_mse', goal: 'min' as const, description: 'squared error per image summed inside the occluded square' },
          ]
        : []),
    ];
  }

  sample(rng: Rng, batchSize: number, split: 'train' | 'test'): ImageEpisode {
    const { setSize } = this.config;
    const pool = this.split[split];
    const d = this.spec.inputDim;
    const items = new Float32Array(batchSize * setSize * d);
    const queries = new Float32Array(items.length);
    const targets = new Float32Array(items.length);
    const blockMask = this.config.corruption === 'block' ? new Uint8Array(items.length) : null;
    for (let b = 0; b < batchSize; b++) {
      const chosen = distinct(rng, pool.length, setSize);
      for (let n = 0; n < setSize; n++) {
        const image = this.ds.pixels.subarray(pool[chosen[n]!]! * d, (pool[chosen[n]!]! + 1) * d);
        const at = (b * setSize + n) * d;
        for (let i = 0; i < d; i++) items[at + i] = this.config.pixels === 'binary' ? (image[i]! >= 0.5 ? 1 : 0) : image[i]!;
      }
      const order = rng.permutation(setSize);
      for (let q = 0; q < setSize; q++) {
        const from = (b * setSize + order[q]!) * d;
        const at = (b * setSize + q) * d;
        targets.set(items.subarray(from, from + d), at);
        queries.set(items.subarray(from, from + d), at);
        this.corrupt(queries.subarray(at, at + d), blockMask?.subarray(at, at + d) ?? null, rng);
      }
    }
    const shape: [number, number, number] = [batchSize, setSize, d];
    return { items: tf.tensor3d(items, shape), queries: tf.tensor3d(queries, shape), targets: tf.tensor3d(targets, shape), blockMask };
  }

  loss(retrieved: tf.Tensor, targets: tf.Tensor): tf.Scalar {
    return tf.tidy(() => {
      if (this.config.pixels === 'grey') return tf.losses.meanSquaredError(targets, retrieved) as tf.Scalar;
      // Cross-entropy on probabilities: the models here end in a sigmoid, which is clipped so that a
      // saturated pixel cannot give log(0).
      const p = retrieved.clipByValue(1e-6, 1 - 1e-6);
      return targets.mul(p.log()).add(tf.scalar(1).sub(targets).mul(tf.scalar(1).sub(p).log())).mean().neg() as tf.Scalar;
    });
  }

  score(episode: Episode, read: ReadResult): Record<string, number> {
    const mask = (episode as Partial<ImageEpisode>).blockMask ?? null;
    return tf.tidy(() => {
      const perPixel =
        this.config.pixels === 'binary'
          ? tf.notEqual(tf.greaterEqual(read.retrieved, 0.5), tf.greaterEqual(episode.targets, 0.5)).cast('float32') // [B, Q, D]
          : read.retrieved.sub(episode.targets).square(); // [B, Q, D]
      const name = this.config.pixels === 'binary' ? 'error_bits' : 'mse';
      const out: Record<string, number> = { [name]: perPixel.sum(-1).mean().dataSync()[0]! };
      if (mask) {
        const inside = perPixel.mul(tf.tensor(mask, perPixel.shape, 'float32')); // [B, Q, D]
        out[`block_${name}`] = inside.sum(-1).mean().dataSync()[0]!;
      }
      return out;
    });
  }

  /** Corrupts one image in place; marks the occluded pixels in `mask` for block corruption. */
  private corrupt(x: Float32Array, mask: Uint8Array | null, rng: Rng): void {
    const { height, width } = this.ds;
    if (this.config.corruption === 'salt-pepper') {
      const p = this.config.noise;
      for (let i = 0; i < x.length; i++) {
        const u = rng.uniform();
        if (u < p / 2) x[i] = 0;
        else if (u < p) x[i] = 1;
      }
      return;
    }
    const s = this.blockSize;
    const top = rng.int(height - s + 1);
    const left = rng.int(width - s + 1);
    for (let r = top; r < top + s; r++) {
      for (let c = left; c < left + s; c++) {
        x[r * width + c] = 0;
        mask![r * width + c] = 1;
      }
    }
  }
}

/** k distinct indices from [0, n), without building an n-long pool when k ≪ n. */
function distinct(rng: Rng, n: number, k: number): number[] {
  if (2 * k > n) return rng.choose(n, k);
  const seen = new Set<number>();
  const out: number[] = [];
  while (out.length < k) {
    const i = rng.int(n);
    if (!seen.has(i)) {
      seen.add(i);
      out.push(i);
    }
  }
  return out;
}

export const imageRecall = defineTask({
  id: 'image-recall',
  title: 'Image recall',
  summary: 'Store a set of images (MNIST, IDX files or a PNG folder); recall each from an occluded or noisy copy.',
  fields,
  create: (config) => new ImageRecall(config),
});
