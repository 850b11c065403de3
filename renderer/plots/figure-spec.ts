// Figures as plain data: what to draw, independent of plotly, so that they can be tested, saved with a
// run and exported later. Built here from metric series; turned into plotly calls by plotly-figure.ts.
// No DOM. Renderer process.
import type { SeriesSet } from './metric-series';

/** Above this many points a trace is drawn with WebGL (plotly's scattergl) rather than SVG. */
export const WEBGL_MIN_POINTS = 5000;
/** Series this short (evaluations every N steps) get markers, so that single points stay visible. */
export const MARKERS_MAX_POINTS = 30;

export interface LineTraceSpec {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly markers: boolean;
  readonly renderer: 'svg' | 'webgl';
}

/** One y-axis of a figure; panels are stacked and share the x-axis. */
export interface PanelSpec {
  readonly title: string;
  readonly traces: readonly LineTraceSpec[];
}

export interface LineFigureSpec {
  readonly kind: 'lines';
  readonly xTitle: string;
  readonly logY: boolean;
  /** Zoom and legend state survive redraws while this stays the same (plotly's uirevision). */
  readonly viewKey: string;
  readonly panels: readonly PanelSpec[];
}

export type FigureSpec = LineFigureSpec;

export interface MetricFigureOptions {
  readonly logY: boolean;
  readonly viewKey: string;
}

/** Metric keys sharing the part before a `/` (`loss`, `loss/kl`) are one family, drawn in one panel. */
export function metricFamily(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? key : key.slice(0, slash);
}

/**
 * One line per metric key against the step, one panel per metric family (metrics of different
 * scales stay readable), the loss family first and the rest in the set's order.
 */
export function metricFigure(set: SeriesSet, options: MetricFigureOptions): LineFigureSpec {
  const panels = new Map<string, LineTraceSpec[]>();
  for (const s of set.values()) {
    const family = metricFamily(s.key);
    let traces = panels.get(family);
    if (!traces) panels.set(family, (traces = []));
    traces.push({
      name: s.key,
      x: s.steps.slice(),
      y: s.values.slice(),
      markers: s.steps.length <= MARKERS_MAX_POINTS,
      renderer: s.steps.length > WEBGL_MIN_POINTS ? 'webgl' : 'svg',
    });
  }
  const families = [...panels.keys()].sort((a, b) => Number(b === 'loss') - Number(a === 'loss'));
  return {
    kind: 'lines',
    xTitle: 'step',
    logY: options.logY,
    viewKey: options.viewKey,
    panels: families.map((family) => ({ title: family, traces: panels.get(family)! })),
  };
}

/** Every trace of a figure in drawing order (panel by panel): the order plotly indexes them in. */
export function figureTraces(spec: FigureSpec): LineTraceSpec[] {
  return spec.panels.flatMap((p) => p.traces);
}
