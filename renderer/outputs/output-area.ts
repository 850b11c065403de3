// A code cell's outputs, one view per `CellOutput`, updated in place as outputs arrive (a kept output
// keeps its view, so a live plot keeps growing; a replaced one is redrawn; a run's progress goes into
// its run card), with notes when they are stale or imported. Renderer process.
import type { CellOutput } from '../../engine/api/notebook';
import type { RendererLabClient } from '../api/lab-client';
import { element } from '../dom/element';
import { renderError } from './error-output';
import { FigureOutput } from './figure-output';
import { renderImages } from './images-output';
import { progressOwners } from './output-layout';
import { RunCard } from './run-card';
import { safeHtml } from './safe-html';
import { renderTable } from './table-output';

export interface OutputContext {
  readonly client: RendererLabClient;
  /** Puts the cell's cursor on a line an error points at. */
  readonly onCellLine: (line: number, column: number) => void;
}

interface OutputView {
  readonly output: CellOutput;
  readonly element: HTMLElement;
  /** Where a run card holds its run's progress. */
  readonly slot?: HTMLElement;
  dispose(): void;
}

const nothing = () => undefined;

function staticView(output: CellOutput, el: HTMLElement): OutputView {
  return { output, element: el, dispose: nothing };
}

function renderOutput(output: CellOutput, context: OutputContext, trusted: boolean): OutputView {
  switch (output.type) {
    case 'stream':
      return staticView(output, element('pre', { className: `output-stream output-${output.name}`, testId: 'output-stream' }, [output.text]));
    case 'result':
      return staticView(output, element('pre', { className: 'output-result', testId: 'output-result' }, [output.text]));
    case 'error':
      return staticView(output, renderError(output, context.onCellLine));
    case 'table':
      return staticView(output, renderTable(output));
    case 'images':
      return staticView(output, renderImages(output));
    case 'image':
      return staticView(
        output,
        element('div', { className: 'output-image', testId: 'output-image' }, [element('img', { attrs: { src: `data:${output.mime};base64,${output.dataBase64}`, alt: '' } })]),
      );
    case 'html': {
      const host = element('div', { className: 'output-html', testId: 'output-html' });
      host.append(safeHtml(output.html));
      return staticView(output, host);
    }
    case 'progress': {
      const bar = element('progress', { attrs: { max: String(Math.max(output.total, 1)), value: String(Math.min(output.done, output.total)) } });
      return staticView(
        output,
        element('div', { className: 'output-progress', testId: 'output-progress' }, [
          element('span', {}, [output.label]),
          bar,
          element('span', { className: 'muted num' }, [`${output.done}/${output.total}`]),
        ]),
      );
    }
    case 'figure': {
      const figure = new FigureOutput(output, context.client, trusted);
      return { output, element: figure.element, dispose: () => figure.dispose() };
    }
    case 'run': {
      const card = new RunCard(output, context.client, trusted);
      return { output, element: card.element, slot: card.progressSlot, dispose: () => card.dispose() };
    }
  }
}

export class OutputArea {
  readonly element: HTMLElement;
  private readonly list = element('div', { className: 'output-list' });
  private readonly staleNote = element('p', { className: 'output-notice', testId: 'outputs-stale' }, [
    'The cell changed since these outputs were made; run it to bring them up to date.',
  ]);
  private readonly importedNote = element('p', { className: 'output-notice', testId: 'outputs-untrusted' }, [
    'Outputs imported from a notebook made elsewhere: shown as they came, nothing in them runs. Run the cell to replace them.',
  ]);
  private views: OutputView[] = [];
  private trusted = true;

  constructor(private readonly context: OutputContext) {
    this.element = element('div', { className: 'cell-outputs', testId: 'cell-outputs' }, [this.staleNote, this.importedNote, this.list]);
    this.update([], true, false);
  }

  update(outputs: readonly CellOutput[], trusted: boolean, stale: boolean): void {
    if (trusted !== this.trusted) this.clear();
    this.trusted = trusted;
    const next = outputs.map((output, i) => {
      const kept = this.views[i];
      if (kept?.output === output) return kept;
      kept?.dispose();
      return renderOutput(output, this.context, trusted);
    });
    for (const gone of this.views.slice(outputs.length)) gone.dispose();
    const owners = progressOwners(outputs);
    const listed: OutputView[] = [];
    next.forEach((view, i) => {
      const slot = next[owners.get(i) ?? -1]?.slot;
      if (!slot) listed.push(view);
      else if (view.element.parentElement !== slot) slot.replaceChildren(view.element);
    });
    listed.forEach((view, i) => {
      const at = this.list.children[i];
      if (at !== view.element) this.list.insertBefore(view.element, at ?? null);
    });
    while (this.list.children.length > listed.length) this.list.lastElementChild!.remove();
    this.views = next;
    this.element.hidden = outputs.length === 0;
    this.element.classList.toggle('stale', stale);
    this.staleNote.hidden = !stale;
    this.importedNote.hidden = trusted || outputs.length === 0;
  }

  dispose(): void {
    this.clear();
  }

  private clear(): void {
    for (const view of this.views) view.dispose();
    this.views = [];
    this.list.replaceChildren();
  }
}
