// A run's parameters as one flat map (`model`, `task`, `seed`, `memoryFloats`, `model.x`, `task.x`,
// `training.x` — the names `engram train --set` and the engine's flattenRunSpec use), and which of them
// differ across runs. Pure; no DOM. Renderer process (also the headless export page).
import type { RunSummary } from '../../engine/api/schemas';

export type ParamValue = string | number | boolean | null;

/** Parameters listed first, in this order; the rest follow by name. */
const LEADING = ['model', 'task', 'seed', 'memoryFloats'];

function scalar(value: unknown): ParamValue {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return value === undefined ? null : JSON.stringify(value);
}

export function runParams(run: Pick<RunSummary, 'spec' | 'memoryFloats'>): Map<string, ParamValue> {
  const { spec } = run;
  const out = new Map<string, ParamValue>([
    ['model', spec.model],
    ['task', spec.task],
    ['seed', spec.seed],
    ['memoryFloats', run.memoryFloats],
  ]);
  for (const [scope, values] of [['model', spec.modelConfig], ['task', spec.taskConfig], ['training', spec.training]] as const) {
    for (const key of Object.keys(values).sort()) out.set(`${scope}.${key}`, scalar(values[key]));
  }
  return out;
}

export function compareParamKeys(a: string, b: string): number {
  const ia = LEADING.indexOf(a);
  const ib = LEADING.indexOf(b);
  if (ia >= 0 || ib >= 0) return (ia < 0 ? LEADING.length : ia) - (ib < 0 ? LEADING.length : ib);
  return a.localeCompare(b);
}

/** Every parameter any of the runs has, leading ones first. */
export function paramKeys(runs: readonly Pick<RunSummary, 'spec' | 'memoryFloats'>[]): string[] {
  const keys = new Set<string>();
  for (const run of runs) for (const key of runParams(run).keys()) keys.add(key);
  return [...keys].sort(compareParamKeys);
}

/** The value of one parameter (undefined when the run has no such parameter). */
export function paramValue(run: Pick<RunSummary, 'spec' | 'memoryFloats'>, key: string): ParamValue | undefined {
  return runParams(run).get(key);
}

/** Parameters whose values are not the same in every run (a parameter only some runs have differs). */
export function differingParams(runs: readonly Pick<RunSummary, 'spec' | 'memoryFloats'>[]): string[] {
  if (runs.length < 2) return [];
  const maps = runs.map(runParams);
  return paramKeys(runs).filter((key) => {
    const first = maps[0]!.has(key) ? JSON.stringify(maps[0]!.get(key)) : undefined;
    return maps.some((m) => (m.has(key) ? JSON.stringify(m.get(key)) : undefined) !== first);
  });
}

/** Parameters whose values are numbers in every run that has them: the candidates for a capacity x-axis. */
export function numericParamKeys(runs: readonly Pick<RunSummary, 'spec' | 'memoryFloats'>[]): string[] {
  return paramKeys(runs).filter((key) =>
    runs.some((r) => typeof paramValue(r, key) === 'number') && runs.every((r) => {
      const v = paramValue(r, key);
      return v === undefined || v === null || typeof v === 'number';
    }),
  );
}

export function formatParamValue(value: ParamValue | undefined): string {
  if (value === undefined) return '—';
  if (value === null) return 'null';
  return String(value);
}
