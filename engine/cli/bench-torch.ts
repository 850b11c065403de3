// The PyTorch side of `engram bench`: starts test/bench/torch_bench.py under Debian's python3-torch,
// sends it jobs (reference configs resolved by Engram, matrix products) and reads its timings; says
// why when there is no PyTorch to compare with. CLI process.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The interpreter with Debian's python3-torch (the pyenv python on PATH has no torch). */
const DEFAULT_PYTHON = '/usr/bin/python3';

/** A reference config as resolved by Engram, which the PyTorch model must match (memoryFloats is checked). */
export interface TorchReference {
  readonly model: string;
  readonly task: string;
  readonly modelConfig: Readonly<Record<string, unknown>>;
  readonly taskConfig: Readonly<Record<string, unknown>>;
  readonly training: Readonly<Record<string, unknown>>;
  readonly memoryFloats: number;
  readonly digitsDir: string;
}

export type TorchJob =
  | { readonly kind: 'matmul'; readonly size: number; readonly repeats: number }
  /** Builds the reference and runs one loss and one evaluation episode at batch 1. */
  | ({ readonly kind: 'check' } & TorchReference)
  | ({
      readonly kind: 'model';
      readonly train: boolean;
      readonly warmupSteps: number;
      readonly budgetSeconds: number;
      readonly maxWindows: number;
      /** Episodes per evaluation batch, as Engram's evaluate: min(batch, 32). */
      readonly evalBatch: number;
    } & TorchReference);

export interface TorchResult {
  readonly kind: string;
  readonly error?: string;
  readonly gflops?: number;
  readonly stepsPerSec?: number;
  readonly evalEpisodesPerSec?: number;
}

export interface TorchRunner {
  readonly version: string;
  readonly threads: number;
  /** False once the runner has exited (or was stopped after a job overran its time). */
  readonly alive: boolean;
  /** Runs one job; a job that takes longer than `timeoutMs` stops the runner and reports so. */
  run(job: TorchJob, timeoutMs: number): Promise<TorchResult>;
  close(): Promise<void>;
}

/**
 * Starts the PyTorch runner with `threads` threads (torch and OpenBLAS alike), or resolves with the
 * reason it cannot run. glibc's malloc is given the settings machine-probe.md §3 found to remove
 * PyTorch's page-fault noise on this kind of VM, so its numbers are its best.
 */
export async function startTorch(scriptDir: string, threads: number, python = process.env['ENGRAM_BENCH_PYTHON'] || DEFAULT_PYTHON): Promise<TorchRunner | { reason: string }> {
  const script = join(scriptDir, 'torch_bench.py');
  if (!existsSync(python)) return { reason: `${python} does not exist (install Debian's python3-torch, or set ENGRAM_BENCH_PYTHON)` };
  if (!existsSync(script)) return { reason: `${script} is missing (the PyTorch references live in a checkout's test/bench/)` };
  const child: ChildProcessWithoutNullStreams = spawn(python, [script, String(threads)], {
    cwd: scriptDir,
    env: {
      ...process.env,
      OMP_NUM_THREADS: String(threads),
      OPENBLAS_NUM_THREADS: String(threads),
      MALLOC_MMAP_THRESHOLD_: '4294967296',
      MALLOC_TRIM_THRESHOLD_: '4294967296',
      MALLOC_TOP_PAD_: '536870912',
      PYTHONDONTWRITEBYTECODE: '1',
    },
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string | null) => void)[] = [];
  const buffered: string[] = [];
  lines.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else buffered.push(line);
  });
  let alive = true;
  const exited = new Promise<void>((done) => child.on('close', () => ((alive = false), done())));
  void exited.then(() => waiting.splice(0).forEach((w) => w(null)));
  const nextLine = () => (buffered.length ? Promise.resolve(buffered.shift()!) : new Promise<string | null>((done) => waiting.push(done)));

  const first = await nextLine();
  const ready = first ? (JSON.parse(first) as { ready?: boolean; torch?: string; threads?: number }) : null;
  if (!ready?.ready) {
    child.kill();
    const why = stderr.trim().split('\n').pop() ?? 'no output';
    return { reason: `${python} could not run the PyTorch references (${why}); install Debian's python3-torch` };
  }
  return {
    version: ready.torch ?? '?',
    threads: ready.threads ?? threads,
    get alive() {
      return alive;
    },
    async run(job, timeoutMs) {
      if (!alive) return { kind: job.kind, error: 'the PyTorch runner is not running' };
      child.stdin.write(`${JSON.stringify(job)}\n`);
      let timer: NodeJS.Timeout | undefined;
      const overran = new Promise<'timeout'>((done) => (timer = setTimeout(() => done('timeout'), timeoutMs)));
      const line = await Promise.race([nextLine(), overran]);
      clearTimeout(timer);
      if (line === 'timeout') {
        child.kill('SIGKILL');
        await exited;
        return { kind: job.kind, error: `took longer than ${Math.round(timeoutMs / 1000)} s` };
      }
      if (line === null) return { kind: job.kind, error: `the PyTorch runner exited: ${stderr.trim().split('\n').pop() ?? ''}` };
      return JSON.parse(line) as TorchResult;
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}
