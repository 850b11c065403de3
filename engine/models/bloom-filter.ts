/**
 * Bloom filter — the classical approximate-membership structure, the baseline of the Neural Bloom Filter.
 *
 * Bloom. "Space/time trade-offs in hash coding with allowable errors." CACM 13(7), 1970.
 * https://doi.org/10.1145/362686.362692 — hashing by Kirsch, Mitzenmacher, "Less hashing, same
 * performance: building a better Bloom filter", ESA 2006. Engram reference §11.1 and §18.
 *
 * Idea: an array of m bits and k hash functions. Writing an item sets the k bits it hashes to; a query
 * answers "maybe present" when all of its k bits are set. A stored item always finds its bits set, so
 * there are no false negatives, ever; a non-member passes only when other items happen to have set
 * all of its bits, which gives the false-positive rate (4). Nothing is learned: the filter knows
 * nothing about the distribution of items, which is why it wins on unstructured sets and loses on
 * structured ones.
 *
 * Symbols (B batch, n items written, m bits, k hashes):
 *   | paper   | code          | shape   |
 *   | bits    | bits          | [B, m]  | bool
 *   | h1, h2  | murmur3(x, seed1), murmur3(x, seed2) | 32-bit hashes of the item's bytes (h2 made odd)
 *   | k       | hashes        | —       |
 *
 * Equations:
 *   (1) g_i(x) = fmix32(h1(x) + i · h2(x) mod 2³²) mod m,  i = 0 … k−1   (double hashing, Kirsch–Mitzenmacher)
 *   (2) write: bits[g_i(x)] ← 1 for every i
 *   (3) read: "maybe present" ⇔ bits[g_i(x)] = 1 for every i
 *   (4) FPR ≈ (1 − e^{−kn/m})^k;  optimal k = (m/n) ln 2;  m/n for a target FPR ε: −ln ε / (ln 2)² = 1.44 log₂(1/ε)
 *
 * Double hashing modulo m itself (g_i = h1 + i·h2 mod m) collapses when h2 shares a large factor with
 * a composite m: at m = 480, k = 7 about 3 % of items probe fewer than 7 distinct bits, which measured
 * 1.38 % FPR where the formula says 1.00 %. Stepping in the 32-bit domain with an odd h2 keeps the k
 * pre-images distinct, and MurmurHash3's finaliser spreads them before the reduction mod m.
 *
 * An item is the little-endian bytes of its float32 vector, so equal items hash equally. The hash
 * seeds come from the run's generator, so a seed picks one member of the hash family. The read is a
 * familiarity logit: +1 for "maybe present", −1 for "absent" (only its sign means anything).
 *
 * Memory: m = ⌈bitsPerItem · n⌉ bits (memoryBits); memoryFloats reports m / 32.
 */
import * as tf from '@tensorflow/tfjs';
import { auto, real, type ConfigOf } from '../core/config';
import { reconstructionLoss } from '../core/episode';
import { defineModel, type Episode, type MemoryModel, type ReadResult, type Task, type TaskSpec } from '../core/memory-model';
import type { Rng } from '../core/random';

/** m/n of a Bloom filter with optimal k whose false-positive rate is `fpr`: −ln ε / (ln 2)². */
export function bloomBitsPerItem(fpr: number): number {
  return -Math.log(fpr) / (Math.LN2 * Math.LN2);
}

/** The optimal number of hashes for m/n bits per item, (m/n) ln 2, rounded and at least 1. */
export function optimalHashes(bitsPerItem: number): number {
  return Math.max(1, Math.round(bitsPerItem * Math.LN2));
}

/** (4) The expected false-positive rate of m bits, n items and k hashes. */
export function bloomFalsePositiveRate(m: number, n: number, k: number): number {
  return Math.pow(1 - Math.exp((-k * n) / m), k);
}

