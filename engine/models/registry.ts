// Every memory model Engram offers, by id. The CLI, the kernel's `lab` API, the UI's model picker and
// the contract tests all read this list. Engine layer, any process.
import { ConfigError } from '../core/config';
import type { ModelDescriptor } from '../core/memory-model';
import { bloomFilter } from './bloom-filter';
import { dynamicKanerva } from './dynamic-kanerva';
import { ebmm, ebmmConv, ebmmFc } from './ebmm';
import { hopfield } from './hopfield';
import { kanervaMachine } from './kanerva-machine';
import { modernHopfield } from './modern-hopfield';
import { fastWeights } from './fast-weights';
import { lstm } from './lstm';
import { neuralBloomFilter } from './neural-bloom-filter';
import { plasticity } from './plasticity';
import { slotMemory } from './slot-memory';

export const models: readonly ModelDescriptor[] = [slotMemory, hopfield, modernHopfield, kanervaMachine, dynamicKanerva, lstm, fastWeights, plasticity, ebmm, ebmmFc, ebmmConv, neuralBloomFilter, bloomFilter];

/** The model with this id, or a ConfigError that lists the ids there are. */
export function findModel(id: string) {
  const found = models.find((x) => x.id === id);
  if (!found) throw new ConfigError('run', 'model', id, models.map((x) => x.id).join(' | '));
  return found;
}
