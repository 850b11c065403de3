// Comparison figures as plain data, the one code path for the screen and for exports: training curves
// of several runs (smoothed, against step or wall time, optionally averaged over seeds or by a
// parameter with a band), capacity curves (a final metric against a parameter, one point per run,
// averaged over seeds), and the CSV of exactly what a figure plots. Pure; no DOM. Renderer process
// (also the headless export page).
import type { FigureRequest } from '../../engine/api/figure';
import type { RunId, RunSummary } from '../../engine/api/schemas';
import { differingParams, formatParamValue, numericParamKeys, paramKeys, paramValue, runParams } from '../runs/run-params';
import { aggregateLines, bandStats, commonGrid } from './aggregate-lines';
import { emaSmooth } from './ema-smooth';

/** A figure request that cannot be drawn (unknown parameter, no data); the message says what is allowed. */
export class FigureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FigureError';
  }
}

export interface FigureLine {
  readonly label: string;
  readonly runIds: readonly RunId[];
  readonly x: readonly number[];
  /** What is drawn: the smoothed series, or the group mean. */
  readonly y: readonly number[];
  /** The unsmoothed values at the same x, drawn faint; null without smoothing. */
  readonly raw: readonly number[] | null;
  readonly lower: readonly number[] | null;
  readonly upper: readonly number[] | null;
  /** Runs averaged at each x (groups only). */
  readonly count: readonly number[] | null;
  /** The runs behind each point, when they differ from point to point (capacity curves). */
  readonly pointRuns: readonly (readonly RunId[])[] | null;
  readonly markers: boolean;
}

export interface ComparisonFigure {
  readonly kind: 'curves' | 'capacity';
  /** Drawn above the plot only when the request names one (papers caption figures themselves). */
  readonly title: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly logX: boolean;
  readonly logY: boolean;
  readonly lines: readonly FigureLine[];
  /** Runs left out and why, shown under the figure and written into the CSV header. */
  readonly notes: readonly string[];
}

/** A run's points of the figure's metric (as `runs.metrics` returns them). */
export interface RunSeries {
  readonly run: RunSummary;
  readonly steps: readonly number[];
  readonly values: readonly number[];
  readonly wallTimesMs: readonly number[];
}

/** Short series get markers so that evaluation points (every N steps) stay visible. */
const MARKERS_MAX_POINTS = 30;

/** How notes name a run. */
export function runLabel(run: Pick<RunSummary, 'id' | 'name'>): string {
  return `run ${run.id} (${run.name})`;
}

/**
 * Legend names of runs: their names (which users set by renaming runs; the default one carries the
 * id), with the id added where two runs share a name.
 */
export function legendNames(runs: readonly Pick<RunSummary, 'id' | 'name'>[]): Map<RunId, string> {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
  return new Map(runs.map((r) => [r.id, counts.get(r.name)! > 1 ? `${r.name} (run ${r.id})` : r.name]));
}

/** x of each point: the step, or seconds since the run started (its first point when the start is unknown). */
function xValues(s: RunSeries, x: string): number[] {
  if (x === 'step') return s.steps.slice();
  const t0 = s.run.startedMs ?? s.wallTimesMs[0] ?? 0;
  return s.wallTimesMs.map((w) => (w - t0) / 1000);
}

/** Which runs are averaged together, and what the group is called. */
function groupsOf(runs: readonly RunSummary[], groupBy: string): { label: string; runs: RunSummary[] }[] {
  const groups = new Map<string, { label: string; runs: RunSummary[] }>();
  if (groupBy === 'seed') {
    const shown = differingParams(runs).filter((k) => k !== 'seed');
    for (const run of runs) {
      const params = runParams(run);
      params.delete('seed');
      const key = JSON.stringify([...params]);
      const label = shown.map((k) => `${k}=${formatParamValue(params.get(k))}`).join(' ') || 'all runs';
      if (!groups.has(key)) groups.set(key, { label, runs: [] });
      groups.get(key)!.runs.push(run);
    }
  } else {
    if (!runs.some((r) => paramValue(r, groupBy) !== undefined)) {
      throw new FigureError(`group by "${groupBy}": no run has this parameter; parameters: seed, ${paramKeys(runs).join(', ')}`);
    }
    for (const run of runs) {
      const value = formatParamValue(paramValue(run, groupBy));
      if (!groups.has(value)) groups.set(value, { label: `${groupBy}=${value}`, runs: [] });
      groups.get(value)!.runs.push(run);
    }
  }
  return [...groups.values()].sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
}

