// A figure output: the kernel's plotly spec (data only, never script) drawn with the renderer's plotly
// bundle. A live figure (`figure.live`) is first filled from the runs' stored series — the spec holds
// only the points there were when the cell drew it — then grown in place by `runs.progressed` events
// while its runs train. An untrusted (imported) figure is drawn as it came. Renderer process.
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

/** The spec's layout over the notebook's defaults: a compact figure that fills the cell's width. */
export function notebookLayout(layout: Record<string, unknown> | undefined): Record<string, unknown> {
  return {
    height: 320,
    margin: { l: 56, r: 16, t: 40, b: 44 },
    font: { family: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif', size: 11, color: '#1f2328' },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    // Under the x-axis title, however many rows it takes (container coordinates make room for it).
    legend: { orientation: 'h', x: 0, xref: 'container', y: 0, yref: 'container', yanchor: 'bottom' },
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
    this.layout = notebookLayout(output.spec.layout);
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
