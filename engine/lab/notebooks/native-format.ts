// The native notebook file: Markdown with YAML front matter, each cell introduced by a marker line
// `<!-- cell ID KIND -->`, code cells as fenced `ts` blocks. Plain text, diffable, output-free, with
// stable cell ids. Runs in the lab service process.
import { randomBytes } from 'node:crypto';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { Cell, CellId, NotebookDoc } from '../../api/notebook';
import { LabError } from '../dispatcher';

/** The version of the file format written in the front matter. */
export const FORMAT_VERSION = 1;
export const NOTEBOOK_EXTENSION = '.engram.md';

const MARKER = /^<!-- cell ([A-Za-z0-9_-]{1,64}) (code|markdown) -->$/;
// A markdown line that would read as a marker is written with a backslash in front.
const ESCAPED_MARKER = /^\\(<!-- cell [A-Za-z0-9_-]{1,64} (?:code|markdown) -->)$/;

/** A notebook file that cannot be read, with the line at fault. */
export class NotebookFormatError extends LabError {
  constructor(
    readonly path: string,
    readonly line: number,
    message: string,
  ) {
    super('invalid_params', `${path}:${line}: ${message}`);
    this.name = 'NotebookFormatError';
  }
}

export function newCellId(): CellId {
  return randomBytes(4).toString('hex') as CellId;
}

/** The longest run of backticks in a text, so a fence around it can be one longer. */
function longestBacktickRun(text: string): number {
  let best = 0;
  for (const m of text.matchAll(/`+/g)) best = Math.max(best, m[0].length);
  return best;
}

export function serializeNotebook(doc: NotebookDoc): string {
  const front = stringifyYaml({ engram: FORMAT_VERSION, title: doc.title }).trimEnd();
  const parts = [`---\n${front}\n---\n`];
  for (const cell of doc.cells) {
    parts.push(`<!-- cell ${cell.id} ${cell.kind} -->`);
    if (cell.kind === 'code') {
      const fence = '`'.repeat(Math.max(3, longestBacktickRun(cell.source) + 1));
      parts.push(`${fence}ts\n${cell.source}${cell.source.endsWith('\n') || cell.source === '' ? '' : '\n'}${fence}\n`);
    } else {
      const text = cell.source
        .split('\n')
        .map((line) => (MARKER.test(line) || ESCAPED_MARKER.test(line) ? `\\${line}` : line))
        .join('\n');
      parts.push(`${text}\n`);
    }
  }
  return parts.join('\n');
}

/**
 * Reads a notebook file. A Markdown file without cell markers (written elsewhere) is read too: its
 * fenced ts/typescript/js blocks become code cells and the text between them markdown cells.
 */
export function parseNotebook(text: string, path: string): NotebookDoc {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let title = titleFromPath(path);
  let start = 0;
  if (lines[0] === '---') {
    const end = lines.indexOf('---', 1);
    if (end < 0) throw new NotebookFormatError(path, 1, 'front matter opened with --- is never closed');
    let meta: unknown;
    try {
      meta = parseYaml(lines.slice(1, end).join('\n')) ?? {};
    } catch (err) {
      throw new NotebookFormatError(path, 2, `front matter is not YAML: ${(err as Error).message.split('\n')[0]}`);
    }
    const m = meta as { engram?: unknown; title?: unknown };
    if (m.engram !== undefined && m.engram !== FORMAT_VERSION) {
      throw new NotebookFormatError(path, 2, `format version ${String(m.engram)} is not supported (this Engram reads ${FORMAT_VERSION})`);
    }
    if (typeof m.title === 'string') title = m.title;
    start = end + 1;
  }
  const body = lines.slice(start);
  const hasMarkers = body.some((l) => MARKER.test(l));
  const cells = hasMarkers ? parseMarked(body, start, path) : parseLoose(body);
  return { title, cells };
}

function parseMarked(lines: readonly string[], offset: number, path: string): Cell[] {
  const cells: Cell[] = [];
  const seen = new Set<string>();
  let i = 0;
  while (i < lines.length && !MARKER.test(lines[i]!)) {
    if (lines[i]!.trim() !== '') throw new NotebookFormatError(path, offset + i + 1, 'text before the first cell marker');
    i++;
  }
  while (i < lines.length) {
    const [, id, kind] = MARKER.exec(lines[i]!)!;
    if (seen.has(id!)) throw new NotebookFormatError(path, offset + i + 1, `cell id ${id} appears twice`);
    seen.add(id!);
    const markerLine = i;
    i++;
    const content: string[] = [];
    while (i < lines.length && !MARKER.test(lines[i]!)) content.push(lines[i++]!);
    while (content.length && content[content.length - 1]!.trim() === '') content.pop();
    if (kind === 'code') {
      cells.push({ id: id as CellId, kind: 'code', source: codeFromFence(content, offset + markerLine + 2, path) });
    } else {
      const source = content.map((l) => l.replace(ESCAPED_MARKER, '$1')).join('\n');
      cells.push({ id: id as CellId, kind: 'markdown', source });
    }
  }
  return cells;
}

function codeFromFence(content: readonly string[], firstLine: number, path: string): string {
  if (content.length === 0) return '';
  const open = /^(`{3,}|~{3,})\s*(ts|typescript|js|javascript)?\s*$/.exec(content[0]!);
  if (!open) throw new NotebookFormatError(path, firstLine, 'a code cell must be a fenced ```ts block');
  const fence = open[1]!;
  const last = content[content.length - 1]!;
  if (last.trim() !== fence || content.length < 2) {
    throw new NotebookFormatError(path, firstLine + content.length - 1, `the code fence ${fence} is not closed`);
  }
  return content.slice(1, -1).join('\n');
}

function parseLoose(lines: readonly string[]): Cell[] {
  const cells: Cell[] = [];
  let text: string[] = [];
  const flushText = () => {
    const source = text.join('\n').trim();
    if (source) cells.push({ id: newCellId(), kind: 'markdown', source });
    text = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*(ts|typescript|js|javascript)\s*$/.exec(lines[i]!);
    const close = open ? lines.findIndex((l, j) => j > i && l.trim() === open[1]) : -1;
    if (open && close > i) {
      flushText();
      cells.push({ id: newCellId(), kind: 'code', source: lines.slice(i + 1, close).join('\n') });
      i = close;
    } else {
      text.push(lines[i]!);
    }
  }
  flushText();
  return cells;
}

function titleFromPath(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.engram\.md$|\.md$|\.ipynb$/, '') || 'Untitled';
}