/** Training curves of the runs' series of `request.metric` against step or time. */
export function curveFigure(series: readonly RunSeries[], request: FigureRequest): ComparisonFigure {
  if (request.x !== 'step' && request.x !== 'time') throw new FigureError(`x "${request.x}": curves are drawn against step or time`);
  const notes: string[] = [];
  const usable = series.filter((s) => {
    if (s.steps.length > 0) return true;
    notes.push(`${runLabel(s.run)} has no points of ${request.metric}`);
    return false;
  });
  const perRun = new Map(
    usable.map((s) => [s.run.id, { x: xValues(s, request.x), raw: s.values.slice(), y: emaSmooth(s.values, request.smoothing) }]),
  );
  const smoothed = request.smoothing > 0;
  const names = legendNames(usable.map((s) => s.run));
  let lines: FigureLine[];
  if (request.groupBy === null) {
    lines = usable.map((s) => {
      const d = perRun.get(s.run.id)!;
      return {
        label: names.get(s.run.id)!,
        runIds: [s.run.id],
        x: d.x,
        y: d.y,
        raw: smoothed ? d.raw : null,
        lower: null,
        upper: null,
        count: null,
        pointRuns: null,
        markers: d.x.length <= MARKERS_MAX_POINTS,
      };
    });
  } else {
    lines = groupsOf(
      usable.map((s) => s.run),
      request.groupBy,
    ).map((group) => {
      const members = group.runs.map((r) => perRun.get(r.id)!);
      const grid = commonGrid(members.map((m) => ({ x: m.x, y: m.y })));
      const mean = aggregateLines(members.map((m) => ({ x: m.x, y: m.y })), request.band, grid);
      const raw = aggregateLines(members.map((m) => ({ x: m.x, y: m.raw })), 'none', mean.x);
      const banded = request.band !== 'none' && group.runs.length > 1;
      return {
        label: `${group.label} (n=${group.runs.length})`,
        runIds: group.runs.map((r) => r.id),
        x: mean.x,
        y: mean.mean,
        raw: smoothed ? raw.mean : null,
        lower: banded ? mean.lower : null,
        upper: banded ? mean.upper : null,
        count: mean.count,
        pointRuns: null,
        markers: mean.x.length <= MARKERS_MAX_POINTS,
      };
    });
  }
  if (lines.length === 0) throw new FigureError(`metric "${request.metric}": none of the runs has points of it`);
  return {
    kind: 'curves',
    title: request.title ?? '',
    xTitle: request.x === 'step' ? 'step' : 'time (s)',
    yTitle: request.metric,
    logX: request.logX,
    logY: request.logY,
    lines,
    notes,
  };
}

