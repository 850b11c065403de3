// Entry of the kernel process: picks the tfjs backend, then answers the lab service — catalog, train
// requests, notebook cells in one shared scope — and streams runs' metrics, snapshots, heartbeats and
// cell outputs back. Kernel process only; it never touches the lab book (the service is its writer).
import * as tf from '@tensorflow/tfjs';
import { HEARTBEAT_INTERVAL_MS } from '../api/kernel-protocol';
import { RpcPeer } from '../api/rpc';
import type { RunRequest } from '../api/schemas';
import { selectBackend } from '../backend/select';
import { describeCatalog } from '../training/catalog';
import { createCellLab } from './cell-lab';
import { CellRunner, currentCell } from './cell-runner';
import { connectPort } from './port';
import { TrainingHost } from './training-host';

const port = connectPort();
const rpc = new RpcPeer((m) => port.post(m));
const backendReady = selectBackend(process.env.ENGRAM_BACKEND || undefined);
const catalog = describeCatalog();
const host = new TrainingHost((m) => port.post(m), rpc, backendReady);
const cells = new CellRunner(
  (executionId, output) => port.post({ type: 'cell.output', executionId, output }),
  { lab: createCellLab({ host, rpc, catalog }), tf },
  __dirname,
);

rpc.handle('catalog', async () => catalog);

rpc.handle('train', async (params) => {
  const request = params as RunRequest;
  const run = await host.prepare('train', request);
  void host.train(run);
  return { runId: run.runId };
});

rpc.handle('execute', async (params) => {
  await backendReady;
  return cells.execute(params as Parameters<CellRunner['execute']>[0]);
});

port.onMessage((message) => {
  if (rpc.receive(message)) return;
  switch (message.type) {
    case 'stop':
      host.stop(message.runId);
      return;
    case 'interrupt':
      cells.interrupt();
      host.stop(null);
      return;
    case 'shutdown':
      process.exit(0);
  }
});

port.onDisconnect(() => process.exit(0));

// A promise a cell forgot to await must not take the kernel down: report it where the cell's output goes.
process.on('unhandledRejection', (reason) => {
  const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
  if (currentCell()) console.error(`Unhandled rejection: ${text}`);
  else process.stderr.write(`engram kernel: unhandled rejection: ${text}\n`);
});

setInterval(() => {
  const runIds = host.activeRuns;
  if (runIds.length > 0) port.post({ type: 'heartbeat', runIds });
}, HEARTBEAT_INTERVAL_MS).unref();

backendReady.then(
  (backend) => port.post({ type: 'ready', backend, pid: process.pid }),
  (err: unknown) => {
    console.error(`engram kernel: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(3);
  },
);
