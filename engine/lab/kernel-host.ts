// The lab service's side of a kernel process: starts it through a launcher (child_process.fork here,
// Electron's utilityProcess in the app), turns its notices into lab-book records, answers its
// requests, stops it cooperatively or kills it, and records what a dying kernel leaves behind.
// Runs in the lab service process.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelToService, RunCreation, ServiceToKernel, TensorBytes } from '../api/kernel-protocol';
import type { CellOutput, ExecutionStatus } from '../api/notebook';
import { RpcPeer } from '../api/rpc';
import type { BackendInfoData, Catalog, KernelStatus, Provenance, RunId, RunRequest, SnapshotKind } from '../api/schemas';
import { sourceHash } from './notebooks/notebook-manager';
import type { EmitEvent, RunRecorder } from './run-recorder';

/** A live kernel process, however it was started. */
export interface KernelConnection {
  send(message: ServiceToKernel): void;
  onMessage(listener: (message: KernelToService) => void): void;
  onExit(listener: (reason: string) => void): void;
  kill(): void;
}

export type KernelLauncher = () => KernelConnection;

/** The kernel's entry file in a checkout (TypeScript, run through tsx). */
export function kernelEntryFromSource(): string {
  const entry = join(__dirname, '..', 'kernel', 'main.ts');
  if (!existsSync(entry)) throw new Error(`kernel entry not found at ${entry}`);
  return entry;
}

/**
 * Starts kernels with child_process.fork under plain Node (CLI, browser mode, tests). Structured-clone
 * serialisation keeps snapshot bytes as Uint8Array on the way.
 */
export function forkLauncher(entry = kernelEntryFromSource(), env: NodeJS.ProcessEnv = process.env): KernelLauncher {
  return () => {
    const child = fork(entry, [], {
      execArgv: entry.endsWith('.ts') ? ['--import', 'tsx'] : [],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env,
    });
    return {
      send: (m) => {
        if (child.connected) child.send(m);
      },
      onMessage: (listener) => child.on('message', (m) => listener(m as KernelToService)),
      onExit: (listener) =>
        child.on('exit', (code, signal) => listener(signal ? `killed by ${signal}` : `exited with code ${code}`)),
      kill: () => child.kill('SIGKILL'),
    };
  };
}

/** How long a kernel gets to leave on a shutdown message before it is killed. */
const SHUTDOWN_GRACE_MS = 2000;

export class KernelHost {
  private connection: KernelConnection | null = null;
  private rpc: RpcPeer | null = null;
  private ready: Promise<void> | null = null;
  private catalogCache: Catalog | null = null;
  private readonly active = new Set<RunId>();
  /** Set while we kill the kernel on purpose, so its runs end KILLED rather than CRASHED. */
  private killing = false;
  status: KernelStatus = 'dead';
  backend: BackendInfoData | null = null;

  private executing = 0;

  constructor(
    private readonly launch: KernelLauncher,
    private readonly recorder: RunRecorder,
    private readonly emit: EmitEvent,
    private readonly services: {
      provenance: () => Omit<Provenance, 'notebook' | 'cellId' | 'sourceHash' | 'source' | 'command'>;
      /** A LabApi call a cell makes through the kernel. */
      labCall: (method: string, params: unknown) => Promise<unknown>;
      /** A run's snapshot tensors, for `lab.snapshot` and evaluation of a trained run. */
      snapshotTensors: (params: { runId: RunId; kind: SnapshotKind; step?: number }) => { step: number; tensors: TensorBytes[] };
      /** An output of a running cell. */
      cellOutput: (executionId: number, output: CellOutput) => void;
    },
  ) {}

  /** Starts the kernel if none is running; resolves once it has chosen its backend. */
  start(): Promise<void> {
    if (this.ready) return this.ready;
    const connection = this.launch();
    const rpc = new RpcPeer((m) => connection.send(m));
    this.connection = connection;
    this.rpc = rpc;
    this.setStatus('starting');
    rpc.handle('runs.create', async (params) => this.createRun(params as RunCreation));
    rpc.handle('lab.call', async (params) => {
      const p = params as { method: string; params: unknown };
      return this.services.labCall(p.method, p.params);
    });
    rpc.handle('snapshots.tensors', async (params) => this.services.snapshotTensors(params as { runId: RunId; kind: SnapshotKind; step?: number }));
    this.ready = new Promise<void>((resolve, reject) => {
      connection.onMessage((message) => {
        if (rpc.receive(message)) return;
        if (message.type === 'ready') {
          this.backend = message.backend;
          this.setStatus(this.active.size || this.executing ? 'busy' : 'idle');
          resolve();
          return;
        }
        this.onNotice(message);
      });
      connection.onExit((reason) => {
        reject(new Error(`kernel ${reason} before it was ready`));
        this.onExit(connection, reason);
      });
    });
    // A failed start is reported to whoever awaits it; the rejection is handled here as well so an
    // unawaited start never crashes the service.
    this.ready.catch(() => {});
    return this.ready;
  }