/** A final metric against a numeric parameter, one point per run, runs at one x averaged per line. */
export function capacityFigure(runs: readonly RunSummary[], request: FigureRequest): ComparisonFigure {
  const numeric = numericParamKeys(runs);
  if (!numeric.includes(request.x)) {
    throw new FigureError(`x "${request.x}": not a numeric parameter of these runs; use step, time or one of ${numeric.join(', ') || '(none)'}`);
  }
  if (request.seriesBy !== null && !runs.some((r) => paramValue(r, request.seriesBy!) !== undefined)) {
    throw new FigureError(`lines by "${request.seriesBy}": no run has this parameter; parameters: ${paramKeys(runs).join(', ')}`);
  }
  const notes: string[] = [];
  const lines = new Map<string, Map<number, RunSummary[]>>();
  for (const run of runs) {
    const x = paramValue(run, request.x);
    const y = run.finalMetrics[request.metric];
    if (typeof x !== 'number') {
      notes.push(`${runLabel(run)} has no ${request.x}`);
      continue;
    }
    if (y === undefined) {
      notes.push(`${runLabel(run)} has no final ${request.metric}`);
      continue;
    }
    const line = request.seriesBy === null ? 'all runs' : formatParamValue(paramValue(run, request.seriesBy));
    if (!lines.has(line)) lines.set(line, new Map());
    const atX = lines.get(line)!;
    if (!atX.has(x)) atX.set(x, []);
    atX.get(x)!.push(run);
  }
  if (lines.size === 0) throw new FigureError(`metric "${request.metric}": no run has a final value of it together with ${request.x}`);
  const built: FigureLine[] = [...lines.entries()]
    .sort((a, b) => a[0].localeCompare(b[0], undefined, { numeric: true }))
    .map(([name, atX]) => {
      const xs = [...atX.keys()].sort((a, b) => a - b);
      const stats = xs.map((x) => bandStats(atX.get(x)!.map((r) => r.finalMetrics[request.metric]!), request.band));
      const banded = request.band !== 'none' && stats.some((s) => s.count > 1);
      return {
        label: request.seriesBy === null || request.seriesBy === 'model' ? name : `${request.seriesBy}=${name}`,
        runIds: xs.flatMap((x) => atX.get(x)!.map((r) => r.id)),
        x: xs,
        y: stats.map((s) => s.mean),
        raw: null,
        lower: banded ? stats.map((s) => s.lower) : null,
        upper: banded ? stats.map((s) => s.upper) : null,
        count: stats.map((s) => s.count),
        pointRuns: xs.map((x) => atX.get(x)!.map((r) => r.id)),
        markers: true,
      };
    });
  return {
    kind: 'capacity',
    title: request.title ?? '',
    xTitle: request.x,
    yTitle: `final ${request.metric}`,
    logX: request.logX,
    logY: request.logY,
    lines: built,
    notes,
  };
}

/**
 * The figure a request asks for: curves when x is step or time (from the runs' series of the metric,
 * in `runs.metrics` form), else a capacity curve (from the runs' final metrics).
 */
export function comparisonFigure(
  request: FigureRequest,
  runs: readonly RunSummary[],
  series: readonly { runId: RunId; steps: readonly number[]; values: readonly number[]; wallTimesMs: readonly number[] }[],
): ComparisonFigure {
  if (request.x !== 'step' && request.x !== 'time') return capacityFigure(runs, request);
  const byId = new Map(runs.map((r) => [r.id, r]));
  return curveFigure(
    series.flatMap((s) => {
      const run = byId.get(s.runId);
      return run ? [{ run, steps: s.steps, values: s.values, wallTimesMs: s.wallTimesMs }] : [];
    }),
    request,
  );
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvNumber(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? '' : String(value);
}

/**
 * The CSV of exactly what a figure plots: a commented header with the request and every run's id, name
 * and parameters, then one row per plotted point (`y` as drawn; `y_raw` the unsmoothed value drawn
 * faint; `y_lower`/`y_upper` the band; `n` the runs averaged).
 */
export function figureCsv(figure: ComparisonFigure, request: FigureRequest, runs: readonly RunSummary[]): string {
  const lines: string[] = [
    `# Engram figure (${figure.kind === 'curves' ? 'training curves' : 'capacity curve'}): ${figure.yTitle} against ${figure.xTitle}${figure.title ? `; title: ${figure.title}` : ''}`,
    `# smoothing: ${request.smoothing > 0 ? `EMA weight ${request.smoothing}` : 'none'}; ` +
      (figure.kind === 'curves' ? `group: ${request.groupBy ?? 'none'}` : `lines by: ${request.seriesBy ?? 'none'}`) +
      `; band: ${request.band}; log x: ${request.logX}; log y: ${request.logY}`,
    ...runs.map(
      (run) =>
        `# run ${run.id} ${JSON.stringify(run.name)} ${run.status}: ` +
        [...runParams(run)].map(([k, v]) => `${k}=${formatParamValue(v)}`).join(' '),
    ),
    ...figure.notes.map((note) => `# left out: ${note}`),
    'line,runs,x,y,y_raw,y_lower,y_upper,n',
  ];
  for (const line of figure.lines) {
    const label = csvField(line.label);
    line.x.forEach((x, i) => {
      const ids = (line.pointRuns?.[i] ?? line.runIds).join(' ');
      lines.push(
        [label, ids, csvNumber(x), csvNumber(line.y[i]), csvNumber(line.raw?.[i]), csvNumber(line.lower?.[i]), csvNumber(line.upper?.[i]), csvNumber(line.count?.[i])].join(','),
      );
    });
  }
  return `${lines.join('\n')}\n`;
}
