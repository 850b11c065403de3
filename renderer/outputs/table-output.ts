// A table output (`lab.table`): column headers and rows, numbers right-aligned at four significant
// digits, long tables cut with a count of the rows left out. Renderer process.
import type { CellOutput } from '../../engine/api/notebook';
import { element } from '../dom/element';

/** Rows drawn; the rest are counted (the lab book keeps them all, and .ipynb export writes them all). */
export const MAX_TABLE_ROWS = 500;

/** A table value as text: numbers at 4 significant digits (integers whole), null as an em dash. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    if (!Number.isFinite(value)) return String(value);
    const abs = Math.abs(value);
    return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? value.toExponential(3) : String(Number(value.toPrecision(4)));
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function renderTable(output: Extract<CellOutput, { type: 'table' }>): HTMLElement {
  const shown = output.rows.slice(0, MAX_TABLE_ROWS);
  const numeric = output.columns.map((_, c) => shown.length > 0 && shown.every((r) => typeof r[c] === 'number' || r[c] === null));
  const table = element('table', {}, [
    element('thead', {}, [element('tr', {}, output.columns.map((c, i) => element('th', { className: numeric[i] ? 'num' : '' }, [c])))]),
    element(
      'tbody',
      {},
      shown.map((row) => element('tr', {}, output.columns.map((_, c) => element('td', { className: numeric[c] ? 'num' : '' }, [formatCell(row[c])])))),
    ),
  ]);
  const more = output.rows.length - shown.length;
  return element('div', { className: 'output-table', testId: 'output-table' }, [
    table,
    more > 0 ? element('p', { className: 'muted' }, [`and ${more} more rows`]) : null,
  ]);
}
