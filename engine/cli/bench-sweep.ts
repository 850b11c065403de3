// The parallel-sweep figure of `engram bench`: the wall time of a lab.sweep of 8 configs trained one
// after another, and two (or one per core) at once, twice each, each run recorded by a real lab service
// from a real kernel process, on a lab book in a temporary folder. CLI process.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CellId, ExecutionStatus } from '../api/notebook';
import { forkLauncher } from '../lab/kernel-host';
import { LabService } from '../lab/service';

export interface SweepFigures {
  readonly configs: number;
  readonly stepsPerRun: number;
  readonly backend: string;
  readonly lanes: number;
  /** Wall time of each sweep, in the order they ran: one after another, at once, at once, one after another. */
  readonly sequentialMs: readonly number[];
  readonly parallelMs: readonly number[];
  /** Σ parallelMs / Σ sequentialMs: 0.5 is a perfect split over two cores. */
  readonly wallRatio: number;
  /**
   * CPU time of the kernel process (all its threads) over wall time, per sweep: how many cores each
   * kept busy. On a loaded machine the wall ratio says little; this says whether both cores worked.
   */
  readonly sequentialCores: number;
  readonly parallelCores: number;
  /**
   * Cores the machine gave two busy threads of one process at the time (a plain JavaScript loop in
   * one worker, then in two): what the sweep could have had, under whatever else is running.
   */
  readonly coresOnOffer: number;
  /** Runs of all sweeps the lab book holds as FINISHED (4 × configs when all went well; 2 × with --quick). */
  readonly finishedRuns: number;
}

/** Runs one cell and resolves with its status, wall time (from queueing to finishing) and result text. */
function timeCell(service: LabService, notebook: string, cellId: string, source: string): Promise<{ status: ExecutionStatus; ms: number; error: string | null; result: string }> {
  return new Promise((resolve) => {
    const started = performance.now();
    let error: string | null = null;
    let result = '';
    let executionId = -1;
    const off = service.onEvent((event, payload) => {
      const p = payload as { executionId: number; status?: ExecutionStatus; output?: { type: string; evalue?: string; text?: string } };
      if (p.executionId !== executionId) return;
      if (event === 'outputs.appended' && p.output?.type === 'error') error = p.output.evalue ?? 'error';
      if (event === 'outputs.appended' && p.output?.type === 'result') result = p.output.text ?? '';
      if (event === 'cells.finished') {
        off();
        resolve({ status: p.status!, ms: performance.now() - started, error, result });
      }
    });
    executionId = service.cells.execute(notebook, cellId as CellId, source).executionId;
  });
}

/** Wall ms for `threads` worker threads each spinning through the same fixed amount of arithmetic. */
async function spin(threads: number): Promise<number> {
  const started = performance.now();
  const code = "let x = 0; for (let i = 0; i < 3e8; i++) x += i % 7; require('node:worker_threads').parentPort.postMessage(x);";
  await Promise.all(Array.from({ length: threads }, () => new Promise((done) => new Worker(code, { eval: true }).once('message', done))));
  return performance.now() - started;
}

/** How many cores two threads got: 2 × (one thread's time) / (two threads' time), from 1 to 2. */
async function coresOnOffer(): Promise<number> {
  const one = await spin(1);
  const two = await spin(2);
  return Math.round(Math.min(2, Math.max(1, (2 * one) / two)) * 100) / 100;
}

export async function sweepFigures(options: { quick: boolean }): Promise<SweepFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'engram-bench-sweep-'));
  const service = new LabService({ dbPath: join(dir, 'lab.sqlite'), launcher: forkLauncher() });
  const notebook = join(dir, 'sweep.engram.md');
  const lanes = Math.max(2, availableParallelism());
  // Runs long enough that starting a worker thread (loading tfjs and its wasm) is a small part of each.
  const steps = options.quick ? 30 : 800;
  const grid = `{ model: 'slot-memory', task: 'binary-recall', set: { dim: 128, setSize: [8, 16, 24, 32], evalEvery: 0, evalEpisodes: 16 }, seeds: [0, 1], steps: ${steps} }`;
  try {
    // The kernel's start (backend, engine) is not part of either sweep.
    const warm = await timeCell(service, notebook, 'warm', '1');
    if (warm.status !== 'ok') throw new Error(`the kernel did not start: ${warm.error}`);
    // The cell's value is the kernel process's CPU milliseconds during the sweep.
    const sweep = async (name: string, parallel: number) => {
      const r = await timeCell(service, notebook, name, `const ${name}Cpu = process.cpuUsage();\nawait lab.sweep({ ...${grid}, parallel: ${parallel} });\nconst ${name}Used = process.cpuUsage(${name}Cpu);\n(${name}Used.user + ${name}Used.system) / 1000`);
      if (r.status !== 'ok') throw new Error(`the ${name} sweep ended ${r.status}: ${r.error}`);
      return { ms: r.ms, cpuMs: Number.parseFloat(r.result) };
    };
    // One after another, at once, at once, one after another: a machine that speeds up or slows down
    // over the measurement weighs on both kinds alike. --quick times one of each.
    const sequential = [await sweep('sequential1', 1)];
    const parallel = [await sweep('parallel1', lanes)];
    if (!options.quick) {
      parallel.push(await sweep('parallel2', lanes));
      sequential.push(await sweep('sequential2', 1));
    }
    const total = (rs: readonly { ms: number; cpuMs: number }[]) => rs.reduce((t, r) => ({ ms: t.ms + r.ms, cpuMs: t.cpuMs + r.cpuMs }), { ms: 0, cpuMs: 0 });
    const cores = (r: { ms: number; cpuMs: number }) => Math.round((r.cpuMs / r.ms) * 100) / 100;
    const offered = await coresOnOffer();
    return {
      configs: 8,
      stepsPerRun: steps,
      backend: service.kernel.backend?.name ?? 'unknown',
      lanes,
      sequentialMs: sequential.map((r) => Math.round(r.ms)),
      parallelMs: parallel.map((r) => Math.round(r.ms)),
      wallRatio: Math.round((total(parallel).ms / total(sequential).ms) * 1000) / 1000,
      sequentialCores: cores(total(sequential)),
      parallelCores: cores(total(parallel)),
      coresOnOffer: offered,
      finishedRuns: service.store.listRuns({ status: ['FINISHED'] }).length,
    };
  } finally {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
