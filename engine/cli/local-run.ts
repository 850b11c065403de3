// Runs that the CLI executes in its own process (`engram train`, `engram eval`): the engine trains or
// evaluates, and a RunRecorder writes everything into the lab book exactly as the service would for a
// kernel run. CLI process only.
import type { RunId, RunKind, RunStatus } from '../api/schemas';
import type { BackendInfo } from '../backend/select';
import { RunRecorder } from '../lab/run-recorder';
import { processProvenance } from '../lab/service';
import type { LabStore } from '../lab/store/lab-store';
import { HEARTBEAT_INTERVAL_MS } from '../api/kernel-protocol';
import type { RunSpec } from '../training/run-spec';
import type { Instance, RunSink } from '../training/trainer';
import type { Progress } from './progress';

export interface LocalRun {
  readonly runId: RunId;
  readonly sink: RunSink;
  /** Records the ending and stops the heartbeat. */
  end(status: Exclude<RunStatus, 'PENDING' | 'RUNNING'>, error: string | null): void;
}

/**
 * Creates the run row (RUNNING), starts its heartbeat and returns a sink that records into the lab
 * book. Ctrl-C asks the run to stop at its next step (it ends KILLED); a second Ctrl-C exits at once
 * and the next start marks the run CRASHED. A caller that runs several runs passes its own
 * `shouldStop` (and handles Ctrl-C itself).
 */
export function startLocalRun(options: {
  store: LabStore;
  kind: RunKind;
  spec: RunSpec;
  instance: Instance;
  backend: BackendInfo;
  command: string;
  name?: string;
  tags?: readonly string[];
  progress: Progress;
  shouldStop?: () => boolean;
}): LocalRun {
  const recorder = new RunRecorder(options.store, () => {});
  const run = recorder.create({
    kind: options.kind,
    ...(options.name ? { name: options.name } : {}),
    spec: options.spec,
    memoryFloats: options.instance.memoryFloats,
    backend: options.backend.name,
    provenance: { ...processProvenance(), notebook: null, cellId: null, sourceHash: null, source: null, command: options.command },
  });
  if (options.tags?.length) options.store.updateRun(run.id, { tags: options.tags });
  const totalSteps = options.kind === 'train' ? options.spec.training.steps : 0;
  recorder.started(run.id, totalSteps);
  const heartbeat = setInterval(() => recorder.heartbeat([run.id]), HEARTBEAT_INTERVAL_MS);
  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    process.stderr.write('\nstopping at the next step (Ctrl-C again to quit at once)\n');
  };
  if (!options.shouldStop) process.on('SIGINT', onSigint);
  return {
    runId: run.id,
    sink: {
      metrics: (points) => recorder.metrics(run.id, points),
      snapshot: (s) => recorder.snapshot(run.id, s.step, s.kind, s.tensors),
      progress: (step, total) => {
        recorder.progress(run.id, step, total);
        options.progress.update(step, total);
      },
      shouldStop: options.shouldStop ?? (() => stopRequested),
    },
    end(status, error) {
      clearInterval(heartbeat);
      process.off('SIGINT', onSigint);
      options.progress.done();
      recorder.ended(run.id, status, error);
      recorder.close();
    },
  };
}
