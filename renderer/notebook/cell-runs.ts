// What the notebook knows about each cell's executions: its execution count, whether it is queued or
// running, how its last run ended, and its outputs (restored from the lab book, then grown by events),
// with the source hash they came from. Pure functions on plain values; no DOM. Renderer process.
import type { CellOutput, ExecutionStatus, StoredCellOutputs } from '../../engine/api/notebook';

export interface CellRun {
  /** Shown as `[n]`; null before the cell ever ran. */
  readonly executionCount: number | null;
  /** Executions asked for and not yet started. */
  readonly queued: number;
  readonly running: boolean;
  /** How the last execution ended; null when none ended in this session (restored outputs). */
  readonly ended: ExecutionStatus | null;
  readonly outputs: readonly CellOutput[];
  /** The hash of the source the outputs were made from; null when there are none. */
  readonly sourceHash: string | null;
  /** False for outputs imported from a file made elsewhere: shown, never live. */
  readonly trusted: boolean;
}

export const NO_RUN: CellRun = { executionCount: null, queued: 0, running: false, ended: null, outputs: [], sourceHash: null, trusted: true };

/**
 * Adds an output as the notebook shows it: a progress output replaces the earlier one with its key
 * (as the lab book stores it), and stream text continues the stream it follows, as Jupyter shows it.
 */
export function appendOutput(outputs: readonly CellOutput[], output: CellOutput): readonly CellOutput[] {
  if (output.type === 'progress') {
    const at = outputs.findIndex((o) => o.type === 'progress' && o.key === output.key);
    if (at >= 0) return outputs.map((o, i) => (i === at ? output : o));
  }
  const last = outputs[outputs.length - 1];
  if (output.type === 'stream' && last?.type === 'stream' && last.name === output.name) {
    return [...outputs.slice(0, -1), { ...last, text: last.text + output.text }];
  }
  return [...outputs, output];
}

/** A cell's run as a reopened notebook finds it in the lab book. */
export function restoredRun(stored: StoredCellOutputs): CellRun {
  return {
    ...NO_RUN,
    executionCount: stored.executionCount,
    outputs: stored.outputs.reduce<readonly CellOutput[]>(appendOutput, []),
    sourceHash: stored.sourceHash,
    trusted: stored.trusted,
  };
}

export function queuedRun(run: CellRun): CellRun {
  return { ...run, queued: run.queued + 1 };
}

/** An execution started: its outputs replace the earlier ones (the lab book forgets those too). */
export function startedRun(run: CellRun, executionCount: number, sourceHash: string): CellRun {
  return { ...run, queued: Math.max(0, run.queued - 1), running: true, executionCount, ended: null, outputs: [], sourceHash, trusted: true };
}

export function outputRun(run: CellRun, output: CellOutput): CellRun {
  return { ...run, outputs: appendOutput(run.outputs, output) };
}

/**
 * An execution ended. One that never started (dropped from the queue by an interrupt) leaves the
 * outputs and count of the run before it.
 */
export function finishedRun(run: CellRun, status: ExecutionStatus, started: boolean): CellRun {
  if (!started) return { ...run, queued: Math.max(0, run.queued - 1) };
  return { ...run, running: false, ended: status };
}

/** The outputs no longer match the cell: its source changed since they were made. */
export function isStale(run: CellRun, currentSourceHash: string): boolean {
  return run.outputs.length > 0 && run.sourceHash !== null && run.sourceHash !== currentSourceHash;
}

/** The cell line (1-based) the last error points at, if any. */
export function errorLine(run: CellRun): number | null {
  for (let i = run.outputs.length - 1; i >= 0; i--) {
    const o = run.outputs[i]!;
    if (o.type === 'error') return o.line ?? null;
  }
  return null;
}

/** `[3]`, `[*]` while queued or running, `[ ]` before the first run: the gutter Jupyter users read. */
export function executionLabel(run: CellRun): string {
  if (run.running || run.queued > 0) return '[*]';
  return run.executionCount === null ? '[ ]' : `[${run.executionCount}]`;
}
