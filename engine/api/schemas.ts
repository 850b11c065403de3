// Schemas of the domain objects that cross a process boundary: runs, metric series, snapshots,
// the model catalog. The contract's ground floor: imports nothing of ours; used by the service,
// the kernel and (type-only) the renderer.
import { z } from 'zod';

/** A run's id in the lab book. Branded so that it cannot be confused with a step or a count. */
export const RunId = z.number().int().positive().brand<'RunId'>();
export type RunId = z.infer<typeof RunId>;

export const runStatuses = ['PENDING', 'RUNNING', 'FINISHED', 'FAILED', 'KILLED', 'CRASHED'] as const;
export const RunStatus = z.enum(runStatuses);
export type RunStatus = z.infer<typeof RunStatus>;

/** Whether a run meta-trains a model or only evaluates one. */
export const RunKind = z.enum(['train', 'eval']);
export type RunKind = z.infer<typeof RunKind>;

/** A setting as given on the command line or in a form: text, or an already typed value. */
export const SettingValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type SettingValue = z.infer<typeof SettingValue>;

/** Everything needed to reproduce a run (the engine's RunSpec, as stored and sent). */
export const RunSpecSchema = z.object({
  model: z.string(),
  task: z.string(),
  modelConfig: z.record(z.string(), z.unknown()),
  taskConfig: z.record(z.string(), z.unknown()),
  training: z.record(z.string(), z.unknown()),
  seed: z.number().int().nonnegative(),
});
export type RunSpecData = z.infer<typeof RunSpecSchema>;

/** A request to start a run: ids, loose settings (`name=value`, typed by the engine) and a seed. */
export const RunRequest = z
  .object({
    model: z.string().min(1),
    task: z.string().min(1),
    set: z.record(z.string(), SettingValue).default({}),
    seed: z.number().int().nonnegative().optional(),
    name: z.string().max(200).optional(),
  })
  .strict();
export type RunRequest = z.input<typeof RunRequest>;

/** Where a run came from: the notebook cell that started it, or the command line. */
export const Provenance = z.object({
  notebook: z.string().nullable(),
  cellId: z.string().nullable(),
  sourceHash: z.string().nullable(),
  source: z.string().nullable(),
  command: z.string().nullable(),
  engramVersion: z.string(),
  node: z.string(),
  platform: z.string(),
  host: z.string(),
});
export type Provenance = z.infer<typeof Provenance>;

export const RunSummary = z.object({
  id: RunId,
  name: z.string(),
  kind: RunKind,
  model: z.string(),
  task: z.string(),
  status: RunStatus,
  spec: RunSpecSchema,
  seed: z.number().int(),
  backend: z.string().nullable(),
  memoryFloats: z.number().int().nullable(),
  step: z.number().int(),
  totalSteps: z.number().int(),
  createdMs: z.number(),
  startedMs: z.number().nullable(),
  endedMs: z.number().nullable(),
  heartbeatMs: z.number().nullable(),
  error: z.string().nullable(),
  tags: z.array(z.string()),
  /** The last value of every metric. */
  finalMetrics: z.record(z.string(), z.number()),
  notebook: z.string().nullable(),
  cellId: z.string().nullable(),
  parentRunId: RunId.nullable(),
  parentStep: z.number().int().nullable(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const MetricKeyInfo = z.object({
  key: z.string(),
  count: z.number().int(),
  firstStep: z.number(),
  lastStep: z.number(),
  lastValue: z.number(),
  min: z.number(),
  max: z.number(),
});
export type MetricKeyInfo = z.infer<typeof MetricKeyInfo>;

export const SnapshotKind = z.enum(['memory', 'checkpoint']);
export type SnapshotKind = z.infer<typeof SnapshotKind>;

export const SnapshotInfo = z.object({
  id: z.number().int().positive(),
  runId: RunId,
  step: z.number().int(),
  kind: SnapshotKind,
  createdMs: z.number(),
  tensors: z.array(z.object({ name: z.string(), dtype: z.string(), shape: z.array(z.number().int()) })),
});
export type SnapshotInfo = z.infer<typeof SnapshotInfo>;

export const RunDetail = RunSummary.extend({
  note: z.string(),
  provenance: Provenance,
  metrics: z.array(MetricKeyInfo),
  snapshots: z.array(SnapshotInfo),
});
export type RunDetail = z.infer<typeof RunDetail>;

/**
 * A metric series, possibly down-sampled for the requested x-range: every value kept is a real
 * point of the series, and each bucket keeps its minimum and maximum.
 */
export const MetricSeries = z.object({
  runId: RunId,
  key: z.string(),
  steps: z.array(z.number()),
  values: z.array(z.number()),
  wallTimesMs: z.array(z.number()),
  /** Points of the full series inside the requested range. */
  totalInRange: z.number().int(),
  downsampled: z.boolean(),
});
export type MetricSeries = z.infer<typeof MetricSeries>;

/** One metric value at one step, as the kernel streams it. */
export const MetricPointSchema = z.object({
  key: z.string().min(1),
  step: z.number().int(),
  value: z.number(),
  wallTimeMs: z.number(),
});
export type MetricPointData = z.infer<typeof MetricPointSchema>;

/** A config field of a model, task or the trainer, described for forms and `--json` listings. */
export const FieldInfo = z.object({
  name: z.string(),
  kind: z.enum(['number', 'choice', 'flag', 'text']),
  description: z.string(),
  default: z.unknown(),
  min: z.number().optional(),
  max: z.number().optional(),
  integer: z.boolean().optional(),
  nullable: z.boolean().optional(),
  values: z.array(z.string()).readonly().optional(),
});
export type FieldInfo = z.infer<typeof FieldInfo>;

export const ModelInfo = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  paper: z.object({ title: z.string(), authors: z.string(), year: z.number(), url: z.string() }),
  learned: z.boolean(),
  fields: z.array(FieldInfo),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

export const TaskInfo = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  fields: z.array(FieldInfo),
});
export type TaskInfo = z.infer<typeof TaskInfo>;

export const Catalog = z.object({
  models: z.array(ModelInfo),
  tasks: z.array(TaskInfo),
  training: z.array(FieldInfo),
  /** The quick demonstration run the UI offers. */
  demo: RunRequest,
});
export type Catalog = z.infer<typeof Catalog>;

export const KernelStatus = z.enum(['starting', 'idle', 'busy', 'dead']);
export type KernelStatus = z.infer<typeof KernelStatus>;

export const BackendInfoSchema = z.object({
  name: z.string(),
  detail: z.string(),
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
});
export type BackendInfoData = z.infer<typeof BackendInfoSchema>;
