// Conversion between native notebooks (with their stored outputs) and nbformat 4.5 `.ipynb` files,
// so work can move to and from Jupyter. Runs in the lab service process and the CLI.
import type { Cell, CellId, CellOutput, NotebookDoc, StoredCellOutputs } from '../../api/notebook';
import { LabError } from '../dispatcher';
import { newCellId } from './native-format';

/** A figure spec rendered to PNG (base64), where a renderer is at hand (headless Chromium). */
export type FigureToPng = (spec: Extract<CellOutput, { type: 'figure' }>['spec']) => Promise<string | null>;

/** A session that draws notebook figures to PNG for one export, then is closed. */
export interface NotebookFigures {
  readonly toPng: FigureToPng;
  close(): Promise<void>;
}

/** An image grid encoded as PNG (base64). */
export type ImagesToPng = (output: Extract<CellOutput, { type: 'images' }>) => string;

type Json = Record<string, unknown>;

const KERNELSPEC = { name: 'engram-typescript', display_name: 'Engram (TypeScript)', language: 'typescript' };
const CELL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** nbformat stores multi-line text as a list of lines, each but the last keeping its newline. */
function toLines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  return parts.map((l, i) => (i < parts.length - 1 ? `${l}\n` : l)).filter((l) => l !== '');
}

