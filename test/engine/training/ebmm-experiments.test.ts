// The EBMM experiment functions at toy sizes: every cell measured, the paper's numbers beside ours,
// the read dynamics reported, progress told, and a trained-once table read at other set sizes.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resolveRunSpec } from '../../../engine/training/run-spec';
import { ebmmBinaryTable, ebmmImageTable, ebmmThroughput, ebmmThroughputTable, energyTrace, type EbmmExperimentEntry } from '../../../engine/training/ebmm-experiments';
import { instantiate } from '../../../engine/training/trainer';
import { backendsHere } from '../../helpers/backends';

const tinyEbmm: EbmmExperimentEntry = {
  label: 'EBMM',
  model: 'ebmm',
  modelConfig: { hidden: 5, hops: 2, writeSteps: 1, readSteps: 2 },
  training: { steps: 2, batchSize: 2, optimizer: 'adam', learningRate: 1e-3, clipNorm: null },
};
const tinySlots = [{ id: 'slot-memory', label: 'Slot memory', model: 'slot-memory', training: { steps: 2, batchSize: 2 } }];
// 7-bit patterns, 2 erased; the budget gives EBMM a Linear(7 → 2) memory and the slots 3 floats each at N = 5.
const protocol = { task: { dim: 7, corruptBits: 2 }, budgetFloats: 17, setSizes: [3, 5], episodes: 4 } as const;

