// One episode, the same for training, evaluation and the memory inspector: write the items from
// the initial state, then read the queries. Engine layer, any process.
import type { Episode, LossResult, MemoryModel, MemoryState, ReadResult, Task } from './memory-model';
import { disposeState, tidy } from './tensors';

/** Writes an episode's items and reads its queries; the caller owns the returned state and read. */
export function runEpisode(model: MemoryModel, episode: Episode): { state: MemoryState; read: ReadResult } {
  const initial = model.initialState(episode.items.shape[0]!);
  const state = model.write(initial, episode.items);
  disposeState(initial);
  const read = model.read(state, episode.queries);
  return { state, read };
}

/** The plain meta-training loss: the task's reconstruction loss of one written-then-read episode. */
export function reconstructionLoss(model: MemoryModel, episode: Episode, task: Task): LossResult {
  return tidy(() => {
    const { read } = runEpisode(model, episode);
    const reconstruction = task.loss(read.retrieved, episode.targets);
    return { total: reconstruction, terms: { reconstruction }, read };
  });
}
