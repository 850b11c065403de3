// Every memory model Engram offers, by id. The CLI, the kernel's `lab` API, the UI's model picker and
// the contract tests all read this list. Engine layer, any process.
import { ConfigError } from '../core/config';
import type { ModelDescriptor } from '../core/memory-model';
import { slotMemory } from './slot-memory';

export const models: readonly ModelDescriptor[] = [slotMemory];

/** The model with this id, or a ConfigError that lists the ids there are. */
export function findModel(id: string) {
  const found = models.find((x) => x.id === id);
  if (!found) throw new ConfigError('run', 'model', id, models.map((x) => x.id).join(' | '));
  return found;
}
