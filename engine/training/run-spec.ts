// A run's full, validated description: model and task with their configs, the trainer's settings
// and the seed. Built from loose `--set key=value` style input; stored as the run's config JSON.
// Engine layer, any process.
import {
  auto,
  choice,
  ConfigError,
  describeFields,
  int,
  parseFieldText,
  real,
  resolveConfig,
  type ConfigOf,
  type Field,
  type FieldDescription,
  type Fields,
} from '../core/config';
import { findModel } from '../models/registry';
import { findTask } from '../tasks/registry';

export const trainingFields = {
  steps: int(300, 'meta-training steps (0 evaluates the initial model)', { min: 0 }),
  batchSize: int(16, 'episodes per training step (B)', { min: 1, max: 4096 }),
  learningRate: real(1e-3, 'optimiser learning rate', { min: 0 }),
  optimizer: choice(['adam', 'adamw'] as const, 'adam', 'optimiser (adamw: Adam with decoupled weight decay)'),
  learningRateSchedule: choice(['constant', 'cosine'] as const, 'constant', 'cosine: the rate falls from learningRate towards 0 over the steps, as half a cosine'),
  weightDecay: real(0, 'decoupled weight decay per step, for adamw', { min: 0 }),
  clipNorm: auto('clip gradients to this global norm (null: no clipping)', { min: 0 }),
  evalEvery: int(100, 'evaluate on held-out episodes every this many steps (0: only at the end)', { min: 0 }),
  evalEpisodes: int(64, 'held-out episodes per evaluation', { min: 1 }),
  logEvery: int(10, 'stream the training loss every this many steps', { min: 1 }),
  snapshotEvery: int(0, 'snapshot the memory state every this many steps (0: at the end only)', { min: 0 }),
};

export type TrainingConfig = ConfigOf<typeof trainingFields>;

/** Everything needed to reproduce a run. */
export interface RunSpec {
  readonly model: string;
  readonly task: string;
  readonly modelConfig: Readonly<Record<string, unknown>>;
  readonly taskConfig: Readonly<Record<string, unknown>>;
  readonly training: TrainingConfig;
  readonly seed: number;
}

/** Loose input: ids, `name=value` settings (values already typed, or text from the command line), seed. */
export interface RunSpecInput {
  model: string;
  task: string;
  /** Settings by field name; `model.x`, `task.x` or `training.x` when a name is ambiguous. */
  set?: Readonly<Record<string, unknown>>;
  seed?: number;
}

type Scope = 'model' | 'task' | 'training';

/**
 * Resolves loose input into a validated RunSpec. Text values (from `--set`) are parsed by the
 * type of the field they name; an unknown or ambiguous name is an error that lists the choices.
 */
export function resolveRunSpec(input: RunSpecInput): RunSpec {
  const model = findModel(input.model);
  const task = findTask(input.task);
  const scopes: Record<Scope, { owner: string; fields: Fields; values: Record<string, unknown> }> = {
    model: { owner: `model ${model.id}`, fields: model.fields, values: {} },
    task: { owner: `task ${task.id}`, fields: task.fields, values: {} },
    training: { owner: 'training', fields: trainingFields, values: { ...(model.trainingDefaults ?? {}) } },
  };
  for (const [key, raw] of Object.entries(input.set ?? {})) {
    const { scope, name } = scopeOf(key, raw, scopes);
    const { owner, fields, values } = scopes[scope];
    const field = fields[name] as Field;
    values[name] = typeof raw === 'string' ? parseFieldText(owner, name, field, raw) : raw;
  }
  const seed = input.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ConfigError('run', 'seed', seed, 'an integer ≥ 0');
  const spec: RunSpec = {
    model: model.id,
    task: task.id,
    modelConfig: resolveConfig(scopes.model.owner, model.fields, scopes.model.values),
    taskConfig: resolveConfig(scopes.task.owner, task.fields, scopes.task.values),
    training: resolveConfig('training', trainingFields, scopes.training.values),
    seed,
  };
  return spec;
}

function scopeOf(
  key: string,
  value: unknown,
  scopes: Record<Scope, { owner: string; fields: Fields }>,
): { scope: Scope; name: string } {
  const dot = key.indexOf('.');
  if (dot > 0) {
    const scope = key.slice(0, dot) as Scope;
    const name = key.slice(dot + 1);
    if (!(scope in scopes)) throw new ConfigError('run', key, value, 'a name prefixed with model., task. or training.');
    if (!(name in scopes[scope].fields)) {
      throw new ConfigError(scopes[scope].owner, name, value, `a field name: ${Object.keys(scopes[scope].fields).join(', ')}`);
    }
    return { scope, name };
  }
  const matches = (Object.keys(scopes) as Scope[]).filter((s) => key in scopes[s].fields);
  if (matches.length === 1) return { scope: matches[0]!, name: key };
  if (matches.length > 1) {
    throw new ConfigError('run', key, value, `an unambiguous name: ${matches.map((s) => `${s}.${key}`).join(' | ')}`);
  }
  const known = (Object.keys(scopes) as Scope[])
    .map((s) => `${scopes[s].owner}: ${Object.keys(scopes[s].fields).join(', ')}`)
    .join('; ');
  throw new ConfigError('run', key, value, `a field of ${known}`);
}

/** The trainer's fields, described for the CLI and the UI. */
export function describeTrainingFields(): FieldDescription[] {
  return describeFields(trainingFields);
}

/** A flat `scope.name → value` view of a spec, for diff tables and filters. */
export function flattenRunSpec(spec: RunSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { model: spec.model, task: spec.task, seed: spec.seed };
  for (const [k, v] of Object.entries(spec.modelConfig)) out[`model.${k}`] = v;
  for (const [k, v] of Object.entries(spec.taskConfig)) out[`task.${k}`] = v;
  for (const [k, v] of Object.entries(spec.training)) out[`training.${k}`] = v;
  return out;
}
