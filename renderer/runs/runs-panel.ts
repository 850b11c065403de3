// The runs area: the "Start demo run" action, the list of the lab book's runs and the selected run's
// view, kept current by run events and re-read whenever the event stream (re)connects. Renderer process.
import type { RunId } from '../../engine/api/schemas';
import type { RendererLabClient } from '../api/lab-client';
import { describeError } from '../api/lab-call-error';
import { element } from '../dom/element';
import { RunListView } from './run-list-view';
import { RunView } from './run-view';
import { RunsModel } from './runs-model';

/** How many runs the list shows (newest first). */
const LIST_LIMIT = 200;

export class RunsPanel {
  readonly element: HTMLElement;
  private readonly model = new RunsModel();
  private readonly list: RunListView;
  private readonly view: RunView;
  private readonly startButton = element('button', { className: 'primary', testId: 'start-demo' }, ['Start demo run']);
  private readonly message = element('p', { className: 'message error', testId: 'runs-message', attrs: { role: 'alert' } });
  private renderQueued = false;

  constructor(private readonly client: RendererLabClient) {
    this.list = new RunListView((runId) => this.select(runId));
    this.view = new RunView(client, this.model);
    this.startButton.addEventListener('click', () => void this.startDemo());
    this.message.hidden = true;
    this.element = element('section', { className: 'runs-panel', testId: 'runs-panel' }, [
      element('header', { className: 'panel-header' }, [element('h2', {}, ['Runs']), this.startButton]),
      this.message,
      this.list.element,
      this.view.element,
    ]);

    this.model.subscribe(() => this.queueRender());
    client.on('runs.created', ({ run }) => this.model.upsert(run));
    client.on('runs.progressed', (event) => {
      this.model.applyProgress(event);
      this.view.onProgress(event);
    });
    client.on('runs.ended', (event) => {
      this.model.applyEnded(event);
      // The ending also fixed the run's final metrics and end time: read them once.
      void this.refreshRun(event.runId);
    });
    client.onConnection((state) => {
      if (state === 'open') void this.refresh();
    });
  }

  /** Re-reads the list and the selected run's series: events may have been missed while disconnected. */
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
    } catch (err) {
      this.showMessage(describeError(err));
    }
  }

  private select(runId: RunId): void {
    this.view.show(runId);
    this.queueRender();
  }

  private async startDemo(): Promise<void> {
    this.startButton.disabled = true;
    this.showMessage('');
    try {
      const { demo } = await this.client.call('catalog.get', {});
      const { runId } = await this.client.call('runs.start', demo);
      this.select(runId);
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
      this.list.update(this.model.list(), this.view.selected);
      this.view.renderHeader();
    });
  }

  private showMessage(text: string): void {
    this.message.textContent = text;
    this.message.hidden = text === '';
  }
}
