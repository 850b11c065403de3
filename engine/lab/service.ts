// The lab service: owns the lab book (its only writer), the kernel process and the LabApi handlers.
// Electron's main process, `engram serve` and the CLI each create one; the transports sit on top.
// Runs in the lab service process.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { LAB_API_VERSION, type LabEvent, type LabEventPayload } from '../api/lab-api';
import type { Provenance, RunId } from '../api/schemas';
import { createDispatcher, LabError, type Dispatcher, type LabHandlers } from './dispatcher';
import { KernelHost, type KernelLauncher } from './kernel-host';
import { RunRecorder } from './run-recorder';
import { LabStore } from './store/lab-store';
import { ENGRAM_VERSION } from './version';

export type LabEventListener = <E extends LabEvent>(event: E, payload: LabEventPayload<E>) => void;

export interface LabServiceOptions {
  readonly dbPath: string;
  readonly launcher: KernelLauncher;
}

/** Provenance fields that describe this process rather than a cell or command. */
export function processProvenance(): Omit<Provenance, 'notebook' | 'cellId' | 'sourceHash' | 'source' | 'command'> {
  return { engramVersion: ENGRAM_VERSION, node: process.version, platform: `${process.platform}-${process.arch}`, host: hostname() };
}

export class LabService {
  readonly store: LabStore;
  readonly recorder: RunRecorder;
  readonly kernel: KernelHost;
  readonly dispatcher: Dispatcher;
  /** Runs the start-up sweep found dead (left RUNNING by a process that is gone). */
  readonly sweptRuns: readonly RunId[];
  private readonly listeners = new Set<LabEventListener>();

  constructor(options: LabServiceOptions) {
    mkdirSync(dirname(options.dbPath), { recursive: true });
    this.store = new LabStore(options.dbPath);
    this.sweptRuns = this.store.sweepStaleRuns();
    const emit: LabEventListener = (event, payload) => {
      for (const listener of this.listeners) listener(event, payload);
    };
    this.recorder = new RunRecorder(this.store, emit);
    this.kernel = new KernelHost(options.launcher, this.recorder, emit, processProvenance);
    this.dispatcher = createDispatcher(this.handlers());
  }

  /** Subscribes to every LabApi event; returns the unsubscribe function. */
  onEvent(listener: LabEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the kernel and closes the lab book after writing what is buffered. */
  async close(): Promise<void> {
    await this.kernel.shutdown();
    this.recorder.close();
    this.store.close();
  }

  private handlers(): LabHandlers {
    return {
      'system.info': () => ({
        version: ENGRAM_VERSION,
        apiVersion: LAB_API_VERSION,
        dbPath: this.store.path,
        platform: `${process.platform}-${process.arch}`,
        node: process.version,
        kernel: { status: this.kernel.status, backend: this.kernel.backend },
      }),
      'catalog.get': () => this.kernel.catalog(),
      'runs.list': (filter) => this.store.listRuns(filter),
      'runs.get': ({ runId }) => this.store.getRun(runId),
      'runs.metrics': ({ runId, keys, fromStep, toStep, maxPoints }) => {
        this.store.getRunSummary(runId); // not_found for an unknown run, rather than an empty list
        this.recorder.flush();
        const wanted = keys ?? this.store.metrics.stats(runId).map((s) => s.key);
        return wanted.flatMap((key) => {
          const series = this.store.readMetrics(runId, key, {
            ...(fromStep !== undefined ? { fromStep } : {}),
            ...(toStep !== undefined ? { toStep } : {}),
            maxPoints,
          });
          return series ? [{ runId, ...series }] : [];
        });
      },
      'runs.start': (request) => this.kernel.train(request),
      'runs.stop': ({ runId }) => {
        const run = this.store.getRunSummary(runId);
        if (!this.kernel.activeRuns.has(runId)) {
          throw new LabError('conflict', `run ${runId} is ${run.status}, not running in this lab's kernel`);
        }
        this.kernel.stop(runId);
        return { ok: true as const };
      },
      'kernel.restart': async () => {
        await this.kernel.restart();
        return { ok: true as const };
      },
    };
  }
}
