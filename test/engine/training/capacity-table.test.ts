// The EBMM Table 1 runner at a tiny scale: rows and cells, paper numbers beside ours, training of
// learned rows, failed cells and stopping.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectBackend } from '../../../engine/backend/select';
import { capacityTable, paperTable1, type CapacityProgress } from '../../../engine/training/capacity-table';

describe('capacityTable', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('evaluates untrained rows at each set size and shows the paper\'s numbers beside them', async () => {
    const progress: CapacityProgress[] = [];
    const table = await capacityTable({
      entries: [{ id: 'hopfield-pinv', label: 'PI', model: 'hopfield', modelConfig: { rule: 'pinv' } }],
      setSizes: [16, 20],
      episodes: 3,
      onProgress: (p) => progress.push(p),
    });
    const [row] = table.rows;
    assert.deepEqual(row!.cells.map((c) => c.setSize), [16, 20]);
    assert.ok(row!.cells.every((c) => c.errorBits !== null && c.errorBits >= 0 && c.memoryFloats === 8256 && c.trainSteps === 0));
    assert.match(table.markdown, /\| PI \| 8256 \| \d+\.\d \(0\) \| \d+\.\d \|/, 'paper value at 16, none at 20');
    assert.deepEqual(progress.filter((p) => p.phase === 'done').map((p) => [p.cell, p.cells]), [[1, 2], [2, 2]]);
    assert.equal(paperTable1['hopfield-pinv']!.errorBits[0], 0);
  });

  it('gives a model with a budgetFloats field the table\'s budget, trains learned rows, and reports failed cells', async () => {
    const progress: CapacityProgress[] = [];
    const table = await capacityTable({
      entries: [
        { id: 'slot-memory', label: 'slots', model: 'slot-memory', training: { steps: 2, batchSize: 2 } },
        { id: 'mh', label: 'modern', model: 'modern-hopfield' },
      ],
      dim: 12,
      corruptBits: 3,
      setSizes: [3, 5],
      budgetFloats: 4,
      episodes: 2,
      onProgress: (p) => progress.push(p),
    });
    const [slots, modern] = table.rows;
    assert.deepEqual(slots!.cells.map((c) => c.trainSteps), [2, 0]);
    assert.equal(slots!.cells[0]!.memoryFloats, 3, '⌊4 / 3⌋ floats per slot × 3 slots');
    assert.match(slots!.cells[1]!.error ?? '', /budgetFloats/, 'a budget below the set size fails the cell');
    assert.ok(progress.some((p) => p.entry === 'slot-memory' && p.phase === 'train' && p.step === 2));
    assert.equal(modern!.cells[0]!.memoryFloats, 3);
    assert.match(table.markdown, /Failed cells:\n- slots, N = 5: .*budgetFloats/);
  });

  it('ends a recorded run as FAILED, with the reason, when its cell fails after the run was opened', async () => {
    const endings: string[] = [];
    const table = await capacityTable({
      entries: [{ id: 'h', label: 'h', model: 'hopfield' }],
      dim: 8,
      corruptBits: 2,
      setSizes: [2],
      episodes: 1,
      record: () => ({
        sink: {
          metrics: () => {},
          progress: () => {},
          snapshot: () => {
            throw new Error('the lab book is busy');
          },
        },
        end: (outcome) => endings.push(outcome.status === 'FAILED' ? `FAILED: ${outcome.error}` : outcome.status),
      }),
    });
    assert.deepEqual(endings, ['FAILED: the lab book is busy']);
    assert.equal(table.rows[0]!.cells[0]!.error, 'the lab book is busy');
  });

  it('stops between cells when asked', async () => {
    let cells = 0;
    const table = await capacityTable({
      entries: [{ id: 'h', label: 'h', model: 'hopfield' }],
      dim: 8,
      corruptBits: 2,
      setSizes: [1, 2, 3],
      episodes: 1,
      onProgress: (p) => (cells = p.phase === 'done' ? cells + 1 : cells),
      shouldStop: () => cells >= 1,
    });
    assert.equal(table.stopped, true);
    assert.equal(table.rows[0]!.cells.length, 1);
  });
});
