// Draws a prepared plotly figure (comparison curves, capacity curves, memory heatmaps) into an element,
// loading plotly on first use, and reports zooms: the visible x-range after a relayout, or null when
// the axes went back to autorange. Draws collapse to the latest figure. Renderer process.
import type { PlotlyApi, PlotlyElement } from 'plotly.js/lib/core';

let plotlyLoading: Promise<PlotlyApi> | null = null;

function loadPlotly(): Promise<PlotlyApi> {
  plotlyLoading ??= import('./plotly-bundle').then((m) => m.Plotly);
  return plotlyLoading;
}

export interface PlotlyFigureData {
  readonly data: readonly object[];
  readonly layout: object;
  readonly config: object;
}

/** Starts loading plotly (megabytes of script) ahead of the first figure, when one is about to be asked for. */
export function preloadPlotly(): void {
  void loadPlotly().catch(() => undefined);
}

/** The x-range a relayout event leaves on screen: a range, `null` for autorange, undefined when x did not change. */
export function relayoutXRange(update: Record<string, unknown>): [number, number] | null | undefined {
  if (update['xaxis.autorange'] === true) return null;
  const lo = update['xaxis.range[0]'];
  const hi = update['xaxis.range[1]'];
  if (typeof lo === 'number' && typeof hi === 'number') return [Math.min(lo, hi), Math.max(lo, hi)];
  const range = update['xaxis.range'];
  if (Array.isArray(range) && typeof range[0] === 'number' && typeof range[1] === 'number') return [range[0], range[1]];
  return undefined;
}

export class PlotlyView {
  private next: PlotlyFigureData | null = null;
  private drawing = false;
  private listening = false;

  constructor(
    readonly host: HTMLElement,
    private readonly onError: (err: unknown) => void,
    private readonly onZoom?: (range: [number, number] | null) => void,
  ) {}

  render(figure: PlotlyFigureData): void {
    this.next = figure;
    if (!this.drawing) void this.drain();
  }

  /** Frees plotly's state (and its WebGL context) when the view goes away. */
  async clear(): Promise<void> {
    this.next = null;
    (await loadPlotly()).purge(this.host);
    this.listening = false;
  }

  private async drain(): Promise<void> {
    this.drawing = true;
    try {
      while (this.next) {
        const figure = this.next;
        this.next = null;
        const plotly = await loadPlotly();
        const el: PlotlyElement = await plotly.react(this.host, figure.data, figure.layout, figure.config);
        if (!this.listening && this.onZoom && el.on) {
          this.listening = true;
          el.on('plotly_relayout', (update) => {
            const range = relayoutXRange(update);
            if (range !== undefined) this.onZoom!(range);
          });
        }
      }
    } catch (err) {
      this.onError(err);
    } finally {
      this.drawing = false;
    }
  }
}
