// The contracts every memory model and every task implements. Engine layer: runs in the kernel
// process, the CLI and tests; knows nothing of Electron, SQLite, HTTP or the DOM.
import type * as tf from '@tensorflow/tfjs';
import type { ConfigOf, Fields } from './config';
import type { Rng } from './random';

/**
 * How a task's read outputs are to be understood and scored.
 * - `bipolar`: items in {−1,+1}^D (0 marks an erased bit); outputs are reals scored by their sign.
 * - `image`: items are pixels in [0,1]; outputs are pixels in [0,1].
 * - `class`: outputs are logits over `outputDim` classes; targets are one-hot.
 * - `familiarity`: one logit per query, "was this item written?"; targets are 0/1.
 */
export type OutputKind = 'bipolar' | 'image' | 'class' | 'familiarity';

/** What a task asks of a model: the shapes and meaning of what is written, queried and returned. */
export interface TaskSpec {
  /** Width of one written item and of one query (D_in). */
  readonly inputDim: number;
  /** Width of one read output (D_out). */
  readonly outputDim: number;
  readonly output: OutputKind;
  /** Queries are corrupted copies of written items and the target is the clean item. */
  readonly autoassociative: boolean;
  /** Items form a sequence whose order carries meaning (associative recall, pattern completion). */
  readonly sequential: boolean;
  /** Items written per episode (N) and queries read per episode (Q). */
  readonly setSize: number;
  readonly queries: number;
  /** Geometry of image items, for convolutional models and for drawing. */
  readonly image?: { readonly height: number; readonly width: number; readonly channels: number };
}

/** One episode: a set (or sequence) to write, queries to read, and what the reads should return. */
export interface Episode {
  readonly items: tf.Tensor; // [B, N, D_in]
  readonly queries: tf.Tensor; // [B, Q, D_in]
  readonly targets: tf.Tensor; // [B, Q, D_out]
}

/**
 * A memory state: named tensors, never mutated. A snapshot is exactly this record serialised,
 * so anything the inspector should show belongs here.
 */
export type MemoryState = Readonly<Record<string, tf.Tensor>>;

/** The result of reading: the retrieval and, where the model has them, the how. */
export interface ReadResult {
  readonly retrieved: tf.Tensor; // [B, Q, D_out]
  /** Addressing weights over slots or rows. */
  readonly weights?: tf.Tensor; // [B, Q, N]
  /** Every read iterate, the query first and the result last. */
  readonly iterates?: tf.Tensor; // [K+1, B, Q, D_out]
  /** Energy of every iterate, for models that descend an energy. */
  readonly energies?: tf.Tensor; // [K+1, B, Q]
}

/** A training loss with its named terms, so each term can be plotted. */
export interface LossResult {
  readonly total: tf.Scalar;
  readonly terms: Readonly<Record<string, tf.Scalar>>;
  readonly read: ReadResult;
}

/** The citation a model file opens with, shown in `engram models` and the UI. */
export interface Paper {
  readonly title: string;
  readonly authors: string;
  readonly year: number;
  readonly url: string;
}

/**
 * A memory model bound to one config and one task spec.
 *
 * Tensor ownership: every method returns fresh tensors that the caller owns and must dispose
 * (`disposeState`, `disposeRead`); no method disposes or mutates its arguments.
 */
export interface MemoryModel<S extends MemoryState = MemoryState> {
  readonly id: string;
  readonly spec: TaskSpec;
  /** Empty memory, or the learned prior, for a batch of B episodes. */
  initialState(batchSize: number): S;
  /** Writes items [B, N, D_in] and returns the new state; `state` is left untouched. */
  write(state: S, items: tf.Tensor): S;
  /** Reads queries [B, Q, D_in] from a state. */
  read(state: S, queries: tf.Tensor): ReadResult;
  /** The meta-training loss of one episode (write from the initial state, then read). */
  loss(episode: Episode, task: Task): LossResult;
  /**
   * The slow parameters that meta-training learns, by stable name (the names key checkpoints);
   * empty for models that learn nothing.
   */
  variables(): Readonly<Record<string, tf.Variable>>;
  /** Floats of fast state a write changes, per episode, counted as in the EBMM paper. */
  memoryFloats(): number;
  /** Storage in bits for space accounting (default: memoryFloats at 32 bits per float). */
  memoryBits?(): number;
  /** Frees the model's variables. */
  dispose(): void;
}

/** Which split an episode comes from: training episodes or held-out evaluation episodes. */
export type Split = 'train' | 'test';

/** Whether larger or smaller values of a metric are better. */
export interface MetricInfo {
  readonly name: string;
  readonly goal: 'min' | 'max';
  readonly description: string;
}

/** A task bound to one config: a seeded episode generator with its loss and metrics. */
export interface Task {
  readonly id: string;
  readonly spec: TaskSpec;
  readonly metrics: readonly MetricInfo[];
  /** A batch of B episodes; the caller owns the tensors. */
  sample(rng: Rng, batchSize: number, split: Split): Episode;
  /** The differentiable training loss of retrieved outputs against targets. */
  loss(retrieved: tf.Tensor, targets: tf.Tensor): tf.Scalar;
  /** Metrics of one batch of episodes, averaged over episodes and queries. */
  score(episode: Episode, read: ReadResult, model: MemoryModel): Record<string, number>;
}

/** The registry entry of a model: its fields, its paper, and how to build it for a task. */
export interface ModelDescriptor<F extends Fields = Fields> {
  readonly id: string;
  readonly title: string;
  /** One line: what the model is. */
  readonly summary: string;
  readonly paper: Paper;
  readonly fields: F;
  /** Whether the model has slow parameters to meta-train (false: evaluate only). */
  readonly learned: boolean;
  /** Trainer settings this model's paper recommends (learning rate, clipping), overriding the trainer's defaults. */
  readonly trainingDefaults?: Readonly<Record<string, unknown>>;
  /** Null when the model can serve the task, else the reason it cannot. */
  supports(spec: TaskSpec): string | null;
  create(config: ConfigOf<F>, spec: TaskSpec, rng: Rng): MemoryModel;
  /**
   * A small task and config the model serves, with distinct sizes so swapped axes show; the contract
   * tests and the UI's "try it" use it.
   */
  readonly example: ModelExample;
}

/** A small, fast configuration of a model on one of its tasks. */
export interface ModelExample {
  readonly task: string;
  readonly taskConfig: Readonly<Record<string, unknown>>;
  readonly modelConfig: Readonly<Record<string, unknown>>;
}

/** The registry entry of a task. */
export interface TaskDescriptor<F extends Fields = Fields> {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly fields: F;
  create(config: ConfigOf<F>): Task;
}

/** Widens a descriptor's field type for storage in a heterogeneous registry. */
export function defineModel<F extends Fields>(d: ModelDescriptor<F>): ModelDescriptor {
  return d as unknown as ModelDescriptor;
}

export function defineTask<F extends Fields>(d: TaskDescriptor<F>): TaskDescriptor {
  return d as unknown as TaskDescriptor;
}
