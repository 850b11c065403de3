// Draws figure specs into an element with plotly, loaded on first use. A spec that only adds points to
// the traces already drawn becomes an extendTraces call, so a live run does not redraw its whole
// history on every update. Renderer process.
import type { PlotlyApi } from 'plotly.js/lib/core';
import { figureTraces, type FigureSpec } from './figure-spec';
import { toPlotlyFigure } from './plotly-figure';

let plotlyLoading: Promise<PlotlyApi> | null = null;

function loadPlotly(): Promise<PlotlyApi> {
  plotlyLoading ??= import('./plotly-bundle').then((m) => m.Plotly);
  return plotlyLoading;
}

/** What is on screen: everything but the points, and how many points each trace has. */
interface Drawn {
  readonly shape: string;
  readonly lengths: readonly number[];
}

export class PlotMount {
  private drawn: Drawn | null = null;
  private next: FigureSpec | null = null;
  private drawing = false;

  constructor(
    private readonly host: HTMLElement,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Shows `spec`. Calls made while a draw is in flight collapse into one draw of the latest spec. */
  render(spec: FigureSpec): void {
    this.next = spec;
    if (!this.drawing) void this.drain();
  }

  private async drain(): Promise<void> {
    this.drawing = true;
    try {
      while (this.next) {
        const spec = this.next;
        this.next = null;
        await this.draw(await loadPlotly(), spec);
      }
    } catch (err) {
      this.drawn = null;
      this.onError(err);
    } finally {
      this.drawing = false;
    }
  }

  private async draw(plotly: PlotlyApi, spec: FigureSpec): Promise<void> {
    const traces = figureTraces(spec);
    const shape = JSON.stringify({
      ...spec,
      panels: spec.panels.map((p) => ({ ...p, traces: p.traces.map((t) => ({ ...t, x: null, y: null })) })),
    });
    const lengths = traces.map((t) => t.x.length);
    const before = this.drawn;
    this.drawn = { shape, lengths };
    if (before && before.shape === shape && lengths.every((n, i) => n >= before.lengths[i]!)) {
      const grown = traces.map((_, i) => i).filter((i) => lengths[i]! > before.lengths[i]!);
      if (grown.length === 0) return;
      await plotly.extendTraces(
        this.host,
        {
          x: grown.map((i) => traces[i]!.x.slice(before.lengths[i])),
          y: grown.map((i) => traces[i]!.y.slice(before.lengths[i])),
        },
        grown,
      );
      return;
    }
    const figure = toPlotlyFigure(spec);
    await plotly.react(this.host, figure.data, figure.layout, figure.config);
  }
}
