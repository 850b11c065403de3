// Runs notebook cells in the kernel one at a time, in the order asked, storing each cell's outputs in
// the lab book and announcing them; interrupts cooperatively and escalates to a kernel restart when a
// cell does not stop. Runs in the lab service process.
import { resolve } from 'node:path';
import type { CellId, CellOutput, ExecutionStatus } from '../api/notebook';
import type { KernelHost } from './kernel-host';
import type { NotebookManager } from './notebooks/notebook-manager';
import type { EmitEvent } from './run-recorder';

/** Executions remembered for outputs that arrive late (a run a cell started and did not await). */
const REMEMBERED_EXECUTIONS = 500;

/** How long an interrupted cell gets to stop by itself before the kernel is restarted under it. */
export const INTERRUPT_GRACE_MS = 3000;

interface Execution {
  readonly id: number;
  readonly notebook: string;
  readonly cellId: CellId;
  readonly source: string;
  count: number;
}

export class CellExecutions {
  private nextId = 1;
  private executionCount = 0;
  private readonly byId = new Map<number, Execution>();
  private readonly waiting: Execution[] = [];
  private running: Execution | null = null;
  private interrupting: NodeJS.Timeout | null = null;
  private restartedUnder: Execution | null = null;

  constructor(
    private readonly kernel: KernelHost,
    private readonly notebooks: NotebookManager,
    private readonly emit: EmitEvent,
  ) {}

  /** Queues a cell; it runs once the cells before it are done. */
  execute(notebook: string, cellId: CellId, source: string): { executionId: number } {
    const ex: Execution = { id: this.nextId++, notebook: resolve(notebook), cellId, source, count: 0 };
    this.byId.set(ex.id, ex);
    if (this.byId.size > REMEMBERED_EXECUTIONS) this.byId.delete(this.byId.keys().next().value!);
    this.waiting.push(ex);
    if (!this.running) void this.drain();
    return { executionId: ex.id };
  }

  /** Stores and announces an output the kernel produced for an execution. */
  output(executionId: number, output: CellOutput): void {
    const ex = this.byId.get(executionId);
    if (!ex) return;
    this.notebooks.appendOutput(ex.notebook, ex.cellId, ex.source, ex.count, output);
    this.emit('outputs.appended', { notebook: ex.notebook, cellId: ex.cellId, executionId, output });
  }

  /**
   * Interrupts: queued cells are dropped, the running one is asked to stop (its runs end KILLED), and
   * if it has not stopped within INTERRUPT_GRACE_MS the kernel is restarted.
   */
  interrupt(): void {
    for (const ex of this.waiting.splice(0)) this.finish(ex, 'interrupted');
    const target = this.running;
    if (!target) return;
    this.kernel.interrupt();
    if (this.interrupting) return;
    this.interrupting = setTimeout(() => {
      this.interrupting = null;
      if (this.running !== target) return;
      this.restartedUnder = target;
      this.kernelRestarted();
      void this.kernel.restart();
    }, INTERRUPT_GRACE_MS);
  }

  /** A fresh kernel starts counting executions from 1, as Jupyter does. */
  kernelRestarted(): void {
    this.executionCount = 0;
  }

  private async drain(): Promise<void> {
    while (this.waiting.length) {
      const ex = this.waiting.shift()!;
      this.running = ex;
      ex.count = ++this.executionCount;
      this.notebooks.clearOutputs(ex.notebook, ex.cellId);
      this.emit('cells.started', { notebook: ex.notebook, cellId: ex.cellId, executionId: ex.id, executionCount: ex.count });
      let status: ExecutionStatus;
      try {
        ({ status } = await this.kernel.execute({ executionId: ex.id, executionCount: ex.count, notebook: ex.notebook, cellId: ex.cellId, source: ex.source }));
      } catch (err) {
        const restarted = this.restartedUnder === ex;
        status = restarted ? 'interrupted' : 'error';
        const message = restarted
          ? `the cell did not stop within ${INTERRUPT_GRACE_MS / 1000} s of the interrupt, so the kernel was restarted (its state is gone)`
          : `the kernel died while the cell ran: ${err instanceof Error ? err.message : String(err)}`;
        this.output(ex.id, { type: 'error', ename: restarted ? 'KernelRestarted' : 'KernelDied', evalue: message, traceback: [message] });
      }
      this.finish(ex, status);
    }
    this.running = null;
    this.restartedUnder = null;
    if (this.interrupting) {
      clearTimeout(this.interrupting);
      this.interrupting = null;
    }
  }

  private finish(ex: Execution, status: ExecutionStatus): void {
    this.emit('cells.finished', { notebook: ex.notebook, cellId: ex.cellId, executionId: ex.id, executionCount: ex.count, status });
    if (this.running === ex && this.interrupting) {
      clearTimeout(this.interrupting);
      this.interrupting = null;
    }
  }
}
