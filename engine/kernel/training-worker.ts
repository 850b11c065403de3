// Trains runs for the kernel in a worker thread, so that a sweep trains several at once on the wasm or
// cpu backend (one thread each): builds the run from its spec, runs the engine's trainer, and posts
// metrics, progress, snapshots and the outcome to the kernel's main thread, which records them like any
// run's. Kernel process, worker thread.
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../backend/select';
import type { RunSpec } from '../training/run-spec';
import { instantiate, train, type MetricPoint, type RunOutcome, type Snapshot } from '../training/trainer';

/** What the main thread sends a training worker. */
export type ToTrainingWorker = { readonly type: 'train'; readonly runId: number; readonly spec: RunSpec } | { readonly type: 'stop'; readonly runId: number };

/** What a training worker sends back. */
export type FromTrainingWorker =
  | { readonly type: 'ready'; readonly backend: string }
  | { readonly type: 'metrics'; readonly runId: number; readonly points: readonly MetricPoint[] }
  | { readonly type: 'snapshot'; readonly runId: number; readonly snapshot: Snapshot }
  | { readonly type: 'progress'; readonly runId: number; readonly step: number; readonly totalSteps: number }
  | { readonly type: 'ended'; readonly runId: number; readonly outcome: RunOutcome };

/** Data the worker is started with: the backend the kernel uses. */
export interface TrainingWorkerData {
  readonly backend: string;
}

/** Progress is posted at most this often (the kernel throttles what it forwards again). */
const PROGRESS_INTERVAL_MS = 50;

function serve(): void {
  const port = parentPort!;
  const post = (message: FromTrainingWorker) => port.postMessage(message);
  const stopped = new Set<number>();
  const ready = selectBackend((workerData as TrainingWorkerData).backend);
  void ready.then((info) => post({ type: 'ready', backend: info.name }));

  port.on('message', (message: ToTrainingWorker) => {
    if (message.type === 'stop') {
      stopped.add(message.runId);
      return;
    }
    const { runId, spec } = message;
    void (async () => {
      let outcome: RunOutcome;
      try {
        await ready;
        const instance = instantiate(spec);
        let lastProgressMs = 0;
        try {
          outcome = await train(spec, instance, {
            metrics: (points) => post({ type: 'metrics', runId, points }),
            snapshot: (snapshot) => post({ type: 'snapshot', runId, snapshot }),
            progress: (step, totalSteps) => {
              const now = Date.now();
              if (now - lastProgressMs < PROGRESS_INTERVAL_MS && step < totalSteps) return;
              lastProgressMs = now;
              post({ type: 'progress', runId, step, totalSteps });
            },
            shouldStop: () => stopped.has(runId),
          });
        } finally {
          instance.model.dispose();
        }
      } catch (err) {
        outcome = { status: 'FAILED', step: 0, metrics: {}, error: err instanceof Error ? err.message : String(err) };
      }
      stopped.delete(runId);
      post({ type: 'ended', runId, outcome });
    })();
  });
}

if (parentPort) serve();
