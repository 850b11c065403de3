// A real lab service on a temporary lab book with a real kernel process, and helpers to run cells
// through it the way the UI does (cells.execute, then events).
import { join } from 'node:path';
import type { CellId, CellOutput, ExecutionStatus } from '../../engine/api/notebook';
import { forkLauncher } from '../../engine/lab/kernel-host';
import { LabService } from '../../engine/lab/service';
import { tempDir } from './temp';

export interface CellRun {
  readonly status: ExecutionStatus;
  readonly executionCount: number;
  readonly outputs: CellOutput[];
}

export function kernelService(): { service: LabService; dir: string; run: (cellId: string, source: string) => Promise<CellRun>; start: (cellId: string, source: string) => Promise<CellRun> } {
  const dir = tempDir();
  const service = new LabService({ dbPath: join(dir, 'lab.sqlite'), launcher: forkLauncher(undefined, { ...process.env, ENGRAM_BACKEND: 'cpu' }) });
  const notebook = join(dir, 'test.engram.md');
  const outputs = new Map<number, CellOutput[]>();
  const waiters = new Map<number, (r: CellRun) => void>();
  service.onEvent((event, payload) => {
    if (event === 'outputs.appended') {
      const p = payload as { executionId: number; output: CellOutput };
      outputs.set(p.executionId, [...(outputs.get(p.executionId) ?? []), p.output]);
    }
    if (event === 'cells.finished') {
      const p = payload as { executionId: number; status: ExecutionStatus; executionCount: number };
      waiters.get(p.executionId)?.({ status: p.status, executionCount: p.executionCount, outputs: outputs.get(p.executionId) ?? [] });
    }
  });
  /** Queues a cell and returns a promise of its result (without waiting for it to start). */
  const start = (cellId: string, source: string) => {
    const { executionId } = service.cells.execute(notebook, cellId as CellId, source);
    return new Promise<CellRun>((resolve) => waiters.set(executionId, resolve));
  };
  return { service, dir, run: start, start };
}

/** The text of a cell's stdout and result outputs. */
export function textOf(run: CellRun): string {
  return run.outputs
    .map((o) => (o.type === 'stream' ? o.text : o.type === 'result' ? o.text : ''))
    .join('');
}
