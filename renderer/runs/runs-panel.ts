// The runs area: tabs for the runs table with the open run's details, Compare (the ticked runs) and
// the memory Inspector; the "Start demo run" action; all kept current by run events and re-read
// whenever the event stream (re)connects. Renderer process.
import type { RunId } from '../../engine/api/schemas';
import type { RendererLabClient } from '../api/lab-client';
import { describeError } from '../api/lab-call-error';
import { onAppRequest } from '../app-events';
import { element } from '../dom/element';
import { CompareView } from './compare-view';
import { InspectorView } from './inspector-view';
import { RunSelection } from './run-selection';
import { RunTableView } from './run-table-view';
import { RunView } from './run-view';
import { RunsModel } from './runs-model';

/** How many runs the table holds (newest first); filters and sorting work on these. */
const LIST_LIMIT = 2000;

type Tab = 'runs' | 'compare' | 'inspector';

export interface RunsPanelOptions {
  /** Asks the app frame to give the runs area the whole window (true) or share it with the notebook. */
  readonly onExpand: (expanded: boolean) => void;
}

export class RunsPanel {
  readonly element: HTMLElement;
  private readonly model = new RunsModel();
  private readonly selection = new RunSelection();
  private readonly table: RunTableView;
  private readonly view: RunView;
  private readonly compare: CompareView;
  private readonly inspector: InspectorView;
  private readonly panes: Record<Tab, HTMLElement>;
  private readonly tabButtons = new Map<Tab, HTMLButtonElement>();
  private readonly compareCount = element('span', { className: 'badge', testId: 'compare-count' });
  private readonly startButton = element('button', { className: 'primary small', testId: 'start-demo' }, ['Start demo run']);
  private readonly expandButton = element('button', { className: 'small', testId: 'runs-expand', title: 'give the runs the whole window' }, ['⤢ Expand']);
  private readonly message = element('p', { className: 'message error', testId: 'runs-message', attrs: { role: 'alert' } });
  private tab: Tab = 'runs';
  private expanded = false;
  private renderQueued = false;

  constructor(
    private readonly client: RendererLabClient,
    private readonly options: RunsPanelOptions,
  ) {
    this.table = new RunTableView(this.selection, (runId) => this.open(runId));
    this.view = new RunView(client, this.model, { inspect: (runId, snapshotId) => this.inspect(runId, snapshotId) });
    this.compare = new CompareView(client, this.model);
    this.inspector = new InspectorView(client, this.model);
    this.panes = {
      runs: element('div', { className: 'runs-pane', testId: 'runs-pane' }, [this.table.element, this.view.element]),
      compare: element('div', { className: 'runs-pane', testId: 'compare-pane' }, [this.compare.element]),
      inspector: element('div', { className: 'runs-pane', testId: 'inspector-pane' }, [this.inspector.element]),
    };
    const tabs = element('nav', { className: 'tabs', attrs: { role: 'tablist' } });
    for (const [tab, label] of [['runs', 'Runs'], ['compare', 'Compare'], ['inspector', 'Inspector']] as const) {
      const button = element('button', { className: 'tab', testId: `tab-${tab}`, attrs: { role: 'tab' } }, [label, tab === 'compare' ? this.compareCount : null]);
      button.addEventListener('click', () => this.showTab(tab));
      this.tabButtons.set(tab, button);
      tabs.append(button);
    }
    this.startButton.addEventListener('click', () => void this.startDemo());
    this.expandButton.addEventListener('click', () => this.setExpanded(!this.expanded));
    this.message.hidden = true;
    this.element = element('section', { className: 'runs-panel', testId: 'runs-panel' }, [
      element('header', { className: 'panel-header' }, [element('h2', {}, ['Runs']), tabs, element('span', { className: 'spacer' }), this.startButton, this.expandButton]),
      this.message,
      this.panes.runs,
      this.panes.compare,
      this.panes.inspector,
    ]);
    this.showTab('runs');

    this.model.subscribe(() => this.queueRender());
    this.selection.subscribe(() => {
      this.compare.setRuns(this.selection.list());
      this.queueRender();
    });
    client.on('runs.created', ({ run }) => this.model.upsert(run));
    client.on('runs.progressed', (event) => {
      this.model.applyProgress(event);
      this.view.onProgress(event);
      this.compare.runChanged(event.runId);
    });
    client.on('runs.ended', (event) => {
      this.model.applyEnded(event);
      // The ending also fixed the run's final metrics and end time: read them once.
      void this.refreshRun(event.runId);
      this.compare.runChanged(event.runId);
    });
    client.on('runs.updated', ({ run }) => this.model.upsert(run));
    client.on('runs.deleted', ({ runId }) => {
      this.model.remove(runId);
      if (this.view.selected === runId) this.view.show(null);
    });
    client.onConnection((state) => {
      if (state === 'open') void this.refresh();
    });
    onAppRequest(window, 'engram:open-run', ({ runId }) => {
      this.showTab('runs');
      this.open(runId);
    });
    // The notebook answers "open cell"; it must be on screen to do so.
    onAppRequest(window, 'engram:open-cell', () => {
      if (this.expanded) this.setExpanded(false);
    });
  }

  private showTab(tab: Tab): void {
    this.tab = tab;
    for (const [t, button] of this.tabButtons) button.setAttribute('aria-selected', String(t === tab));
    for (const t of Object.keys(this.panes) as Tab[]) this.panes[t].hidden = t !== tab;
    this.compare.setVisible(tab === 'compare');
  }

  private setExpanded(expanded: boolean): void {
    this.expanded = expanded;
    this.expandButton.textContent = expanded ? '⤡ Side by side' : '⤢ Expand';
    this.expandButton.title = expanded ? 'show the notebook beside the runs' : 'give the runs the whole window';
    this.options.onExpand(expanded);
  }

  /** Re-reads the list and the open run's series: events may have been missed while disconnected. */
  private async refresh(): Promise<void> {
    try {
      this.model.reset(await this.client.call('runs.list', { limit: LIST_LIMIT }));
      this.showMessage('');
    } catch (err) {
      this.showMessage(describeError(err));
    }
    if (this.view.selected !== null) this.view.reload();
  }

  private async refreshRun(runId: RunId): Promise<void> {
    try {
      this.model.upsert(await this.client.call('runs.get', { runId }));
      await this.view.refreshDetail(runId);
    } catch (err) {
      this.showMessage(describeError(err));
    }
  }

  private open(runId: RunId): void {
    this.view.show(runId);
    this.queueRender();
  }

  private inspect(runId: RunId, snapshotId: number): void {
    this.showTab('inspector');
    void this.inspector.open(runId, snapshotId);
  }

  private async startDemo(): Promise<void> {
    this.startButton.disabled = true;
    this.showMessage('');
    try {
      const { demo } = await this.client.call('catalog.get', {});
      const { runId } = await this.client.call('runs.start', demo);
      this.showTab('runs');
      this.open(runId);
    } catch (err) {
      this.showMessage(`Could not start the demo run: ${describeError(err)}`);
    } finally {
      this.startButton.disabled = false;
    }
  }

  /** Renders at most once per frame, however many events arrive. */
  private queueRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      const runs = this.model.list();
      this.selection.retain(new Set(runs.map((r) => r.id)));
      this.table.update(runs, this.view.selected);
      this.view.renderHeader();
      this.compareCount.textContent = this.selection.size ? String(this.selection.size) : '';
    });
  }

  private showMessage(text: string): void {
    this.message.textContent = text;
    this.message.hidden = text === '';
  }
}
