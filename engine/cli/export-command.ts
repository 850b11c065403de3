// `engram export figure`: draws a comparison or capacity figure of runs from the lab book headlessly,
// with the renderer's own figure code in the system's Chromium, and writes it as PDF, SVG or PNG with
// the CSV of what it plotted beside it. CLI process.
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command, Option } from 'commander';
import type { z } from 'zod';
import { FigureFormat, FigureRequest, FigureSize, ONE_COLUMN_MM, TWO_COLUMN_MM } from '../api/figure';
import type { RunId } from '../api/schemas';
import { ConfigError } from '../core/config';
import { chromiumFigureRenderer } from '../lab/export/chromium-figure-renderer';
import { exportFigure, FigureInputError } from '../lab/export/figure-export';
import { labBookPath } from '../lab/paths';
import { LabStore } from '../lab/store/lab-store';

interface ExportFigureOptions {
  runs: string;
  metric: string;
  x: string;
  smooth: string;
  groupBy?: string;
  linesBy: string;
  band: string;
  logX?: boolean;
  logY?: boolean;
  title?: string;
  format?: string;
  widthMm: string;
  heightMm?: string;
  dpi: string;
  out: string;
  db?: string;
  json?: boolean;
}

const OWNER = 'export figure';

function bad(field: string, value: unknown, allowed: string): ConfigError {
  return new ConfigError(OWNER, field, value, allowed);
}

function number(field: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw bad(field, text, 'a number');
  return n;
}

/** `89`, `one-column` (89 mm) or `two-column` (183 mm). */
export function parseWidthMm(text: string): number {
  if (text === 'one-column') return ONE_COLUMN_MM;
  if (text === 'two-column') return TWO_COLUMN_MM;
  return number('--width-mm', text);
}

function parseRunIds(text: string): RunId[] {
  return text.split(',').map((part) => {
    const n = Number(part.trim());
    if (!Number.isSafeInteger(n) || n <= 0) throw bad('--runs', text, 'comma-separated run ids, e.g. 3,5,8');
    return n as RunId;
  });
}

/** The format: --format, else the --out file's extension; both given must agree. */
function formatOf(opts: ExportFigureOptions): FigureFormat {
  const ext = extname(opts.out).slice(1).toLowerCase();
  const fromOut = FigureFormat.safeParse(ext);
  if (opts.format === undefined) {
    if (!fromOut.success) throw bad('--format', undefined, `pdf | svg | png (or an --out file ending in one of them; got "${opts.out}")`);
    return fromOut.data;
  }
  const format = FigureFormat.safeParse(opts.format);
  if (!format.success) throw bad('--format', opts.format, 'pdf | svg | png');
  if (fromOut.success && fromOut.data !== format.data) throw bad('--out', opts.out, `a file name ending in .${format.data} (--format ${format.data})`);
  return format.data;
}

/** Validates with the contract's schemas, so the CLI and the LabApi refuse the same input the same way. */
function parsed<T extends z.ZodType>(schema: T, value: unknown, fieldNames: Readonly<Record<string, string>>): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  const given = (value as Record<string, unknown>)[key];
  throw bad(fieldNames[key] ?? key, given, issue.message);
}

/** The CSV's path: the figure's, with `.csv` for its extension. */
export function csvPathFor(out: string): string {
  const ext = extname(out);
  return `${ext ? out.slice(0, -ext.length) : out}.csv`;
}

export function exportCommand(rendererDir: string): Command {
  const command = new Command('export').description('export figures of runs (PDF, SVG, PNG) with their data as CSV');
  command
    .command('figure')
    .description('draw a metric of runs against step, time or a parameter (a capacity curve) and write it with its CSV')
    .requiredOption('--runs <ids>', 'comma-separated run ids')
    .requiredOption('--metric <key>', 'the metric on the y-axis (its final value per run when --x is a parameter)')
    .option('--x <axis>', 'step, time (seconds since start), or a parameter such as task.setSize or memoryFloats', 'step')
    .option('--smooth <weight>', 'EMA smoothing weight in [0, 1) for curves; the raw curve is drawn faint', '0')
    .option('--group-by <param>', 'average curves over runs: "seed" (runs that differ only in seed) or a parameter')
    .option('--lines-by <param>', 'capacity curves: one line per value of this parameter ("none" for one line)', 'model')
    .addOption(new Option('--band <kind>', 'band around averaged runs').choices(['std', 'minmax', 'none']).default('std'))
    .option('--log-x', 'logarithmic x-axis')
    .option('--log-y', 'logarithmic y-axis')
    .option('--title <text>', 'a title above the plot (none by default: papers caption their figures)')
    .addOption(new Option('--format <format>', 'pdf | svg | png (default: from the --out extension)'))
    .option('--width-mm <mm>', `width in millimetres, or one-column (${ONE_COLUMN_MM}) or two-column (${TWO_COLUMN_MM})`, 'one-column')
    .option('--height-mm <mm>', 'height in millimetres (default: suits the width)')
    .option('--dpi <dpi>', 'pixels per inch of a PNG', '300')
    .requiredOption('--out <file>', 'the figure file; the CSV is written beside it with the extension .csv')
    .addOption(new Option('--db <path>', 'lab book file (default: ENGRAM_DB, else the app-data folder)'))
    .addOption(new Option('--json', 'machine-readable output: one JSON value on the last line of stdout'))
    .action(async (opts: ExportFigureOptions) => {
      const figure = parsed(
        FigureRequest,
        {
          runIds: parseRunIds(opts.runs),
          metric: opts.metric,
          x: opts.x,
          smoothing: number('--smooth', opts.smooth),
          groupBy: opts.groupBy ?? null,
          seriesBy: opts.linesBy === 'none' ? null : opts.linesBy,
          band: opts.band,
          logX: Boolean(opts.logX),
          logY: Boolean(opts.logY),
          ...(opts.title !== undefined ? { title: opts.title } : {}),
        },
        { runIds: '--runs', metric: '--metric', x: '--x', smoothing: '--smooth', groupBy: '--group-by', seriesBy: '--lines-by', title: '--title' },
      );
      const size = parsed(
        FigureSize,
        {
          format: formatOf(opts),
          widthMm: parseWidthMm(opts.widthMm),
          ...(opts.heightMm !== undefined ? { heightMm: number('--height-mm', opts.heightMm) } : {}),
          dpi: number('--dpi', opts.dpi),
        },
        { format: '--format', widthMm: '--width-mm', heightMm: '--height-mm', dpi: '--dpi' },
      );
      const store = new LabStore(labBookPath(opts.db));
      let exported;
      try {
        exported = await exportFigure(store, chromiumFigureRenderer({ rendererDir }), figure, size);
      } catch (err) {
        if (!(err instanceof FigureInputError)) throw err;
        process.stderr.write(`engram: ${err.message}\n`);
        process.exitCode = 2;
        return;
      } finally {
        store.close();
      }
      const csvPath = csvPathFor(opts.out);
      const bytes = Buffer.from(exported.dataBase64, 'base64');
      writeFileSync(opts.out, bytes);
      writeFileSync(csvPath, exported.csv);
      const result = { out: opts.out, csv: csvPath, format: exported.format, widthMm: exported.widthMm, heightMm: exported.heightMm, bytes: bytes.length };
      if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else process.stdout.write(`wrote ${opts.out} (${exported.format}, ${exported.widthMm} × ${exported.heightMm} mm) and ${csvPath}\n`);
    });
  return command;
}
