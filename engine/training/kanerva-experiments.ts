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

export interface ReadIterationOptions extends ExperimentControl {
  readonly steps?: number;
  readonly episodes?: number;
  readonly iterations?: number;
  /** Read iterations the training loss averages over (the model's trainIterations; 1: the paper's one-shot training). */
  readonly trainIterations?: number;
  readonly corruption?: 'salt-pepper' | 'block';
  readonly noiseStd?: number;
  readonly seed?: number;
}

export interface ReadIterationRow {
  readonly iteration: number;
  readonly errorBits: number;
}

/**
 * The dynamic Kanerva Machine on MNIST with salt-and-pepper noise: the denoising error after each read
 * iteration (0 = the corrupted query). The curve is recorded on the trained run as
 * `read_iteration/<metric>` points, the iteration as the step.
 */
export async function dynamicKanervaReadTable(options: ReadIterationOptions = {}): Promise<ExperimentResult<ReadIterationRow>> {
  const steps = options.steps ?? 600;
  const run = await trainToEnd(
    {
      model: 'dynamic-kanerva',
      task: 'image-recall',
      set: {
        budgetFloats: 4224,
        hidden: 256,
        noiseStd: options.noiseStd ?? 1,
        setSize: 16,
        corruption: options.corruption ?? 'salt-pepper',
        noise: 0.2,
        iterations: options.iterations ?? 8,
        trainIterations: options.trainIterations ?? 1,
        steps,
        batchSize: 8,
        evalEvery: 0,
        evalEpisodes: 8,
      },
      seed: options.seed ?? 1,
    },
    (step) => options.onProgress?.({ done: step, total: steps, label: 'dynamic kanerva machine' }),
    options,
  );
  if (!run) return readResult([], false);
  const curve = readIterationCurve(run.instance, { episodes: options.episodes ?? 64, seed: run.spec.seed, batchSize: 16 });
  const rows = curve.map((c) => ({ iteration: c.iteration, errorBits: c.metrics.error_bits! }));
  const best = rows.reduce((a, b) => (b.errorBits < a.errorBits ? b : a));
  run.report({ best_read_iteration: best.iteration, best_error_bits: best.errorBits }, iterationCurvePoints(curve));
  run.instance.model.dispose();
  return readResult(rows, true);
}

function readResult(rows: readonly ReadIterationRow[], complete: boolean): ExperimentResult<ReadIterationRow> {
  const markdown = markdownTable<ReadIterationRow>(
    [
      { key: 'iteration', title: 'read iteration' },
      { key: 'errorBits', title: 'error_bits', format: fixed(2) },
    ],
    rows,
  );
  return { rows, markdown, complete };
}
