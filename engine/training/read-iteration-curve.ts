// Error after each read iteration (0 = the corrupted query itself) on held-out episodes, for models
// whose reads return their iterates (dynamic Kanerva, Hopfield, modern Hopfield). Engine layer; runs
// in the kernel, the CLI and scripts.
import { runEpisode } from '../core/episode';
import { deriveSeed, Rng } from '../core/random';
import { disposeEpisode, disposeRead, disposeState, tidy } from '../core/tensors';
import type { Instance, MetricPoint } from './trainer';

/** The task's metrics after `iteration` read iterations. */
export interface IterationScore {
  readonly iteration: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * Scores every read iterate on `episodes` held-out episodes (the evaluation episodes of `seed`, as
 * `evaluate` draws them). The number of iterations is the model's own (its config); a read that
 * stopped early (a Hopfield fixed point) counts as its last iterate for the iterations after.
 */
export function readIterationCurve(
  instance: Instance,
  options: { episodes: number; seed: number; batchSize: number },
): IterationScore[] {
  const { model, task } = instance;
  const rng = new Rng(deriveSeed(options.seed, 'eval'));
  // Per batch: its size and its scores after each of its iterates.
  const batches: { size: number; scores: Record<string, number>[] }[] = [];
  let done = 0;
  while (done < options.episodes) {
    const batch = Math.min(options.batchSize, options.episodes - done);
    const episode = task.sample(rng, batch, 'test');
    const { state, read } = tidy(() => runEpisode(model, episode));
    try {
      if (!read.iterates) throw new Error(`model ${model.id} returns no read iterates`);
      const iterates = read.iterates.unstack();
      batches.push({ size: batch, scores: iterates.map((retrieved) => task.score(episode, { retrieved }, model)) });
      iterates.forEach((t) => t.dispose());
    } finally {
      disposeEpisode(episode);
      disposeState(state);
      disposeRead(read);
    }
    done += batch;
  }
  const length = Math.max(...batches.map((b) => b.scores.length));
  return Array.from({ length }, (_, iteration) => {
    const sums: Record<string, number> = {};
    for (const { size, scores } of batches) {
      for (const [name, v] of Object.entries(scores[Math.min(iteration, scores.length - 1)]!)) sums[name] = (sums[name] ?? 0) + v * size;
    }
    return { iteration, metrics: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / options.episodes])) };
  });
}

/** The curve as metric points `read_iteration/<metric>` with the iteration as the step, to store as a run. */
export function iterationCurvePoints(curve: readonly IterationScore[], wallTimeMs = Date.now()): MetricPoint[] {
  return curve.flatMap(({ iteration, metrics }) =>
    Object.entries(metrics).map(([name, value]) => ({ key: `read_iteration/${name}`, step: iteration, value, wallTimeMs })),
  );
}
