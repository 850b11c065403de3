// The Kanerva machines' reference checks as experiments: the Kanerva Machine against the same
// encoder/decoder without memory on MNIST, and the dynamic Kanerva Machine's denoising error after
// each attractor read iteration. Engine layer; runs in the CLI and scripts.
import { fixed, markdownTable, trainToEnd, type ExperimentControl, type ExperimentResult } from './experiment-table';
import { iterationCurvePoints, readIterationCurve } from './read-iteration-curve';
import { evaluate } from './trainer';

export interface KanervaAblationOptions extends ExperimentControl {
  readonly steps?: number;
  readonly episodes?: number;
  /** Observation noise σ_ξ of the memory (0.1 by default; DeepMind's code uses 1). */
  readonly noiseStd?: number;
  readonly seed?: number;
}

export interface KanervaAblationRow {
  readonly memory: 'bayesian' | 'none';
  readonly memoryFloats: number;
  readonly errorBits: number;
  readonly blockErrorBits: number;
  readonly steps: number;
}

/**
 * MNIST (binary, 16 images per episode, a 14×14 block occluded): the Kanerva Machine at 4,224 memory
 * floats against its own encoder/decoder with the memory removed, on held-out episodes.
 */
export async function kanervaAblationTable(options: KanervaAblationOptions = {}): Promise<ExperimentResult<KanervaAblationRow>> {
  const steps = options.steps ?? 1000;
  const episodes = options.episodes ?? 64;
  const rows: KanervaAblationRow[] = [];
  const variants = ['bayesian', 'none'] as const;
  for (const [i, memory] of variants.entries()) {
    const run = await trainToEnd(
      {
        model: 'kanerva-machine',
        task: 'image-recall',
        set: {
          memory,
          budgetFloats: 4224,
          hidden: 256,
          noiseStd: options.noiseStd ?? 0.1,
          setSize: 16,
          corruption: 'block',
          steps,
          batchSize: 8,
          evalEvery: 0,
          evalEpisodes: 8,
        },
        seed: options.seed ?? 1,
      },
      (step) => options.onProgress?.({ done: i * steps + step, total: variants.length * steps, label: `kanerva machine, memory ${memory}` }),
      options,
    );
    if (!run) return ablationResult(rows, false);
    const metrics = evaluate(run.instance, { episodes, seed: run.spec.seed, batchSize: 16 });
    rows.push({ memory, memoryFloats: run.instance.memoryFloats, errorBits: metrics.error_bits!, blockErrorBits: metrics.block_error_bits!, steps });
    run.report({ test_error_bits: metrics.error_bits!, test_block_error_bits: metrics.block_error_bits! });
    run.instance.model.dispose();
  }
  return ablationResult(rows, true);
}

function ablationResult(rows: readonly KanervaAblationRow[], complete: boolean): ExperimentResult<KanervaAblationRow> {
  const markdown = markdownTable<KanervaAblationRow>(
    [
      { key: 'memory', title: 'memory' },
      { key: 'memoryFloats', title: 'memory floats' },
      { key: 'errorBits', title: 'error_bits', format: fixed(1) },
      { key: 'blockErrorBits', title: 'error bits in the block', format: fixed(1) },
      { key: 'steps', title: 'steps' },
    ],
    rows,
  );
  return { rows, markdown, complete };
}

export type ImageCorruption = 'salt-pepper' | 'block';

export interface ReadIterationOptions extends ExperimentControl {
  readonly steps?: number;
  readonly episodes?: number;
  readonly iterations?: number;
  /** Read iterations the training loss averages over (the model's trainIterations; 1: the paper's one-shot training). */
  readonly trainIterations?: number;
  /** Weight of the paper's term, the written items read back (the model's storedWeight). */
  readonly storedWeight?: number;
  /** One trained run per corruption, each tested on queries corrupted the way it was trained. */
  readonly corruptions?: readonly ImageCorruption[];
  readonly noiseStd?: number;
  readonly seed?: number;
}

/** Error bits after `iteration` reads, per corruption (absent for a corruption not run). */
export interface ReadIterationRow {
  readonly iteration: number;
  readonly 'salt-pepper'?: number;
  readonly block?: number;
}

/**
 * The dynamic Kanerva Machine on MNIST: the error after each read iteration (0 = the corrupted
 * query) with salt-and-pepper noise (p = 0.2) and with a 14×14 block occluded, one trained run each.
 * Every curve is recorded on its run as `read_iteration/<metric>` points, the iteration as the step.
 */
export async function dynamicKanervaReadTable(options: ReadIterationOptions = {}): Promise<ExperimentResult<ReadIterationRow>> {
  const steps = options.steps ?? 2000;
  const corruptions = options.corruptions ?? ['salt-pepper', 'block'];
  const curves: { corruption: ImageCorruption; errorBits: number[] }[] = [];
  for (const [i, corruption] of corruptions.entries()) {
    const run = await trainToEnd(
      {
        model: 'dynamic-kanerva',
        task: 'image-recall',
        set: {
          budgetFloats: 4224,
          hidden: 256,
          noiseStd: options.noiseStd ?? 1,
          setSize: 16,
          corruption,
          noise: 0.2,
          iterations: options.iterations ?? 8,
          trainIterations: options.trainIterations ?? 1,
          ...(options.storedWeight === undefined ? {} : { storedWeight: options.storedWeight }),
          steps,
          batchSize: 8,
          evalEvery: 0,
          evalEpisodes: 8,
        },
        seed: options.seed ?? 1,
      },
      (step) => options.onProgress?.({ done: i * steps + step, total: corruptions.length * steps, label: `dynamic kanerva machine, ${corruption}` }),
      options,
    );
    if (!run) return readResult(corruptions, curves, false);
    const curve = readIterationCurve(run.instance, { episodes: options.episodes ?? 64, seed: run.spec.seed, batchSize: 16 });
    const errorBits = curve.map((c) => c.metrics.error_bits!);
    const best = errorBits.indexOf(Math.min(...errorBits));
    run.report({ best_read_iteration: best, best_error_bits: errorBits[best]! }, iterationCurvePoints(curve));
    run.instance.model.dispose();
    curves.push({ corruption, errorBits });
  }
  return readResult(corruptions, curves, true);
}

function readResult(
  corruptions: readonly ImageCorruption[],
  curves: readonly { corruption: ImageCorruption; errorBits: readonly number[] }[],
  complete: boolean,
): ExperimentResult<ReadIterationRow> {
  const length = Math.max(0, ...curves.map((c) => c.errorBits.length));
  const rows: ReadIterationRow[] = Array.from({ length }, (_, iteration) => ({
    iteration,
    ...Object.fromEntries(curves.map((c) => [c.corruption, c.errorBits[iteration]])),
  }));
  const titles: Record<ImageCorruption, string> = { 'salt-pepper': 'error_bits, salt-and-pepper 0.2', block: 'error_bits, 14×14 block' };
  const markdown = markdownTable<ReadIterationRow>(
    [{ key: 'iteration', title: 'read iteration' }, ...corruptions.map((key) => ({ key, title: titles[key], format: fixed(2) }))],
    rows,
  );
  return { rows, markdown, complete };
}
