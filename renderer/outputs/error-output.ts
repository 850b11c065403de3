// An error output: its name and message, and the traceback, where every "line L:C" of the cell is a
// link that puts the editor's cursor there; an interrupt, briefly. Renderer process.
import type { CellOutput } from '../../engine/api/notebook';
import { element } from '../dom/element';

type ErrorOutput = Extract<CellOutput, { type: 'error' }>;

/** A traceback line that points into the cell (as the kernel writes it), split around the position. */
export function cellPosition(line: string): { before: string; line: number; column: number; after: string } | null {
  const m = /^(.*\bline )(\d+):(\d+)(.*)$/.exec(line);
  if (!m || !/\bat cell\b/.test(m[1]!)) return null;
  return { before: m[1]!, line: Number(m[2]), column: Number(m[3]), after: m[4]! };
}

export function renderError(output: ErrorOutput, onCellLine: (line: number, column: number) => void): HTMLElement {
  // An interrupt is the user's own doing, not a fault: no traceback into the kernel's lab API.
  if (output.ename === 'KernelInterrupt') {
    const said = output.evalue.charAt(0).toUpperCase() + output.evalue.slice(1);
    return element('div', { className: 'output-interrupt', testId: 'output-error' }, [`${said}.`]);
  }
  const link = (line: number, column: number, text: string) => {
    const a = element('button', { className: 'link', testId: 'error-line', title: `Show line ${line} in the editor` }, [text]);
    a.addEventListener('click', () => onCellLine(line, column));
    return a;
  };
  // The first traceback line repeats name and message, shown as the heading.
  const frames = output.traceback[0] === `${output.ename}: ${output.evalue}` ? output.traceback.slice(1) : output.traceback;
  const lines = frames.map((text) => {
    const at = cellPosition(text);
    return element('div', {}, at ? [at.before, link(at.line, at.column, `${at.line}:${at.column}`), at.after] : [text]);
  });
  const where = output.line !== undefined ? link(output.line, output.column ?? 1, `line ${output.line}`) : null;
  return element('div', { className: 'output-error', testId: 'output-error' }, [
    element('div', { className: 'error-head' }, [element('strong', {}, [output.ename]), `: ${output.evalue}`, where ? ' at ' : '', where]),
    lines.length ? element('div', { className: 'traceback' }, lines) : null,
  ]);
}