describe('EBMM experiments', () => {
  before(async () => {
    await backendsHere();
  });

  it('measures EBMM and every baseline at every set size, with the read dynamics and the paper\'s numbers', async () => {
    const updates: number[] = [];
    const result = await ebmmBinaryTable({ ...protocol, ebmm: tinyEbmm, baselines: tinySlots, onProgress: ({ done }) => updates.push(done) });
    assert.ok(result.complete);
    assert.deepEqual(
      result.rows.map((r) => `${r.model}@${r.setSize}`),
      ['EBMM@3', 'EBMM@5', 'Slot memory@3', 'Slot memory@5'],
    );
    for (const r of result.rows) {
      assert.ok(r.errorBits !== null && r.errorBits >= 0 && r.errorBits <= 7, `${r.model}: ${r.errorBits}`);
      assert.equal(r.paper, null, 'no paper column at these set sizes');
    }
    const ebmmRow = result.rows[0]!;
    assert.equal(ebmmRow.memoryFloats, 16);
    assert.equal(ebmmRow.errorByStep!.length, 3);
    assert.equal(ebmmRow.energy!.meanEnergy.length, 3);
    assert.match(result.markdown, /\| EBMM \| 16 \|/);
    assert.match(result.markdown, /error bits by read step/);
    assert.ok(updates.length > 0 && updates.every((d, i) => i === 0 || d >= updates[i - 1]!), 'progress only moves forward');
  });

  it('reads a model trained at one set size at every set size', async () => {
    const result = await ebmmBinaryTable({ ...protocol, ebmm: tinyEbmm, baselines: [], trainAt: 5 });
    assert.deepEqual(
      result.rows.map((r) => `${r.setSize}:${r.steps}`),
      ['3:2', '5:2'],
    );
    assert.match(result.rows[0]!.model, /trained at N = 5/);
  });

  it("shows the paper's number beside EBMM's only for the paper's 128-bit patterns", async () => {
    // Budgets that give EBMM a two-unit writable layer at either width.
    const at = (dim: number) =>
      ebmmBinaryTable({ task: { dim, corruptBits: dim / 2 }, budgetFloats: 2 * (dim + 1) + 1, setSizes: [16], episodes: 2, ebmm: tinyEbmm, baselines: [] });
    const paperWidth = await at(128);
    assert.equal(paperWidth.rows[0]!.paper, 0, 'EBMM Table 1 has 0.0 error bits at N = 16');
    assert.match(paperWidth.markdown, /Error bits out of 128 .*EBMM Table 1/);
    const narrower = await at(8);
    assert.equal(narrower.rows[0]!.paper, null);
    assert.match(narrower.markdown, /Error bits out of 8 after reading/);
    assert.doesNotMatch(narrower.markdown, /Table 1|\(0\)/);
  });

  it('names the cause of a baseline cell that failed, under the table', async () => {
    const broken = [{ id: 'hopfield-nope', label: 'Hopfield, nope', model: 'hopfield', modelConfig: { rule: 'nope' } }];
    const result = await ebmmBinaryTable({ ...protocol, setSizes: [3], ebmm: { ...tinyEbmm, training: { ...tinyEbmm.training, steps: 0 } }, baselines: broken });
    const row = result.rows.find((r) => r.model === 'Hopfield, nope')!;
    assert.equal(row.errorBits, null);
    assert.match(row.error!, /field "rule" got "nope"/);
    assert.match(result.markdown, /\| Hopfield, nope \| — \| failed \|/);
    assert.match(result.markdown, /Failed cells:\n- Hopfield, nope, N = 3: .*field "rule" got "nope"/);
  });

  it('records EBMM and the baselines as runs, EBMM ending with its held-out score and its read curve', async () => {
    const ended: { model: string; metrics: Record<string, number>; curveKeys: string[] }[] = [];
    await ebmmBinaryTable({
      ...protocol,
      setSizes: [5],
      ebmm: tinyEbmm,
      baselines: tinySlots,
      record: ({ spec }) => {
        const keys = new Set<string>();
        return {
          sink: { metrics: (points) => points.forEach((p) => keys.add(p.key)), snapshot: () => {}, progress: () => {} },
          end: (_outcome, metrics) => ended.push({ model: spec.model, metrics: { ...metrics }, curveKeys: [...keys].filter((k) => k.startsWith('read_iteration/')).sort() }),
        };
      },
    });
    assert.deepEqual(ended.map((e) => e.model), ['ebmm', 'slot-memory']);
    const ebmmRun = ended[0]!;
    assert.ok(ebmmRun.metrics.test_error_bits! >= 0 && ebmmRun.metrics.test_error_bits! <= 7, JSON.stringify(ebmmRun.metrics));
    assert.deepEqual(ebmmRun.curveKeys, ['read_iteration/energy', 'read_iteration/error_bits']);
  });

  it('tables image recall at every budget, with EBMM\'s read from the occluded query on, and records the runs', async () => {
    const reported: Record<string, number>[] = [];
    const result = await ebmmImageTable({
      budgets: [20, 40],
      task: { setSize: 3, side: 12 },
      episodes: 4,
      entries: [
        {
          label: 'EBMM FC',
          model: 'ebmm-fc',
          modelConfig: { channels: 2, code: 5, hidden: 7, readout: 3, hops: 2, writeSteps: 2, readSteps: 3 },
          training: { steps: 2, batchSize: 2, optimizer: 'adam', learningRate: 1e-3, clipNorm: null },
        },
        { label: 'Slot memory', model: 'slot-memory', training: { steps: 2, batchSize: 2 } },
      ],
      record: () => ({ sink: { metrics() {}, snapshot() {}, progress() {} }, end: (_o, metrics) => reported.push({ ...metrics }) }),
    });
    assert.ok(result.complete);
    assert.deepEqual(result.rows.map((r) => `${r.model}@${r.budgetFloats}:${r.memoryFloats}`), ['EBMM FC@20:18', 'Slot memory@20:18', 'EBMM FC@40:36', 'Slot memory@40:39']);
    const ebmmRows = result.rows.filter((r) => r.errorByStep);
    assert.equal(ebmmRows.length, 2);
    for (const r of ebmmRows) assert.equal(r.errorByStep!.length, 4, 'the query and three read steps');
    // Step 0 is the occluded query, the same at every budget; the last step is what the table reports.
    assert.equal(ebmmRows[0]!.errorByStep![0], ebmmRows[1]!.errorByStep![0]);
    assert.ok(Math.abs(ebmmRows[0]!.errorByStep![3]! - ebmmRows[0]!.metrics.error_bits!) < 1e-6);
    assert.match(result.markdown, /error_bits by read step \(0: the occluded query\)/);
    assert.equal(reported.length, 4, 'every trained run ends with its held-out metrics');
    assert.ok(reported.every((m) => typeof m.test_error_bits === 'number'));
  });

  it('refuses a trainAt that is neither "each" nor a set size, naming the field', async () => {
    await assert.rejects(
      ebmmBinaryTable({ ...protocol, ebmm: tinyEbmm, baselines: [], trainAt: 'all' as never }),
      /field "trainAt" got "all"; allowed: "each"/,
    );
  });

  it('reports an energy per read iterate and the share of reads whose energy never rose', () => {
    const spec = resolveRunSpec({
      model: 'ebmm',
      task: 'binary-recall',
      set: { 'task.dim': 7, 'task.setSize': 3, 'task.corruptBits': 2, budgetFloats: 17, hidden: 5, hops: 2, readSteps: 4, readStepInit: 1e-3 },
    });
    const instance = instantiate(spec);
    const before = tf.memory().numTensors;
    const trace = energyTrace(instance, { episodes: 3, seed: 0, batchSize: 2 });
    assert.equal(tf.memory().numTensors, before, 'energyTrace leaks no tensor');
    assert.equal(trace.meanEnergy.length, 5);
    // Tiny steps are plain descent: the energy falls at every step for every query.
    assert.equal(trace.monotoneFraction, 1);
    instance.model.dispose();
  });

  it('times meta-training steps on the current backend', async () => {
    const entry = { ...tinyEbmm, modelConfig: { ...tinyEbmm.modelConfig, budgetFloats: 17 } };
    const row = await ebmmThroughput({ entry, task: 'binary-recall', taskConfig: { dim: 7, setSize: 3, corruptBits: 2 }, warmupSteps: 1, timedSteps: 2 });
    assert.equal(row.backend, tf.getBackend());
    assert.equal(row.batchSize, 2);
    assert.ok(row.msPerStep > 0 && Math.abs(row.episodesPerSecond - 2000 / row.msPerStep) < 1e-9);
  });

  it('tables the CPU-scale EBMM\'s speed with the exact and the first-order meta-gradient', async () => {
    const table = await ebmmThroughputTable({ setSize: 2, warmupSteps: 1, timedSteps: 1 });
    assert.deepEqual(
      table.rows.map((r) => `${r.model} N=${r.setSize} B=${r.batchSize} ${r.metaGradient}`),
      ['ebmm N=2 B=4 exact', 'ebmm N=2 B=4 first-order'],
    );
    assert.match(table.markdown, /\| meta-gradient \|[^\n]*\| episodes \/ s \|/);
  });
});
