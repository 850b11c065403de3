// A RunSummary with every field filled, for tests of code that reads runs (tables, figures, filters).
import type { RunId, RunSummary } from '../../engine/api/schemas';

export interface RunShape {
  readonly id: number;
  readonly name?: string;
  readonly model?: string;
  readonly task?: string;
  readonly seed?: number;
  readonly modelConfig?: Record<string, unknown>;
  readonly taskConfig?: Record<string, unknown>;
  readonly training?: Record<string, unknown>;
  readonly memoryFloats?: number | null;
  readonly finalMetrics?: Record<string, number>;
  readonly status?: RunSummary['status'];
  readonly tags?: string[];
  readonly startedMs?: number | null;
  readonly endedMs?: number | null;
}

export function runSummary(shape: RunShape): RunSummary {
  const model = shape.model ?? 'slot-memory';
  const task = shape.task ?? 'binary-recall';
  const seed = shape.seed ?? 0;
  return {
    id: shape.id as RunId,
    name: shape.name ?? `${model}-${shape.id}`,
    kind: 'train',
    model,
    task,
    status: shape.status ?? 'FINISHED',
    spec: { model, task, modelConfig: shape.modelConfig ?? {}, taskConfig: shape.taskConfig ?? {}, training: shape.training ?? { steps: 100 }, seed },
    seed,
    backend: 'cpu',
    memoryFloats: shape.memoryFloats === undefined ? 512 : shape.memoryFloats,
    step: 100,
    totalSteps: 100,
    createdMs: 1000 * shape.id,
    startedMs: shape.startedMs === undefined ? 1_000_000 : shape.startedMs,
    endedMs: shape.endedMs === undefined ? 1_060_000 : shape.endedMs,
    heartbeatMs: null,
    error: null,
    tags: shape.tags ?? [],
    finalMetrics: shape.finalMetrics ?? { loss: 1 },
    notebook: null,
    cellId: null,
    parentRunId: null,
    parentStep: null,
  };
}
