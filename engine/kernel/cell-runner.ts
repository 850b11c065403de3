// Runs notebook cells in the kernel's one shared scope: compiles each cell, runs it in this process's
// global context (same realm as tfjs, so arrays and tensors pass freely), routes console output and
// lab outputs to the cell that produced them, and reports errors at cell line:column. Kernel process.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { format, inspect } from 'node:util';
import vm from 'node:vm';
import type { CellOutput, ExecutionStatus } from '../api/notebook';
import { CellCompileError, compileCell, type CompiledCell } from './compile-cell';

/** What a running cell is: where its outputs go and whether it was interrupted. */
export interface CellContext {
  readonly executionId: number;
  readonly notebook: string;
  readonly cellId: string;
  readonly source: string;
  interrupted: boolean;
  emit(output: CellOutput): void;
  /** Work the cell started that must end before the cell does (plots being fetched, evaluations). */
  readonly pending: Set<Promise<unknown>>;
}

/** Thrown into a cell by the lab API once the cell is interrupted. */
export class KernelInterrupt extends Error {
  constructor() {
    super('the cell was interrupted');
    this.name = 'KernelInterrupt';
  }
}

const current = new AsyncLocalStorage<CellContext>();

/** The cell on whose behalf the calling code runs (through awaits and callbacks), if any. */
export function currentCell(): CellContext | undefined {
  return current.getStore();
}

/** How long console text is collected before it goes out as one stream output. */
const STREAM_FLUSH_MS = 50;

export class CellRunner {
  private running: CellContext | null = null;
  private readonly streams = new Map<CellContext, { stdout: string; stderr: string; timer: NodeJS.Timeout | null }>();

  constructor(
    private readonly send: (executionId: number, output: CellOutput) => void,
    globals: Record<string, unknown>,
    baseDir: string,
  ) {
    Object.assign(globalThis, globals, { require: createRequire(join(baseDir, 'notebook.js')) });
    this.patchConsole();
  }

  /** Cooperative interrupt: the lab API throws KernelInterrupt at its next call or training step. */
  interrupt(): void {
    if (this.running) this.running.interrupted = true;
  }

  get busy(): boolean {
    return this.running !== null;
  }

  /** Runs one cell (the service numbers executions and sends them one at a time). */
  async execute(request: { executionId: number; executionCount: number; notebook: string; cellId: string; source: string }): Promise<{
    status: ExecutionStatus;
  }> {
    const ctx: CellContext = {
      executionId: request.executionId,
      notebook: request.notebook,
      cellId: request.cellId,
      source: request.source,
      interrupted: false,
      pending: new Set(),
      emit: (output) => {
        this.flushStreams(ctx);
        this.send(request.executionId, output);
      },
    };
    this.running = ctx;
    let status: ExecutionStatus = 'ok';
    let compiled: CompiledCell | null = null;
    try {
      compiled = compileCell(request.source, cellFileName(request.cellId));
      const value: unknown = await current.run(ctx, () =>
        vm.runInThisContext(compiled!.code, { filename: cellFileName(request.cellId) }) as Promise<unknown>,
      );
      while (ctx.pending.size) await Promise.all([...ctx.pending]);
      if (value !== undefined) ctx.emit({ type: 'result', text: inspect(value, { depth: 4, colors: false, maxArrayLength: 50 }) });
    } catch (err) {
      status = err instanceof KernelInterrupt || ctx.interrupted ? 'interrupted' : 'error';
      ctx.emit(errorOutput(err, request.cellId, compiled));
    } finally {
      this.flushStreams(ctx);
      this.running = null;
    }
    return { status };
  }

  private patchConsole(): void {
    const original = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
    const route = (name: 'stdout' | 'stderr', fallback: (...a: unknown[]) => void) =>
      (...args: unknown[]) => {
        const ctx = current.getStore();
        if (!ctx) return fallback(...args);
        this.appendStream(ctx, name, `${format(...args)}\n`);
      };
    console.log = route('stdout', original.log);
    console.info = route('stdout', original.info);
    console.debug = route('stdout', original.debug);
    console.warn = route('stderr', original.warn);
    console.error = route('stderr', original.error);
  }

  private appendStream(ctx: CellContext, name: 'stdout' | 'stderr', text: string): void {
    let s = this.streams.get(ctx);
    if (!s) {
      s = { stdout: '', stderr: '', timer: null };
      this.streams.set(ctx, s);
    }
    s[name] += text;
    s.timer ??= setTimeout(() => this.flushStreams(ctx), STREAM_FLUSH_MS);
  }

  private flushStreams(ctx: CellContext): void {
    const s = this.streams.get(ctx);
    if (!s) return;
    this.streams.delete(ctx);
    if (s.timer) clearTimeout(s.timer);
    if (s.stdout) this.send(ctx.executionId, { type: 'stream', name: 'stdout', text: s.stdout });
    if (s.stderr) this.send(ctx.executionId, { type: 'stream', name: 'stderr', text: s.stderr });
  }
}

function cellFileName(cellId: string): string {
  return `cell-${cellId}.ts`;
}

/** An error output whose traceback names cell lines, not the compiled code's. */
function errorOutput(err: unknown, cellId: string, compiled: CompiledCell | null): Extract<CellOutput, { type: 'error' }> {
  if (err instanceof CellCompileError) {
    return {
      type: 'error',
      ename: 'SyntaxError',
      evalue: err.message,
      traceback: [`SyntaxError: ${err.message}`, `    at cell ${cellId}, line ${err.line}:${err.column}`],
      line: err.line,
      column: err.column,
    };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const file = cellFileName(cellId);
  let first: { line: number; column: number } | null = null;
  const traceback = [`${e.name}: ${e.message}`];
  for (const frame of (e.stack ?? '').split('\n').slice(1)) {
    const m = new RegExp(`${file.replace(/[.]/g, '\\.')}:(\\d+):(\\d+)`).exec(frame);
    if (m && compiled) {
      const pos = compiled.mapPosition(Number(m[1]), Number(m[2]));
      if (pos) {
        first ??= pos;
        traceback.push(`    at cell ${cellId}, line ${pos.line}:${pos.column}`);
      }
    } else if (!/node:internal|engine\/kernel\/cell-runner/.test(frame) && frame.trim()) {
      traceback.push(frame);
    }
  }
  return { type: 'error', ename: e.name, evalue: e.message, traceback, ...(first ? { line: first.line, column: first.column } : {}) };
}
