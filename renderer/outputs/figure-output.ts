// A figure output: the kernel's plotly spec drawn with the renderer's plotly bundle; a live one is filled
// from its runs' stored series and grown in place while they train (an imported one stays as it came).
// Renderer process.
import type { CellOutput } from '../../engine/api/notebook';
import type { PlotlyApi } from 'plotly.js/lib/core';
import type { RendererLabClient } from '../api/lab-client';
import { describeError } from '../api/lab-call-error';
import { element } from '../dom/element';
import { LiveTraces, type TraceData, type TraceExtension } from './live-traces';

type FigureOutputData = Extract<CellOutput, { type: 'figure' }>;

/** Points fetched per run when a live figure is filled (the service down-samples above this). */
const LIVE_MAX_POINTS = 2000;

let plotlyLoading: Promise<PlotlyApi> | null = null;

function loadPlotly(): Promise<PlotlyApi> {
  plotlyLoading ??= import('../plots/plotly-bundle').then((m) => m.Plotly);
  return plotlyLoading;
}

/** Heights in the figure, top to bottom: title, plotting area, x-axis ticks and title, legend rows. */
const TOP_PX = 40;
const PLOT_PX = 212;
const AXIS_PX = 48;
const LEGEND_ROW_PX = 20;
const LEGEND_ENTRIES_PER_ROW = 3;

/** Traces that get a legend entry (plotly gives none to a lone trace, nor to hidden band edges). */
function legendEntries(data: readonly Record<string, unknown>[]): number {
  return data.length < 2 ? 0 : data.filter((t) => t['showlegend'] !== false).length;
}

/**
 * The spec's layout over the notebook's defaults: a compact figure that fills the cell's width, with
 * its legend (when it has one) in rows under the x-axis title, where it hides no data.
 */
export function notebookLayout(layout: Record<string, unknown> | undefined, data: readonly Record<string, unknown>[]): Record<string, unknown> {
  const legendPx = Math.ceil(legendEntries(data) / LEGEND_ENTRIES_PER_ROW) * LEGEND_ROW_PX;
  return {
    height: TOP_PX + PLOT_PX + AXIS_PX + legendPx,
    margin: { l: 56, r: 16, t: TOP_PX, b: AXIS_PX + legendPx },
    font: { family: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif', size: 11, color: '#1f2328' },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    // y is in plot heights: the legend starts just under the x-axis title.
    legend: { orientation: 'h', x: 0, xanchor: 'left', y: -AXIS_PX / PLOT_PX, yanchor: 'top' },
    ...layout,
    autosize: true,
    // Zoom and legend choices survive the redraws a live figure makes.
    uirevision: 'cell-figure',
  };
}

const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d'] };

export class FigureOutput {
  readonly element: HTMLElement;
  private readonly plot = element('div', { className: 'plot', testId: 'output-figure' });
  private readonly note = element('p', { className: 'muted output-note' });
  /** The traces with every point drawn or queued to be, kept here because plotly grows its own copies in place. */
  private readonly traces: Record<string, unknown>[];
  private readonly layout: Record<string, unknown>;
  private drawing: Promise<void> = Promise.resolve();
  private readonly unsubscribe: (() => void)[] = [];
  private disposed = false;

  constructor(output: FigureOutputData, client: RendererLabClient, trusted: boolean) {
    this.note.hidden = true;
    this.element = element('div', { className: 'output-figure' }, [this.plot, this.note]);
    this.traces = structuredClone(output.spec.data);
    this.layout = notebookLayout(output.spec.layout, output.spec.data);
    this.redraw();
    if (output.live && trusted) this.goLive(new LiveTraces(output.live), output.live.metric, client);
  }

  dispose(): void {
    this.disposed = true;
    for (const off of this.unsubscribe) off();
    void this.drawing.then(async () => (await loadPlotly()).purge(this.plot));
  }

  private goLive(live: LiveTraces, metric: string, client: RendererLabClient): void {
    this.unsubscribe.push(
      client.on('runs.progressed', (event) => {
        const added = live.extend(event);
        if (added) this.extend(added);
      }),
    );
    for (const runId of live.runIds) {
      client
        .call('runs.metrics', { runId, keys: [metric], maxPoints: LIVE_MAX_POINTS })
        .then((series) => {
          const loaded = live.load(runId, series.find((s) => s.key === metric));
          if (loaded) this.replace(loaded);
        })
        .catch((err: unknown) => {
          this.note.textContent = `Could not load the points of run ${runId}: ${describeError(err)}`;
          this.note.hidden = false;
        });
    }
  }

  private replace(trace: TraceExtension): void {
    const target = this.traces[trace.trace];
    if (!target) return;
    target['x'] = trace.x;
    target['y'] = trace.y;
    this.redraw();
  }

  /** Draws the traces as they are now (copied now: the extensions queued after this one build on it). */
  private redraw(): void {
    const data = structuredClone(this.traces);
    this.enqueue((plotly) => plotly.react(this.plot, data, this.layout, CONFIG));
  }

  private extend(added: TraceExtension): void {
    const target = this.traces[added.trace];
    if (!target) return;
    const grown: TraceData = { x: [...asNumbers(target['x']), ...added.x], y: [...asNumbers(target['y']), ...added.y] };
    target['x'] = grown.x;
    target['y'] = grown.y;
    this.enqueue((plotly) => plotly.extendTraces(this.plot, { x: [added.x], y: [added.y] }, [added.trace]));
  }

  /** Plotly calls run one after another, each on the figure the last one left. */
  private enqueue(draw: (plotly: PlotlyApi) => Promise<unknown>): void {
    this.drawing = this.drawing
      .then(async () => {
        if (!this.disposed) await draw(await loadPlotly());
      })
      .catch((err: unknown) => {
        this.note.textContent = `The figure could not be drawn: ${describeError(err)}`;
        this.note.hidden = false;
      });
  }
}

function asNumbers(value: unknown): number[] {
  return Array.isArray(value) ? (value as number[]) : [];
}
