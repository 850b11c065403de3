// Measures a full-range, down-sampled read of a 1M-point metric series from the lab book (the read a
// compare plot makes when it opens), and a zoomed read of a tenth of it. Rerunnable: builds its own lab
// book in a temp folder. `node --import tsx scripts/bench-metric-read.ts [points] [repeats]`. Node.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunId } from '../engine/api/schemas';
import { LabStore } from '../engine/lab/store/lab-store';

const points = Number(process.argv[2] ?? 1_000_000);
const repeats = Number(process.argv[3] ?? 7);
const maxPoints = 2000;

const dir = mkdtempSync(join(tmpdir(), 'engram-bench-'));
try {
  const store = new LabStore(join(dir, 'lab.sqlite'));
  const runId = store.createRun({
    kind: 'train',
    spec: { model: 'slot-memory', task: 'binary-recall', modelConfig: {}, taskConfig: {}, training: { steps: points }, seed: 0 },
    memoryFloats: null,
    backend: 'cpu',
    provenance: { notebook: null, cellId: null, sourceHash: null, source: null, command: 'bench', engramVersion: '0', node: process.version, platform: process.platform, host: 'bench' },
  }) as RunId;
  const writeStart = performance.now();
  const batch = 100_000;
  for (let start = 0; start < points; start += batch) {
    const chunk = [];
    for (let step = start; step < Math.min(points, start + batch); step++) {
      chunk.push({ key: 'loss', step, value: Math.sin(step / 5000) + (step === 777_777 ? 50 : 0) + (step % 97) / 1000, wallTimeMs: 1e12 + step });
    }
    store.appendMetrics(runId, chunk);
  }
  const writeMs = performance.now() - writeStart;

  const time = (range: { fromStep?: number; toStep?: number }) => {
    const times: number[] = [];
    let returned = 0;
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      const series = store.readMetrics(runId, 'loss', { ...range, maxPoints });
      times.push(performance.now() - t);
      returned = series!.steps.length;
    }
    times.sort((a, b) => a - b);
    return { medianMs: times[Math.floor(times.length / 2)]!, minMs: times[0]!, returned };
  };
  const full = time({});
  const zoom = time({ fromStep: Math.floor(points * 0.45), toStep: Math.floor(points * 0.55) });
  const check = store.readMetrics(runId, 'loss', { maxPoints })!;
  console.log(
    JSON.stringify({
      points,
      maxPoints,
      writeMs: Math.round(writeMs),
      fullRange: { ...full, keepsSpike: check.steps.includes(777_777), keepsFirstAndLast: check.steps[0] === 0 && check.steps.at(-1) === points - 1 },
      tenthZoom: zoom,
    }),
  );
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
