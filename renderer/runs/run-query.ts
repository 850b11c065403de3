// Filtering and sorting the runs table: free text, statuses, a tag, parameter conditions such as
// `setSize>=32, model=hopfield`, sorting by any column, and which parameters and metrics earn a
// column. Pure; no DOM. Renderer process.
import type { RunStatus, RunSummary } from '../../engine/api/schemas';
import { paramKeys, paramValue, runParams, type ParamValue } from './run-params';

export type ParamOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~';

export interface ParamCondition {
  readonly key: string;
  readonly op: ParamOp;
  readonly value: string;
}

export interface RunQuery {
  readonly text: string;
  /** Empty: every status. */
  readonly statuses: ReadonlySet<RunStatus>;
  readonly tag: string;
  readonly params: readonly ParamCondition[];
}

export const EMPTY_QUERY: RunQuery = { text: '', statuses: new Set(), tag: '', params: [] };

const CONDITION = /^\s*([A-Za-z_][\w.]*)\s*(!=|<=|>=|=|<|>|~)\s*(.*?)\s*$/;

/**
 * Parses `key op value` conditions separated by commas. Throws an error naming the bad part and what
 * is allowed.
 */
export function parseParamConditions(text: string): ParamCondition[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const m = CONDITION.exec(part);
      if (!m || m[3] === '') {
        throw new Error(`parameter filter "${part}": write name, an operator (= != < <= > >= ~) and a value, e.g. setSize>=32`);
      }
      return { key: m[1]!, op: m[2] as ParamOp, value: m[3]! };
    });
}

/** The run's parameter a condition names: the full name, or a unique last part (`setSize` for `task.setSize`). */
function lookup(params: Map<string, ParamValue>, key: string): ParamValue | undefined {
  if (params.has(key)) return params.get(key);
  const matches = [...params.keys()].filter((k) => k.endsWith(`.${key}`));
  return matches.length === 1 ? params.get(matches[0]!) : undefined;
}

export function matchesCondition(run: RunSummary, condition: ParamCondition): boolean {
  const value = lookup(runParams(run), condition.key);
  if (value === undefined) return false;
  const text = String(value);
  const wanted = Number(condition.value);
  const numeric = typeof value === 'number' && condition.value.trim() !== '' && Number.isFinite(wanted);
  switch (condition.op) {
    case '=':
      return numeric ? value === wanted : text === condition.value;
    case '!=':
      return numeric ? value !== wanted : text !== condition.value;
    case '~':
      return text.toLowerCase().includes(condition.value.toLowerCase());
    default: {
      if (!numeric) return false;
      const v = value as number;
      return condition.op === '<' ? v < wanted : condition.op === '<=' ? v <= wanted : condition.op === '>' ? v > wanted : v >= wanted;
    }
  }
}

export function matchesQuery(run: RunSummary, query: RunQuery): boolean {
  if (query.statuses.size > 0 && !query.statuses.has(run.status)) return false;
  if (query.tag && !run.tags.includes(query.tag)) return false;
  if (!query.params.every((c) => matchesCondition(run, c))) return false;
  const text = query.text.trim().toLowerCase();
  if (!text) return true;
  const haystack = [
    `#${run.id}`,
    run.name,
    run.model,
    run.task,
    run.backend ?? '',
    ...run.tags,
    ...[...runParams(run)].map(([k, v]) => `${k}=${String(v)}`),
  ]
    .join('\n')
    .toLowerCase();
  return text.split(/\s+/).every((word) => haystack.includes(word));
}

/** What a table column sorts by. */
export type SortKey =
  | { readonly kind: 'id' | 'name' | 'model' | 'task' | 'status' | 'backend' | 'started' | 'duration' }
  | { readonly kind: 'param'; readonly key: string }
  | { readonly kind: 'metric'; readonly key: string };

export interface Sort {
  readonly by: SortKey;
  readonly descending: boolean;
}

export const NEWEST_FIRST: Sort = { by: { kind: 'id' }, descending: true };

/** How long a run ran (so far, for a running one), or null if it never started. */
export function runDurationMs(run: RunSummary, nowMs: number): number | null {
  if (run.startedMs === null) return null;
  return (run.endedMs ?? (run.status === 'RUNNING' ? nowMs : run.heartbeatMs ?? run.startedMs)) - run.startedMs;
}

function sortValue(run: RunSummary, by: SortKey, nowMs: number): string | number | null {
  switch (by.kind) {
    case 'id':
      return run.id;
    case 'started':
      return run.startedMs;
    case 'duration':
      return runDurationMs(run, nowMs);
    case 'param': {
      const v = paramValue(run, by.key);
      return v === undefined || v === null ? null : typeof v === 'boolean' ? String(v) : v;
    }
    case 'metric':
      return run.finalMetrics[by.key] ?? null;
    case 'backend':
      return run.backend;
    default:
      return run[by.kind];
  }
}

/** Sorted copy; runs without a value go last whichever the direction, ties by newest first. */
export function sortRuns(runs: readonly RunSummary[], sort: Sort, nowMs: number): RunSummary[] {
  const sign = sort.descending ? -1 : 1;
  return [...runs].sort((a, b) => {
    const va = sortValue(a, sort.by, nowMs);
    const vb = sortValue(b, sort.by, nowMs);
    if (va === null || vb === null) return va === vb ? b.id - a.id : va === null ? 1 : -1;
    const order = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb), undefined, { numeric: true });
    return order !== 0 ? sign * order : b.id - a.id;
  });
}

/**
 * The parameters and final metrics worth their own column for these runs: parameters that vary
 * (besides model, task and seed, which always have columns), and the metrics most runs have.
 */
export function tableColumns(runs: readonly RunSummary[], max = 3): { params: string[]; metrics: string[] } {
  const always = new Set(['model', 'task', 'seed', 'memoryFloats']);
  const params = paramKeys(runs).filter((key) => {
    if (always.has(key) || key.startsWith('training.')) return false;
    const seen = new Set(runs.map((r) => JSON.stringify(paramValue(r, key) ?? null)));
    return seen.size > 1;
  });
  const counts = new Map<string, number>();
  for (const run of runs) for (const key of Object.keys(run.finalMetrics)) if (!key.includes('/')) counts.set(key, (counts.get(key) ?? 0) + 1);
  const metrics = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || Number(a[0] === 'loss') - Number(b[0] === 'loss') || a[0].localeCompare(b[0]))
    .map(([key]) => key);
  return { params: params.slice(0, max), metrics: metrics.slice(0, max) };
}
