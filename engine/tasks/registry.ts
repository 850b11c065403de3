// Every task Engram offers, by id: seeded episode generators shared by training, evaluation and the
// UI. Engine layer, any process.
import { ConfigError } from '../core/config';
import type { TaskDescriptor } from '../core/memory-model';
import { associativeRecall } from './associative-recall';
import { binaryRecall } from './binary-recall';
import { imageRecall } from './image-recall';
import { patternCompletion } from './pattern-completion';
import { setMembership } from './set-membership';

export const tasks: readonly TaskDescriptor[] = [binaryRecall, associativeRecall, patternCompletion, imageRecall, setMembership];

/** The task with this id, or a ConfigError that lists the ids there are. */
export function findTask(id: string) {
  const found = tasks.find((x) => x.id === id);
  if (!found) throw new ConfigError('run', 'task', id, tasks.map((x) => x.id).join(' | '));
  return found;
}
