// Turns a figure spec into plotly's data, layout and config objects: the only place that knows
// plotly's attribute names. Pure data, no DOM, no plotly import. Renderer process.
import type { FigureSpec } from './figure-spec';

export interface PlotlyTrace {
  readonly type: 'scatter' | 'scattergl';
  readonly mode: 'lines' | 'lines+markers';
  readonly name: string;
  readonly x: number[];
  readonly y: number[];
  readonly xaxis: string;
  readonly yaxis: string;
  readonly line: { readonly color: string; readonly width: number };
  readonly marker: { readonly color: string; readonly size: number };
  readonly hovertemplate: string;
}

export interface PlotlyFigure {
  readonly data: PlotlyTrace[];
  readonly layout: Record<string, unknown>;
  readonly config: Record<string, unknown>;
}

/** Colour-blind-safe (Okabe–Ito), in a fixed order so a metric keeps its colour while a run grows. */
export const TRACE_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const PANEL_HEIGHT_PX = 170;
const MARGIN = { l: 60, r: 12, t: 28, b: 40 };
/** Vertical space between stacked panels, as a fraction of the plotting area. */
const PANEL_GAP = 0.08;

/** Plotly names a figure's y-axes y, y2, y3… and their layout entries yaxis, yaxis2… */
function axisSuffix(panel: number): string {
  return panel === 0 ? '' : String(panel + 1);
}

export function toPlotlyFigure(spec: FigureSpec): PlotlyFigure {
  const data: PlotlyTrace[] = [];
  spec.panels.forEach((panel, p) => {
    for (const t of panel.traces) {
      const color = TRACE_COLORS[data.length % TRACE_COLORS.length]!;
      data.push({
        type: t.renderer === 'webgl' ? 'scattergl' : 'scatter',
        mode: t.markers ? 'lines+markers' : 'lines',
        name: t.name,
        // Copies: plotly's extendTraces grows these arrays in place.
        x: t.x.slice(),
        y: t.y.slice(),
        xaxis: 'x',
        yaxis: `y${axisSuffix(p)}`,
        line: { color, width: 1.5 },
        marker: { color, size: 5 },
        hovertemplate: `${t.name}<br>step %{x}<br>%{y:.4g}<extra></extra>`,
      });
    }
  });

  const n = Math.max(1, spec.panels.length);
  const height = (1 - PANEL_GAP * (n - 1)) / n;
  const yAxes: Record<string, unknown> = {};
  spec.panels.forEach((panel, p) => {
    // Panel 0 on top.
    const top = 1 - p * (height + PANEL_GAP);
    yAxes[`yaxis${axisSuffix(p)}`] = {
      title: { text: panel.title },
      domain: [Math.max(0, top - height), top],
      type: spec.logY ? 'log' : 'linear',
      zeroline: false,
      gridcolor: '#eaeef2',
      exponentformat: 'power',
      automargin: true,
    };
  });

  const layout = {
    uirevision: spec.viewKey,
    height: MARGIN.t + MARGIN.b + n * PANEL_HEIGHT_PX,
    margin: MARGIN,
    font: { family: FONT, size: 11, color: '#24292f' },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    showlegend: true,
    legend: { orientation: 'h', x: 0, y: 1, yanchor: 'bottom' },
    hovermode: 'x',
    // One x-axis for all panels, drawn under the bottom one.
    xaxis: {
      title: { text: spec.xTitle },
      anchor: `y${axisSuffix(n - 1)}`,
      zeroline: false,
      gridcolor: '#eaeef2',
      automargin: true,
    },
    ...yAxes,
  };
  const config = {
    displaylogo: false,
    responsive: true,
    modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d'],
  };
  return { data, layout, config };
}
