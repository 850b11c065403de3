// Where outputs are drawn: the progress of a run (`run-<id>` for training, `eval-<id>` for an
// evaluation, as the kernel keys them) sits inside that run's card when the cell shows one, so a cell
// that starts many runs shows one line per run. Pure. Renderer process.
import type { CellOutput } from '../../engine/api/notebook';

const RUN_PROGRESS = /^(?:run|eval)-(\d+)$/;

/** Progress outputs that belong to a run card of the same list: progress index → card index. */
export function progressOwners(outputs: readonly CellOutput[]): Map<number, number> {
  const cards = new Map<number, number>();
  outputs.forEach((o, i) => {
    if (o.type === 'run' && !cards.has(o.runId)) cards.set(o.runId, i);
  });
  const owners = new Map<number, number>();
  outputs.forEach((o, i) => {
    const runId = o.type === 'progress' ? RUN_PROGRESS.exec(o.key)?.[1] : undefined;
    const card = runId === undefined ? undefined : cards.get(Number(runId));
    if (card !== undefined) owners.set(i, card);
  });
  return owners;
}
