// Worker threads that train runs for the kernel, one run per worker at a time, so that a sweep uses
// every core: the wasm and cpu backends compute on one thread, and the wasm backend runs in worker
// threads side by side (machine-probe.md §3). Kernel process, main thread.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RunSpec } from '../training/run-spec';
import type { RunOutcome, RunSink } from '../training/trainer';
import type { FromTrainingWorker, ToTrainingWorker, TrainingWorkerData } from './training-worker';

/** How often a running worker's run is asked whether it should stop. */
const STOP_POLL_MS = 100;

/** How to start a worker: its entry file, and whether TypeScript must be registered first (a checkout run by tsx). */
function workerScript(): { readonly code: string; readonly eval: boolean } | { readonly problem: string } {
  const ext = extname(__filename);
  const entry = join(__dirname, `training-worker${ext}`);
  if (!existsSync(entry)) return { problem: `the training worker (${entry}) is not part of this build` };
  if (ext !== '.ts') return { code: entry, eval: false };
  // Node 20 does not pass --import loaders on to worker threads, so the worker registers tsx itself.
  const tsx = createRequire(__filename).resolve('tsx/cjs/api');
  return { code: `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(entry)});`, eval: true };
}

interface PooledWorker {
  readonly worker: Worker;
  busy: boolean;
  /** Receives the worker's messages about its current run, and its death. */
  onMessage: ((message: FromTrainingWorker) => void) | null;
  onDeath: ((reason: string) => void) | null;
}

export class TrainingPool {
  private readonly workers: PooledWorker[] = [];
  private readonly script = workerScript();

  constructor(private readonly backend: string) {}

  /** Null when workers can be started here, else why not. */
  get problem(): string | null {
    return 'problem' in this.script ? this.script.problem : null;
  }

  /** Trains one run in an idle worker (started if none is idle), reporting to `sink` on this thread. */
  run(runId: number, spec: RunSpec, sink: RunSink): Promise<RunOutcome> {
    const pooled = this.workers.find((w) => !w.busy) ?? this.start();
    pooled.busy = true;
    return new Promise<RunOutcome>((resolve) => {
      let stopSent = false;
      const poll = setInterval(() => {
        if (!stopSent && sink.shouldStop()) {
          stopSent = true;
          this.send(pooled, { type: 'stop', runId });
        }
      }, STOP_POLL_MS);
      const finish = (outcome: RunOutcome) => {
        clearInterval(poll);
        pooled.onMessage = null;
        pooled.onDeath = null;
        pooled.busy = false;
        resolve(outcome);
      };
      pooled.onMessage = (m) => {
        if (!('runId' in m) || m.runId !== runId) return;
        switch (m.type) {
          case 'metrics':
            return sink.metrics(m.points);
          case 'snapshot':
            return sink.snapshot(m.snapshot);
          case 'progress':
            return sink.progress(m.step, m.totalSteps);
          case 'ended':
            return finish(m.outcome);
        }
      };
      pooled.onDeath = (reason) => finish({ status: 'FAILED', step: 0, metrics: {}, error: `the training worker died: ${reason}` });
      this.send(pooled, { type: 'train', runId, spec });
    });
  }

  /** Stops every worker; call when no run is using them. */
  async close(): Promise<void> {
    const all = this.workers.splice(0);
    await Promise.all(all.map((w) => w.worker.terminate()));
  }

  private send(pooled: PooledWorker, message: ToTrainingWorker): void {
    pooled.worker.postMessage(message);
  }

  private start(): PooledWorker {
    if ('problem' in this.script) throw new Error(this.script.problem);
    const data: TrainingWorkerData = { backend: this.backend };
    const worker = new Worker(this.script.code, { eval: this.script.eval, workerData: data });
    const pooled: PooledWorker = { worker, busy: false, onMessage: null, onDeath: null };
    worker.on('message', (m: FromTrainingWorker) => pooled.onMessage?.(m));
    const die = (reason: string) => {
      const i = this.workers.indexOf(pooled);
      if (i >= 0) this.workers.splice(i, 1);
      pooled.onDeath?.(reason);
    };
    worker.on('error', (err) => die(err.message.split('\n')[0]!));
    worker.on('exit', (code) => die(`exited with code ${code}`));
    this.workers.push(pooled);
    return pooled;
  }
}
