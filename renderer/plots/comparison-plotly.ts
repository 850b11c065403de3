// Turns a comparison figure into plotly data and layout, for the screen (WebGL traces once there are
// many points, hover, zoom) or for print (SVG traces only — a WebGL trace would be a raster inside an
// SVG or PDF — at an exact pixel size, in the bundled font at point sizes). Pure data. Renderer process.
import type { ComparisonFigure, FigureLine } from './comparison-figure';
import { TRACE_COLORS } from './plotly-figure';

/** Above this many points in a figure the screen draws with WebGL (scattergl). */
export const SCREEN_WEBGL_MIN_POINTS = 2000;

export type PlotTarget =
  | { readonly kind: 'screen'; readonly heightPx: number; readonly viewKey: string }
  | { readonly kind: 'print'; readonly widthPx: number; readonly heightPx: number; readonly fontFamily: string };

export interface ComparisonPlotly {
  readonly data: Record<string, unknown>[];
  readonly layout: Record<string, unknown>;
  readonly config: Record<string, unknown>;
}

const SCREEN_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
/** CSS pixels per typographic point (96 px and 72 pt to the inch). */
const PX_PER_PT = 96 / 72;

export function lineColor(index: number): string {
  return TRACE_COLORS[index % TRACE_COLORS.length]!;
}

/** `#0072B2` at `alpha` as rgba(), for bands and faint raw curves. */
export function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

function pointCount(figure: ComparisonFigure): number {
  return figure.lines.reduce((n, l) => n + l.x.length * (1 + Number(l.raw !== null) + 2 * Number(l.lower !== null)), 0);
}

/** A band as one closed polygon: along the upper edge, then back along the lower one. */
function bandPolygon(line: FigureLine): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  line.x.forEach((xi, i) => {
    if (Number.isFinite(line.upper![i]!)) {
      x.push(xi);
      y.push(line.upper![i]!);
    }
  });
  for (let i = line.x.length - 1; i >= 0; i--) {
    if (Number.isFinite(line.lower![i]!)) {
      x.push(line.x[i]!);
      y.push(line.lower![i]!);
    }
  }
  return { x, y };
}

export function comparisonPlotly(figure: ComparisonFigure, target: PlotTarget): ComparisonPlotly {
  const print = target.kind === 'print';
  const type = !print && pointCount(figure) > SCREEN_WEBGL_MIN_POINTS ? 'scattergl' : 'scatter';
  const lineWidth = print ? 1.25 : 1.6;
  const data: Record<string, unknown>[] = [];
  figure.lines.forEach((line, i) => {
    const color = lineColor(i);
    const group = `line-${i}`;
    if (line.lower && line.upper) {
      data.push({
        type,
        mode: 'lines',
        name: `${line.label} band`,
        legendgroup: group,
        showlegend: false,
        hoverinfo: 'skip',
        fill: 'toself',
        fillcolor: withAlpha(color, 0.2),
        line: { width: 0, color },
        ...bandPolygon(line),
      });
    }
    if (line.raw) {
      data.push({
        type,
        mode: 'lines',
        name: `${line.label} raw`,
        legendgroup: group,
        showlegend: false,
        hoverinfo: 'skip',
        x: line.x.slice(),
        y: line.raw.slice(),
        line: { width: lineWidth * 0.7, color: withAlpha(color, 0.25) },
      });
    }
    data.push({
      type,
      mode: line.markers ? 'lines+markers' : 'lines',
      name: line.label,
      legendgroup: group,
      x: line.x.slice(),
      y: line.y.slice(),
      line: { width: lineWidth, color },
      marker: { color, size: print ? 4 : 6 },
      hovertemplate: `${line.label}<br>${figure.xTitle} %{x}<br>${figure.yTitle} %{y:.4g}<extra></extra>`,
    });
  });

  const fontPx = (pt: number) => (print ? pt * PX_PER_PT : pt * 1.4);
  const axis = (title: string, log: boolean) => ({
    title: { text: title, font: { size: fontPx(8) }, standoff: print ? 4 : 8 },
    type: log ? 'log' : 'linear',
    zeroline: false,
    showline: true,
    linecolor: print ? '#000000' : '#8c959f',
    linewidth: print ? 0.75 : 1,
    ticks: 'outside',
    ticklen: print ? 3 : 4,
    tickwidth: print ? 0.75 : 1,
    tickcolor: print ? '#000000' : '#8c959f',
    tickfont: { size: fontPx(7) },
    gridcolor: print ? '#e6e6e6' : '#eaeef2',
    gridwidth: print ? 0.5 : 1,
    exponentformat: 'power',
    automargin: true,
  });
  const showTitle = figure.title !== '';
  const layout: Record<string, unknown> = {
    font: { family: print ? target.fontFamily : SCREEN_FONT, size: fontPx(8), color: '#1f2328' },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    margin: print ? { l: 6, r: 6, t: showTitle ? 22 : 6, b: 6, pad: 0 } : { l: 56, r: 16, t: showTitle ? 48 : 32, b: 44 },
    showlegend: figure.lines.length > 1 || figure.lines.some((l) => l.lower !== null),
    legend: print
      ? // Above the plot area, where it never hides a curve.
        { orientation: 'h', x: 0, xanchor: 'left', y: 1, yanchor: 'bottom', font: { size: fontPx(7) }, itemwidth: 30, tracegroupgap: 0 }
      : { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom', font: { size: 11 } },
    hovermode: print ? false : 'closest',
    xaxis: axis(figure.xTitle, figure.logX),
    yaxis: axis(figure.yTitle, figure.logY),
    ...(showTitle ? { title: { text: figure.title, font: { size: fontPx(8) }, x: 0.5, y: 0.99, yanchor: 'top' } } : {}),
  };
  if (print) {
    layout['width'] = target.widthPx;
    layout['height'] = target.heightPx;
  } else {
    layout['height'] = target.heightPx;
    layout['uirevision'] = target.viewKey;
  }
  const config = print
    ? { staticPlot: true, displayModeBar: false, responsive: false }
    : { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d'] };
  return { data, layout, config };
}
