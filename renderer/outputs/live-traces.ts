// The data of a live figure (`figure.live`): one trace per run, filled from the stored series, then
// grown by `runs.progressed` points, never doubled (points that come early wait). Pure. Renderer process.
import type { CellOutput } from '../../engine/api/notebook';
import type { MetricPointData, RunId } from '../../engine/api/schemas';

export type LiveFigure = NonNullable<Extract<CellOutput, { type: 'figure' }>['live']>;

export interface StoredSeries {
  readonly steps: readonly number[];
  readonly values: readonly number[];
  readonly wallTimesMs: readonly number[];
}

export interface TraceData {
  readonly x: number[];
  readonly y: number[];
}

/** Points to add at the end of one trace. */
export interface TraceExtension extends TraceData {
  readonly trace: number;
}

interface TraceState {
  loaded: boolean;
  lastStep: number;
  /** Wall time of the run's first point: x = 0 when plotting against time. */
  t0: number | null;
  waiting: MetricPointData[];
}

export class LiveTraces {
  private readonly traces: TraceState[];

  constructor(private readonly live: LiveFigure) {
    this.traces = live.runIds.map(() => ({ loaded: false, lastStep: -Infinity, t0: null, waiting: [] }));
  }

  get runIds(): readonly RunId[] {
    return this.live.runIds;
  }

  /** A run's trace from its stored series (undefined: none yet), with any points that came meanwhile. */
  load(runId: RunId, series: StoredSeries | undefined): TraceExtension | null {
    const trace = this.live.runIds.indexOf(runId);
    const state = this.traces[trace];
    if (!state) return null;
    state.loaded = true;
    state.lastStep = -Infinity;
    state.t0 = series?.wallTimesMs[0] ?? null;
    const points: MetricPointData[] = (series?.steps ?? []).map((step, i) => ({
      key: this.live.metric,
      step,
      value: series!.values[i]!,
      wallTimeMs: series!.wallTimesMs[i] ?? 0,
    }));
    const all = this.take(state, [...points, ...state.waiting]);
    state.waiting = [];
    return { trace, ...all };
  }

  /** The new points of the figure's metric a progress event brings, per trace. */
  extend(event: { readonly runId: RunId; readonly points: readonly MetricPointData[] }): TraceExtension | null {
    const trace = this.live.runIds.indexOf(event.runId);
    const state = this.traces[trace];
    if (!state) return null;
    const points = event.points.filter((p) => p.key === this.live.metric);
    if (!state.loaded) {
      state.waiting.push(...points);
      return null;
    }
    const added = this.take(state, points);
    return added.x.length ? { trace, ...added } : null;
  }

  /** The points beyond the trace's last step, in step order, as x and y. */
  private take(state: TraceState, points: readonly MetricPointData[]): TraceData {
    const x: number[] = [];
    const y: number[] = [];
    for (const p of [...points].sort((a, b) => a.step - b.step)) {
      if (p.step <= state.lastStep) continue;
      state.lastStep = p.step;
      state.t0 ??= p.wallTimeMs;
      x.push(this.live.x === 'time' ? (p.wallTimeMs - state.t0) / 1000 : p.step);
      y.push(p.value);
    }
    return { x, y };
  }
}
