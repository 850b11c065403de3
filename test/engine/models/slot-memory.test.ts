// Slot memory: perfect recall while one slot per item is wide enough to hold the item, and degraded
// recall once the budget forces slots narrower than the items (EBMM Table 1's Memory Networks row).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { resolveRunSpec } from '../../../engine/training/run-spec';
import { instantiate, train } from '../../../engine/training/trainer';
import { backendsHere } from '../../helpers/backends';

async function trainedErrorBits(setSize: number): Promise<{ errorBits: number; slotWidth: number }> {
  const spec = resolveRunSpec({
    model: 'slot-memory',
    task: 'binary-recall',
    set: { dim: 32, corruptBits: 12, setSize, budgetFloats: 512, steps: 300, batchSize: 16, learningRate: 3e-3, evalEvery: 0, evalEpisodes: 32 },
    seed: 4,
  });
  const instance = instantiate(spec);
  const outcome = await train(spec, instance, { metrics() {}, snapshot() {}, progress() {}, shouldStop: () => false });
  assert.equal(outcome.status, 'FINISHED', outcome.status === 'FAILED' ? outcome.error : '');
  instance.model.dispose();
  return { errorBits: outcome.metrics.error_bits!, slotWidth: Math.floor(512 / setSize) };
}

describe('SlotMemory', () => {
  before(() => backendsHere());

  it('recalls perfectly while its slots are as wide as the items, and degrades past its budget', async () => {
    const roomy = await trainedErrorBits(8); // 64-float slots for 32-bit items
    const cramped = await trainedErrorBits(64); // 8-float slots for 32-bit items
    assert.ok(roomy.slotWidth >= 32 && cramped.slotWidth < 32);
    assert.ok(roomy.errorBits < 0.5, `8 items in 64-float slots: ${roomy.errorBits} error bits`);
    assert.ok(cramped.errorBits > 3, `64 items in 8-float slots: ${cramped.errorBits} error bits`);
  });
});
