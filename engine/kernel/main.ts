// Entry of the kernel process: picks the tfjs backend, answers the lab service's requests (catalog,
// train), runs training with cooperative stops, and streams metrics, snapshots and heartbeats back.
// Kernel process only; it never touches the lab book (the service is its single writer).
import { HEARTBEAT_INTERVAL_MS, type RunCreation } from '../api/kernel-protocol';
import { RpcError, RpcPeer } from '../api/rpc';
import type { RunId, RunRequest } from '../api/schemas';
import { selectBackend, type BackendInfo } from '../backend/select';
import { ConfigError } from '../core/config';
import { describeCatalog } from '../training/catalog';
import { resolveRunSpec } from '../training/run-spec';
import { instantiate, train, type Instance, type RunSink } from '../training/trainer';
import { connectPort } from './port';

/** How often a running training reports its step (progress notices are cheap but not free). */
const PROGRESS_INTERVAL_MS = 100;

const port = connectPort();
const rpc = new RpcPeer((m) => port.post(m));
const active = new Map<RunId, { stop: boolean }>();
let stopAll = false;

const backendReady: Promise<BackendInfo> = selectBackend(process.env.ENGRAM_BACKEND || undefined);

rpc.handle('catalog', async () => describeCatalog());

rpc.handle('train', async (params) => {
  const backend = await backendReady;
  const request = params as RunRequest;
  let instance: Instance;
  let spec;
  try {
    spec = resolveRunSpec({ model: request.model, task: request.task, set: request.set, seed: request.seed });
    instance = instantiate(spec);
  } catch (err) {
    if (err instanceof ConfigError) throw new RpcError('invalid_params', err.message);
    throw err;
  }
  const creation: RunCreation = {
    kind: 'train',
    spec,
    memoryFloats: instance.memoryFloats,
    backend: backend.name,
    ...(request.name ? { name: request.name } : {}),
  };
  const { runId } = (await rpc.request('runs.create', creation)) as { runId: RunId };
  void runTraining(runId, spec, instance);
  return { runId };
});

async function runTraining(runId: RunId, spec: ReturnType<typeof resolveRunSpec>, instance: Instance): Promise<void> {
  const control = { stop: false };
  active.set(runId, control);
  port.post({ type: 'run.started', runId, totalSteps: spec.training.steps });
  let lastProgressMs = 0;
  const sink: RunSink = {
    metrics: (points) => port.post({ type: 'run.metrics', runId, points }),
    snapshot: (s) => port.post({ type: 'run.snapshot', runId, step: s.step, kind: s.kind, tensors: s.tensors }),
    progress: (step, totalSteps) => {
      const now = Date.now();
      if (now - lastProgressMs >= PROGRESS_INTERVAL_MS || step === totalSteps) {
        lastProgressMs = now;
        port.post({ type: 'run.progress', runId, step, totalSteps });
      }
    },
    shouldStop: () => control.stop || stopAll,
  };
  try {
    const outcome = await train(spec, instance, sink);
    port.post({
      type: 'run.ended',
      runId,
      status: outcome.status,
      step: outcome.step,
      error: outcome.status === 'FAILED' ? outcome.error : null,
    });
  } finally {
    instance.model.dispose();
    active.delete(runId);
    if (active.size === 0) stopAll = false;
  }
}

port.onMessage((message) => {
  if (rpc.receive(message)) return;
  switch (message.type) {
    case 'stop':
      if (message.runId === null) stopAll = active.size > 0;
      else {
        const control = active.get(message.runId);
        if (control) control.stop = true;
      }
      return;
    case 'shutdown':
      process.exit(0);
  }
});

port.onDisconnect(() => process.exit(0));

setInterval(() => {
  if (active.size > 0) port.post({ type: 'heartbeat', runIds: [...active.keys()] });
}, HEARTBEAT_INTERVAL_MS).unref();

backendReady.then(
  (backend) => port.post({ type: 'ready', backend, pid: process.pid }),
  (err: unknown) => {
    console.error(`engram kernel: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(3);
  },
);
