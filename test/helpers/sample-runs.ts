// A lab book filled in a fraction of a second with runs as training would leave them (metric series,
// final evaluations, memory snapshots), for the runs views and figure exports to be tested against
// without training anything. Written through LabStore directly.
import type { TensorBytes } from '../../engine/api/kernel-protocol';
import type { RunId, RunSpecData } from '../../engine/api/schemas';
import { LabStore } from '../../engine/lab/store/lab-store';

export interface SampleRun {
  readonly id: RunId;
  readonly model: string;
  readonly setSize: number;
  readonly seed: number;
}

export interface SampleLab {
  readonly runs: readonly SampleRun[];
  /** Runs 0–2: slot-memory at setSize 16 (seeds 1, 2) and 32 (seed 1); the rest feed capacity curves. */
  readonly compared: readonly RunId[];
  /** A memory snapshot of the first run, with read iterates and energies (binary items of width 16). */
  readonly snapshotId: number;
  /** A memory snapshot of an image run (items of width 784). */
  readonly imageSnapshotId: number;
  /** The same run's snapshot at an earlier step, to diff against. */
  readonly earlierSnapshotId: number;
}

/** The training loss of a sample run at `step`: decays with noise that the seed changes. */
export function sampleLoss(step: number, setSize: number, seed: number): number {
  return 0.2 + (setSize / 16) * Math.exp(-step / 60) + 0.05 * Math.sin(step * 0.37 + seed * 1.3) + 0.01 * seed;
}

/** The final error of a sample run: grows with the set size, more slowly for the bigger memory. */
export function sampleError(model: string, setSize: number, seed: number): number {
  return (model === 'hopfield' ? 0.02 : 0.035) * setSize + 0.05 * seed;
}

function spec(model: string, setSize: number, seed: number, task = 'binary-recall'): RunSpecData {
  return {
    model,
    task,
    modelConfig: { budgetFloats: 512 },
    taskConfig: task === 'binary-recall' ? { itemWidth: 16, setSize } : { setSize },
    training: { steps: 200, batchSize: 16, learningRate: 0.003 },
    seed,
  };
}

function floats(name: string, shape: number[], value: (i: number) => number): TensorBytes {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: n }, (_, i) => value(i));
  return { name, dtype: 'float32', shape, data: new Uint8Array(data.buffer) };
}

/** ±1 patterns that differ per item and per width position. */
const bit = (i: number, salt: number) => (Math.sin(i * 12.9898 + salt * 78.233) * 43758.5453) % 1 > 0 ? 1 : -1;

function memorySnapshot(width: number, items: number, queries: number, iterations: number, step: number): TensorBytes[] {
  const D = width;
  return [
    floats('state/slots', [1, items, D], (i) => bit(i, 1) * (0.5 + (i % 7) / 14) + step / 1000),
    { name: 'state/count', dtype: 'int32', shape: [1], data: new Uint8Array(Int32Array.from([items]).buffer) },
    floats('episode/items', [1, items, D], (i) => bit(i, 1)),
    floats('episode/queries', [1, queries, D], (i) => (i % 5 === 0 ? -bit(i, 1) : bit(i, 1))),
    floats('episode/targets', [1, queries, D], (i) => bit(i, 1)),
    floats('read/retrieved', [1, queries, D], (i) => bit(i, 1) * 0.9),
    floats('read/iterates', [iterations + 1, 1, queries, D], (i) => {
      const k = Math.floor(i / (queries * D));
      const j = i % (queries * D);
      return j % 5 === 0 && k < iterations / 2 ? -bit(j, 1) : bit(j, 1) * (0.4 + (0.6 * k) / iterations);
    }),
    floats('read/energies', [iterations + 1, 1, queries], (i) => -10 * (1 - Math.exp(-Math.floor(i / queries))) - (i % queries)),
  ];
}

function imageSnapshot(): TensorBytes[] {
  const D = 784;
  const ring = (i: number, r: number) => {
    const y = Math.floor((i % D) / 28) - 13.5;
    const x = (i % 28) - 13.5;
    return Math.abs(Math.hypot(x, y) - r) < 2 ? 1 : 0;
  };
  return [
    floats('state/weights', [1, 64, 64], (i) => Math.cos(i / 17) * Math.sin(i / 29)),
    floats('episode/items', [1, 3, D], (i) => ring(i, 4 + 3 * Math.floor(i / D))),
    floats('episode/queries', [1, 3, D], (i) => (Math.floor((i % D) / 28) > 14 ? 0 : ring(i, 4 + 3 * Math.floor(i / D)))),
    floats('episode/targets', [1, 3, D], (i) => ring(i, 4 + 3 * Math.floor(i / D))),
    floats('read/retrieved', [1, 3, D], (i) => ring(i, 4 + 3 * Math.floor(i / D)) * 0.95),
  ];
}

