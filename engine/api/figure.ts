// Schemas of comparison figures and their export: what to plot (runs, metric, x-axis, smoothing,
// grouping), at what physical size and format, and what the headless export page gets and gives back.
// Part of the contract: imports nothing of ours but the run schemas.
import { z } from 'zod';
import { RunId, SnapshotKind, type MetricSeries, type RunSummary } from './schemas';

/** Column widths of the usual journals (Nature, Science, Elsevier, IEEE within a millimetre). */
export const ONE_COLUMN_MM = 89;
export const TWO_COLUMN_MM = 183;

/** How a group of runs is drawn around its mean: one standard deviation, or the range of its members. */
export const BandKind = z.enum(['std', 'minmax', 'none']);
export type BandKind = z.infer<typeof BandKind>;

/** The x-axes of training curves; any other x is a run parameter and makes a capacity curve. */
export const CURVE_AXES = ['step', 'time'] as const;

export const FigureRequest = z
  .object({
    runIds: z.array(RunId).min(1).max(2000),
    /** The metric on the y-axis: a series per run (curves), or each run's final value (capacity). */
    metric: z.string().min(1),
    /**
     * `step`, `time` (seconds since the run started), or a run parameter such as `task.setSize` or
     * `memoryFloats`: then each run is one point at (its parameter value, its final metric value).
     */
    x: z.string().min(1).default('step'),
    /** Exponential moving average weight in [0, 1); 0 draws the raw series. Curves only. */
    smoothing: z.number().min(0).max(0.999).default(0),
    /**
     * Curves: null draws every run; `seed` averages runs that differ only in their seed; any other
     * parameter averages the runs that share its value.
     */
    groupBy: z.string().min(1).nullable().default(null),
    /** Capacity curves: the parameter whose values make separate lines (runs at one x are averaged). */
    seriesBy: z.string().min(1).nullable().default('model'),
    band: BandKind.default('std'),
    logX: z.boolean().default(false),
    logY: z.boolean().default(false),
    title: z.string().max(200).optional(),
  })
  .strict();
export type FigureRequest = z.output<typeof FigureRequest>;
export type FigureRequestInput = z.input<typeof FigureRequest>;

export const FigureFormat = z.enum(['pdf', 'svg', 'png']);
export type FigureFormat = z.infer<typeof FigureFormat>;

export const FigureSize = z
  .object({
    format: FigureFormat,
    widthMm: z.number().min(20).max(600),
    /** Omitted: a height that suits the width (see defaultHeightMm). */
    heightMm: z.number().min(20).max(600).optional(),
    /** Pixels per inch of a PNG; ignored by the vector formats. */
    dpi: z.number().int().min(50).max(1200).default(300),
  })
  .strict();
export type FigureSize = z.output<typeof FigureSize>;

/** A height that keeps a one-column figure compact and a wide one from turning into a banner. */
export function defaultHeightMm(widthMm: number): number {
  return Math.round(Math.min(widthMm * 0.68, 40 + widthMm * 0.25) * 10) / 10;
}

/** What the export page needs to draw a figure: the request, the runs, and their series (curves only). */
export interface FigurePayload {
  readonly figure: FigureRequest;
  readonly size: FigureSize & { readonly heightMm: number };
  readonly runs: readonly RunSummary[];
  readonly series: readonly MetricSeries[];
}

/** What the export page hands back: the drawn figure and exactly the data it plotted. */
export interface RenderedFigure {
  /** The SVG document at its physical size, fonts embedded (every format; PDF is printed from the page). */
  readonly svg: string;
  /** Only when the PNG format was asked for. */
  readonly pngBase64: string | null;
  readonly csv: string;
  readonly widthPx: number;
  readonly heightPx: number;
}

/** The page-side entry the headless drivers call: `window.engramExport.render(payload)`. */
export interface FigureExportEntry {
  render(payload: FigurePayload): Promise<RenderedFigure>;
  /** A notebook figure (a plotly spec) drawn at a pixel size, as base64 PNG (for .ipynb export). */
  renderSpec(spec: { data: Record<string, unknown>[]; layout?: Record<string, unknown> }, size: { widthPx: number; heightPx: number }): Promise<string>;
}

export const ExportedFigure = z.object({
  format: FigureFormat,
  mime: z.string(),
  /** A suggested file name (`<metric>-vs-<x>.<ext>`); the CSV's is the same with `.csv`. */
  fileName: z.string(),
  dataBase64: z.string(),
  csv: z.string(),
  widthMm: z.number(),
  heightMm: z.number(),
});
export type ExportedFigure = z.infer<typeof ExportedFigure>;

/** A tensor of a snapshot on the wire: little-endian bytes of its dtype, base64. */
export const SnapshotTensorData = z.object({
  name: z.string(),
  dtype: z.enum(['float32', 'int32', 'bool']),
  shape: z.array(z.number().int().nonnegative()),
  dataBase64: z.string(),
});
export type SnapshotTensorData = z.infer<typeof SnapshotTensorData>;

export const SnapshotData = z.object({
  snapshotId: z.number().int().positive(),
  runId: RunId,
  step: z.number().int(),
  kind: SnapshotKind,
  tensors: z.array(SnapshotTensorData),
});
export type SnapshotData = z.infer<typeof SnapshotData>;
