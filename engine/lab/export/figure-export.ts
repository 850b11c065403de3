// Exporting a comparison figure: gathers the runs and series a figure request names from the lab book
// and has a headless page draw them with the renderer's own figure code (a FigureRenderer: system
// Chromium through playwright-core, or an offscreen Electron window). Used by the `export.figure`
// handler and by `engram export figure`. Runs in the lab service process or the CLI.
import { CURVE_AXES, defaultHeightMm, type ExportedFigure, type FigurePayload, type FigureRequest, type FigureSize } from '../../api/figure';
import type { MetricSeries } from '../../api/schemas';
import type { LabStore } from '../store/lab-store';

/**
 * Points per series an export reads: a min/max down-sample above it (extremes kept), which is still
 * several points per pixel column of a two-column figure at 600 dpi.
 */
export const EXPORT_MAX_POINTS = 20_000;

/** Draws a figure payload headlessly: the file's bytes in the requested format, and the CSV of what it plotted. */
export interface FigureRenderer {
  render(payload: FigurePayload): Promise<{ bytes: Uint8Array; csv: string }>;
}

/** A figure request that cannot be drawn as asked (unknown metric or parameter, no such run). */
export class FigureInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FigureInputError';
  }
}

const MIME = { pdf: 'application/pdf', svg: 'image/svg+xml', png: 'image/png' } as const;

/** True when the figure draws series against step or time; false for a capacity curve (x is a parameter). */
export function isCurveFigure(figure: Pick<FigureRequest, 'x'>): boolean {
  return (CURVE_AXES as readonly string[]).includes(figure.x);
}

/** The payload a renderer draws: the runs in request order and, for curves, each run's series of the metric. */
export function figurePayload(store: LabStore, figure: FigureRequest, size: FigureSize): FigurePayload {
  const runs = figure.runIds.map((id) => store.getRunSummary(id));
  const series: MetricSeries[] = [];
  if (isCurveFigure(figure)) {
    for (const run of runs) {
      const s = store.readMetrics(run.id, figure.metric, { maxPoints: EXPORT_MAX_POINTS });
      if (!s) {
        const keys = store.metrics.stats(run.id).map((m) => m.key);
        throw new FigureInputError(`metric "${figure.metric}": run ${run.id} has no such series; it has ${keys.join(', ') || 'no metrics'}`);
      }
      series.push({ runId: run.id, ...s });
    }
  } else {
    const missing = runs.filter((r) => r.finalMetrics[figure.metric] === undefined).map((r) => r.id);
    if (missing.length) throw new FigureInputError(`metric "${figure.metric}": runs ${missing.join(', ')} have no final value of it`);
  }
  return { figure, size: { ...size, heightMm: size.heightMm ?? defaultHeightMm(size.widthMm) }, runs, series };
}

export async function exportFigure(store: LabStore, renderer: FigureRenderer, figure: FigureRequest, size: FigureSize): Promise<ExportedFigure> {
  const payload = figurePayload(store, figure, size);
  const { bytes, csv } = await renderer.render(payload);
  return {
    format: size.format,
    mime: MIME[size.format],
    fileName: `${fileStem(figure)}.${size.format}`,
    dataBase64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
    csv,
    widthMm: payload.size.widthMm,
    heightMm: payload.size.heightMm,
  };
}

/** `error_bits-vs-step`: what a saved figure is called unless the user says otherwise. */
export function fileStem(figure: Pick<FigureRequest, 'metric' | 'x'>): string {
  return `${figure.metric}-vs-${figure.x}`.replace(/[^A-Za-z0-9._-]+/g, '_');
}