/** MurmurHash3 x86 32-bit (Appleby) of a byte string. */
export function murmur3(bytes: Uint8Array, seed: number): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = bytes.length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const j = i << 2;
    let k = bytes[j]! | (bytes[j + 1]! << 8) | (bytes[j + 2]! << 16) | (bytes[j + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks << 2;
  const rest = bytes.length & 3;
  if (rest > 0) {
    let k = bytes[tail]!;
    if (rest >= 2) k ^= bytes[tail + 1]! << 8;
    if (rest === 3) k ^= bytes[tail + 2]! << 16;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  return fmix32((h ^ bytes.length) >>> 0);
}

/** MurmurHash3's finaliser: a bijection of 32-bit integers in which every input bit flips every output bit with probability ~½. */
export function fmix32(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** (1) A member of the double-hashing family: the k bit indices in [0, m) of a byte string. */
export class BloomHashes {
  private readonly indices: Uint32Array;

  constructor(
    readonly m: number,
    readonly k: number,
    readonly seeds: readonly [number, number],
  ) {
    this.indices = new Uint32Array(k);
  }

  /** The k indices of an item; the returned array is reused by the next call. */
  of(bytes: Uint8Array): Uint32Array {
    const h1 = murmur3(bytes, this.seeds[0]);
    // An odd h2 makes h1 + i·h2 distinct mod 2³² for every i < k.
    const h2 = murmur3(bytes, this.seeds[1]) | 1;
    for (let i = 0; i < this.k; i++) this.indices[i] = fmix32((h1 + Math.imul(i, h2)) >>> 0) % this.m;
    return this.indices;
  }
}

/** A Bloom filter over byte strings, its m bits packed eight to a byte. */
export class BloomBits {
  readonly bits: Uint8Array;

  constructor(readonly hashes: BloomHashes) {
    this.bits = new Uint8Array(Math.ceil(hashes.m / 8));
  }

  /** (2) Sets the item's bits. */
  add(bytes: Uint8Array): void {
    for (const i of this.hashes.of(bytes)) this.bits[i >>> 3]! |= 1 << (i & 7);
  }

  /** (3) Whether the item may be present (false: it is certainly absent). */
  has(bytes: Uint8Array): boolean {
    for (const i of this.hashes.of(bytes)) if ((this.bits[i >>> 3]! & (1 << (i & 7))) === 0) return false;
    return true;
  }
}

const fields = {
  bitsPerItem: real(bloomBitsPerItem(0.01), 'bits per stored item m/n (default: the optimal size for 1 % FPR, 9.585)', {
    min: 0.01,
  }),
  hashes: auto('hash functions k; null: optimal, round((m/n) ln 2)', { min: 1, max: 64, integer: true }),
};

export type BloomFilterConfig = ConfigOf<typeof fields>;

/** The memory: the bit array of every episode, one byte per bit in the tensor. */
export type BloomFilterState = {
  readonly bits: tf.Tensor; // [B, m] bool
};

export class BloomFilter implements MemoryModel<BloomFilterState> {
  readonly id = 'bloom-filter';
  /** Bits m and hashes k. */
  readonly m: number;
  readonly k: number;
  private readonly hashes: BloomHashes;

  constructor(
    readonly config: BloomFilterConfig,
    readonly spec: TaskSpec,
    rng: Rng,
  ) {
    this.m = Math.max(1, Math.ceil(config.bitsPerItem * spec.setSize));
    this.k = config.hashes ?? optimalHashes(this.m / spec.setSize);
    this.hashes = new BloomHashes(this.m, this.k, [rng.nextUint32(), rng.nextUint32()]);
  }

  initialState(batchSize: number): BloomFilterState {
    return { bits: tf.zeros([batchSize, this.m], 'bool') };
  }

  write(state: BloomFilterState, items: tf.Tensor): BloomFilterState {
    const [batch, n, d] = items.shape as [number, number, number];
    const bits = Uint8Array.from(state.bits.dataSync() as Uint8Array); // [B·m], one byte per bit
    const values = Float32Array.from(items.dataSync()); // [B·n·d]
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < n; i++) {
        for (const j of this.hashes.of(itemBytes(values, (b * n + i) * d, d))) bits[b * this.m + j] = 1; // (2)
      }
    }
    return { bits: tf.tensor2d(bits, [batch, this.m], 'bool') };
  }

  read(state: BloomFilterState, queries: tf.Tensor): ReadResult {
    const [batch, q, d] = queries.shape as [number, number, number];
    const bits = state.bits.dataSync() as Uint8Array; // [B·m]
    const values = Float32Array.from(queries.dataSync()); // [B·Q·d]
    const logits = new Float32Array(batch * q);
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < q; j++) {
        let present = true;
        for (const i of this.hashes.of(itemBytes(values, (b * q + j) * d, d))) present &&= bits[b * this.m + i] === 1; // (3)
        logits[b * q + j] = present ? 1 : -1;
      }
    }
    return { retrieved: tf.tensor3d(logits, [batch, q, 1]) }; // [B, Q, 1]
  }

  loss(episode: Episode, task: Task) {
    return reconstructionLoss(this, episode, task);
  }

  variables(): Readonly<Record<string, tf.Variable>> {
    return {};
  }

  memoryFloats(): number {
    return this.m / 32;
  }

  memoryBits(): number {
    return this.m;
  }

  dispose(): void {}
}

/** The little-endian bytes of d float32 values starting at `offset`. */
function itemBytes(values: Float32Array, offset: number, d: number): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset + offset * 4, d * 4);
}

export const bloomFilter = defineModel({
  id: 'bloom-filter',
  title: 'Bloom filter (classical)',
  summary: 'm bits, k double-hashed MurmurHash3 indices per item; no false negatives, FPR ≈ (1 − e^(−kn/m))^k.',
  paper: {
    title: 'Space/time trade-offs in hash coding with allowable errors',
    authors: 'Bloom',
    year: 1970,
    url: 'https://doi.org/10.1145/362686.362692',
  },
  fields,
  learned: false,
  supports: (spec) => (spec.output === 'familiarity' ? null : 'a Bloom filter answers membership queries (familiarity output)'),
  create: (config, spec, rng) => new BloomFilter(config, spec, rng),
  example: { task: 'set-membership', taskConfig: { sampler: 'strings', setSize: 7, queries: 6 }, modelConfig: { bitsPerItem: 5 } },
});