/** Fills (creating) the lab book at `dbPath`. */
export function fillSampleLab(dbPath: string): SampleLab {
  const store = new LabStore(dbPath);
  const baseMs = Date.UTC(2026, 0, 5, 9, 0, 0);
  const plan: { model: string; setSize: number; seed: number }[] = [
    { model: 'slot-memory', setSize: 16, seed: 1 },
    { model: 'slot-memory', setSize: 16, seed: 2 },
    { model: 'slot-memory', setSize: 32, seed: 1 },
    { model: 'slot-memory', setSize: 8, seed: 1 },
    { model: 'slot-memory', setSize: 8, seed: 2 },
    { model: 'slot-memory', setSize: 32, seed: 2 },
    { model: 'hopfield', setSize: 8, seed: 1 },
    { model: 'hopfield', setSize: 16, seed: 1 },
    { model: 'hopfield', setSize: 32, seed: 1 },
    { model: 'hopfield', setSize: 16, seed: 2 },
  ];
  const runs: SampleRun[] = [];
  let snapshotId = 0;
  let earlierSnapshotId = 0;
  plan.forEach((p, index) => {
    const startMs = baseMs + index * 600_000;
    const id = store.createRun(
      {
        kind: 'train',
        spec: spec(p.model, p.setSize, p.seed),
        memoryFloats: 512,
        backend: 'cpu',
        provenance: {
          notebook: index === 0 ? '/tmp/capacity.engram.md' : null,
          cellId: index === 0 ? 'cell-train' : null,
          sourceHash: index === 0 ? 'abc123' : null,
          source: index === 0 ? `await lab.train({ model: '${p.model}', task: 'binary-recall', set: { setSize: ${p.setSize} }, seed: ${p.seed} });` : null,
          command: index === 0 ? null : `engram train --model ${p.model} --task binary-recall --set setSize=${p.setSize} --seed ${p.seed}`,
          engramVersion: '0.1.0',
          node: process.version,
          platform: 'linux-x64',
          host: 'sample',
        },
      },
      startMs,
    );
    store.markRunning(id, startMs);
    const points = [];
    for (let step = 1; step <= 200; step++) {
      points.push({ key: 'loss', step, value: sampleLoss(step, p.setSize, p.seed), wallTimeMs: startMs + step * 250 });
    }
    for (let step = 40; step <= 200; step += 40) {
      points.push({ key: 'error_bits', step, value: sampleError(p.model, p.setSize, p.seed) * (1 + 40 / step), wallTimeMs: startMs + step * 250 });
    }
    store.appendMetrics(id, points);
    store.setStep(id, 200);
    if (index === 0) {
      earlierSnapshotId = store.addSnapshot(id, 100, 'memory', memorySnapshot(16, 8, 4, 3, 100), startMs + 25_000);
      snapshotId = store.addSnapshot(id, 200, 'memory', memorySnapshot(16, 8, 4, 3, 200), startMs + 50_000);
    }
    store.endRun(id, 'FINISHED', null, startMs + 52_000);
    runs.push({ id, ...p });
  });
  const imageRun = store.createRun(
    {
      kind: 'eval',
      spec: { ...spec('hopfield', 3, 1, 'image-recall'), taskConfig: { setSize: 3, side: null } },
      memoryFloats: 4096,
      backend: 'cpu',
      provenance: { notebook: null, cellId: null, sourceHash: null, source: null, command: 'engram eval', engramVersion: '0.1.0', node: process.version, platform: 'linux-x64', host: 'sample' },
    },
    baseMs + 20 * 600_000,
  );
  store.markRunning(imageRun, baseMs + 20 * 600_000);
  store.appendMetrics(imageRun, [{ key: 'error_bits', step: 0, value: 12, wallTimeMs: baseMs + 20 * 600_000 + 1000 }]);
  const imageSnapshotId = store.addSnapshot(imageRun, 0, 'memory', imageSnapshot());
  store.endRun(imageRun, 'FINISHED', null, baseMs + 20 * 600_000 + 2000);
  store.updateRun(runs[0]!.id, { tags: ['baseline'], note: 'The first run of the capacity sweep.' });
  store.close();
  return { runs, compared: runs.slice(0, 3).map((r) => r.id), snapshotId, imageSnapshotId, earlierSnapshotId };
}
