// The lab book figures of `engram bench`: metric ingest through the service's real write path (a
// RunRecorder batching kernel messages into transactions) and down-sampled reads of a long series,
// on a fresh lab book in a temporary folder. CLI process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricPointData, RunId } from '../api/schemas';
import { RunRecorder } from '../lab/run-recorder';
import { processProvenance } from '../lab/service';
import { LabStore } from '../lab/store/lab-store';

export interface StoreFigures {
  readonly points: number;
  /** Points per `run.metrics` message, as a kernel sends them. */
  readonly pointsPerMessage: number;
  readonly ingestPointsPerSec: number;
  /** The same per CPU second of this process: the figure a loaded machine disturbs least. */
  readonly ingestPointsPerCpuSec: number;
  /** Points a screen's read returns (the runs view's maxPoints). */
  readonly maxPoints: number;
  /** Median of repeated full-range reads of the whole series, down-sampled to maxPoints. */
  readonly readFullMs: number;
  /** CPU milliseconds of the same reads (median). */
  readonly readFullCpuMs: number;
  /** The same for a zoom on a tenth of the steps. */
  readonly readTenthMs: number;
}

const MAX_POINTS = 2000;
const READS = 7;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** CPU milliseconds of this process so far (SQLite reads and writes run on its main thread). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Writes `points` loss points of one run as batched kernel messages, then reads them back down-sampled. */
export function storeFigures(points: number, pointsPerMessage = 1000): StoreFigures {
  const dir = mkdtempSync(join(tmpdir(), 'engram-bench-store-'));
  const store = new LabStore(join(dir, 'lab.sqlite'));
  try {
    const recorder = new RunRecorder(store, () => {});
    const run = recorder.create({
      kind: 'train',
      spec: { model: 'slot-memory', task: 'binary-recall', modelConfig: {}, taskConfig: {}, training: { steps: points }, seed: 0 },
      memoryFloats: null,
      backend: 'cpu',
      provenance: { ...processProvenance(), notebook: null, cellId: null, sourceHash: null, source: null, command: 'engram bench' },
    });
    const runId: RunId = run.id;
    recorder.started(runId, points);
    // The messages are made before the clock starts: ingest is what the service does with them.
    const messages: MetricPointData[][] = [];
    for (let start = 0; start < points; start += pointsPerMessage) {
      const message: MetricPointData[] = [];
      for (let step = start; step < Math.min(points, start + pointsPerMessage); step++) {
        message.push({ key: 'loss', step, value: Math.exp(-step / points) + 0.01 * Math.sin(step / 7), wallTimeMs: 1.7e12 + step });
      }
      messages.push(message);
    }
    const started = performance.now();
    const startedCpu = cpuMs();
    for (const m of messages) recorder.metrics(runId, m);
    recorder.flush();
    const ingestMs = performance.now() - started;
    const ingestCpuMs = cpuMs() - startedCpu;
    recorder.ended(runId, 'FINISHED', null);

    /** Median wall and CPU ms of repeated reads of a step range. */
    const read = (range: { fromStep?: number; toStep?: number }) => {
      const wall: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < READS; i++) {
        const t = performance.now();
        const c = cpuMs();
        const series = store.readMetrics(runId, 'loss', { ...range, maxPoints: MAX_POINTS });
        if (!series || series.steps.length === 0) throw new Error('the lab book returned no points');
        wall.push(performance.now() - t);
        cpu.push(cpuMs() - c);
      }
      return { ms: median(wall), cpuMs: median(cpu) };
    };
    const full = read({});
    return {
      points,
      pointsPerMessage,
      ingestPointsPerSec: (1000 * points) / ingestMs,
      ingestPointsPerCpuSec: (1000 * points) / ingestCpuMs,
      maxPoints: MAX_POINTS,
      readFullMs: full.ms,
      readFullCpuMs: full.cpuMs,
      readTenthMs: read({ fromStep: Math.floor(points * 0.45), toStep: Math.floor(points * 0.55) }).ms,
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