  async catalog(): Promise<Catalog> {
    await this.start();
    this.catalogCache ??= (await this.rpc!.request('catalog', {})) as Catalog;
    return this.catalogCache;
  }

  /** Asks the kernel to validate and start a training run; resolves with its id once created. */
  async train(request: RunRequest): Promise<{ runId: RunId }> {
    await this.start();
    return (await this.rpc!.request('train', request)) as { runId: RunId };
  }

  /** Runs a cell in the kernel; resolves when the cell is done. */
  async execute(request: { executionId: number; executionCount: number; notebook: string; cellId: string; source: string }): Promise<{ status: ExecutionStatus }> {
    await this.start();
    this.executing += 1;
    this.setStatus('busy');
    try {
      return (await this.rpc!.request('execute', request)) as { status: ExecutionStatus };
    } finally {
      this.executing -= 1;
      if (this.executing === 0 && this.active.size === 0 && this.status === 'busy') this.setStatus('idle');
    }
  }

  /** Cooperative interrupt of the running cell and every run. */
  interrupt(): void {
    this.connection?.send({ type: 'interrupt' });
  }

  /** Cooperative stop of one run (or of all, with null): it ends KILLED at its next step. */
  stop(runId: RunId | null): void {
    this.connection?.send({ type: 'stop', runId });
  }

  get activeRuns(): ReadonlySet<RunId> {
    return this.active;
  }

  /** Kills the kernel (its runs end KILLED) and starts a fresh one. */
  async restart(): Promise<void> {
    this.kill();
    await this.start();
  }

  /** Asks the kernel to exit, then kills it if it has not within the grace period. */
  async shutdown(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    this.killing = true;
    const exited = new Promise<void>((resolve) => connection.onExit(() => resolve()));
    connection.send({ type: 'shutdown' });
    const timer = setTimeout(() => connection.kill(), SHUTDOWN_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  private kill(): void {
    if (!this.connection) return;
    this.killing = true;
    this.connection.kill();
    this.onExit(this.connection, 'killed on request');
  }

  private createRun(c: RunCreation): { runId: RunId } {
    const run = this.recorder.create({
      kind: c.kind,
      ...(c.name ? { name: c.name } : {}),
      spec: c.spec,
      memoryFloats: c.memoryFloats,
      backend: c.backend,
      provenance: {
        ...this.services.provenance(),
        notebook: c.notebook ?? null,
        cellId: c.cellId ?? null,
        sourceHash: c.source !== undefined ? sourceHash(c.source) : null,
        source: c.source ?? null,
        command: null,
      },
    });
    this.active.add(run.id);
    this.setStatus('busy');
    return { runId: run.id };
  }

  private onNotice(message: KernelToService): void {
    switch (message.type) {
      case 'run.started':
        this.recorder.started(message.runId, message.totalSteps);
        return;
      case 'run.metrics':
        this.recorder.metrics(message.runId, message.points);
        return;
      case 'run.progress':
        this.recorder.progress(message.runId, message.step, message.totalSteps);
        return;
      case 'run.snapshot':
        this.recorder.snapshot(message.runId, message.step, message.kind, message.tensors);
        return;
      case 'heartbeat':
        this.recorder.heartbeat(message.runIds);
        return;
      case 'run.ended':
        this.recorder.progress(message.runId, message.step, message.step);
        this.recorder.ended(message.runId, message.status, message.error);
        this.active.delete(message.runId);
        if (this.active.size === 0 && this.executing === 0) this.setStatus('idle');
        return;
      case 'cell.output':
        this.services.cellOutput(message.executionId, message.output);
        return;
    }
  }

  private onExit(connection: KernelConnection, reason: string): void {
    if (this.connection !== connection) return;
    const status = this.killing ? 'KILLED' : 'CRASHED';
    for (const runId of this.active) {
      this.recorder.ended(runId, status, status === 'KILLED' ? 'kernel restarted while the run was active' : `kernel ${reason}`);
    }
    this.active.clear();
    this.executing = 0;
    this.rpc?.failAll(`kernel ${reason}`);
    this.connection = null;
    this.rpc = null;
    this.ready = null;
    this.killing = false;
    this.backend = null;
    this.setStatus('dead');
  }

  private setStatus(status: KernelStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.emit('kernel.changed', { status, backend: this.backend });
  }
}