function fromLines(value: unknown): string {
  return Array.isArray(value) ? value.join('') : typeof value === 'string' ? value : '';
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

async function outputToIpynb(o: CellOutput, executionCount: number | null, render: { figure: FigureToPng; images: ImagesToPng }): Promise<Json | null> {
  switch (o.type) {
    case 'stream':
      return { output_type: 'stream', name: o.name, text: toLines(o.text) };
    case 'error':
      return { output_type: 'error', ename: o.ename, evalue: o.evalue, traceback: o.traceback };
    case 'result':
      return { output_type: 'execute_result', execution_count: executionCount, data: { 'text/plain': toLines(o.text) }, metadata: {} };
    case 'table': {
      const html = `<table><thead><tr>${o.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${o.rows
        .map((r) => `<tr>${r.map((v) => `<td>${escapeHtml(String(v))}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`;
      const plain = [o.columns.join('\t'), ...o.rows.map((r) => r.map(String).join('\t'))].join('\n');
      return { output_type: 'display_data', data: { 'text/html': toLines(html), 'text/plain': toLines(plain) }, metadata: {} };
    }
    case 'figure': {
      const png = await render.figure(o.spec);
      const data: Json = { 'application/vnd.plotly.v1+json': o.spec, 'text/plain': ['<Figure>'] };
      if (png) data['image/png'] = png;
      return { output_type: 'display_data', data, metadata: {} };
    }
    case 'images':
      return {
        output_type: 'display_data',
        data: { 'image/png': render.images(o), 'text/plain': [`<${o.count} ${o.kind === 'bits' ? 'patterns' : 'images'}>`] },
        metadata: {},
      };
    case 'image':
      return { output_type: 'display_data', data: { [o.mime]: o.dataBase64, 'text/plain': ['<Image>'] }, metadata: {} };
    case 'html':
      return { output_type: 'display_data', data: { 'text/html': toLines(o.html), 'text/plain': ['<HTML>'] }, metadata: {} };
    case 'run':
      return {
        output_type: 'display_data',
        data: { 'text/plain': [`run ${o.runId} ${o.name}: ${o.model} on ${o.task}`], 'application/vnd.engram.run+json': o },
        metadata: {},
      };
    case 'progress':
      return { output_type: 'stream', name: 'stderr', text: [`${o.label} ${o.done}/${o.total}\n`] };
  }
}

/** A notebook and its outputs as an nbformat 4.5 document. */
export async function toIpynb(
  doc: NotebookDoc,
  outputs: readonly StoredCellOutputs[],
  render: { figure: FigureToPng; images: ImagesToPng },
): Promise<Json> {
  const byCell = new Map(outputs.map((o) => [o.cellId, o]));
  const cells: Json[] = [];
  for (const cell of doc.cells) {
    if (cell.kind === 'markdown') {
      cells.push({ cell_type: 'markdown', id: cell.id, metadata: {}, source: toLines(cell.source) });
      continue;
    }
    const stored = byCell.get(cell.id);
    const executionCount = stored?.executionCount ?? null;
    const converted = await Promise.all((stored?.outputs ?? []).map((o) => outputToIpynb(o, executionCount, render)));
    cells.push({
      cell_type: 'code',
      id: cell.id,
      metadata: {},
      execution_count: executionCount,
      source: toLines(cell.source),
      outputs: converted.filter((o): o is Json => o !== null),
    });
  }
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: KERNELSPEC,
      language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' },
      engram: { title: doc.title },
    },
    cells,
  };
}

function outputFromIpynb(o: Json): CellOutput | null {
  switch (o.output_type) {
    case 'stream':
      return { type: 'stream', name: o.name === 'stderr' ? 'stderr' : 'stdout', text: fromLines(o.text) };
    case 'error':
      return {
        type: 'error',
        ename: String(o.ename ?? 'Error'),
        evalue: String(o.evalue ?? ''),
        traceback: Array.isArray(o.traceback) ? o.traceback.map(String) : [],
      };
    case 'execute_result':
    case 'display_data': {
      const data = (o.data ?? {}) as Json;
      const run = data['application/vnd.engram.run+json'] as Extract<CellOutput, { type: 'run' }> | undefined;
      if (run && typeof run.runId === 'number') return run;
      const plotly = data['application/vnd.plotly.v1+json'] as { data?: unknown; layout?: unknown } | undefined;
      if (plotly && Array.isArray(plotly.data)) return { type: 'figure', spec: { data: plotly.data as Json[], layout: (plotly.layout ?? {}) as Json } };
      for (const mime of ['image/png', 'image/jpeg'] as const) {
        if (typeof data[mime] === 'string') return { type: 'image', mime, dataBase64: (data[mime] as string).replace(/\s/g, '') };
      }
      if (data['text/html'] !== undefined) return { type: 'html', html: fromLines(data['text/html']) };
      if (data['text/plain'] !== undefined) return { type: 'result', text: fromLines(data['text/plain']) };
      return null;
    }
    default:
      return null;
  }
}

/** Reads an nbformat 4 document: cells (ids kept where valid) and their outputs, for import. */
export function fromIpynb(
  json: unknown,
  path: string,
): { doc: NotebookDoc; outputs: { cellId: CellId; source: string; executionCount: number | null; outputs: CellOutput[] }[] } {
  const nb = json as { nbformat?: unknown; cells?: unknown; metadata?: { engram?: { title?: unknown } } };
  if (nb?.nbformat !== 4 || !Array.isArray(nb.cells)) {
    throw new LabError('invalid_params', `${path}: not an nbformat 4 notebook (nbformat is ${JSON.stringify(nb?.nbformat)})`);
  }
  const seen = new Set<string>();
  const cells: Cell[] = [];
  const outputs: { cellId: CellId; source: string; executionCount: number | null; outputs: CellOutput[] }[] = [];
  for (const raw of nb.cells as Json[]) {
    if (raw.cell_type !== 'code' && raw.cell_type !== 'markdown') continue; // raw cells have no place here
    const id = typeof raw.id === 'string' && CELL_ID.test(raw.id) && !seen.has(raw.id) ? (raw.id as CellId) : newCellId();
    seen.add(id);
    const source = fromLines(raw.source);
    cells.push({ id, kind: raw.cell_type, source });
    if (raw.cell_type === 'code' && Array.isArray(raw.outputs) && raw.outputs.length) {
      outputs.push({
        cellId: id,
        source,
        executionCount: typeof raw.execution_count === 'number' ? raw.execution_count : null,
        outputs: (raw.outputs as Json[]).map(outputFromIpynb).filter((o): o is CellOutput => o !== null),
      });
    }
  }
  const fileTitle = path.split(/[\\/]/).pop()!.replace(/\.ipynb$/, '');
  const title = typeof nb.metadata?.engram?.title === 'string' ? nb.metadata.engram.title : fileTitle;
  return { doc: { title, cells }, outputs };
}
