// The table of runs: one row per run, kept by id so that a progressing run updates its own row in
// place. Clicking a row (or Enter on it) selects the run. Renderer process.
import type { RunId, RunSummary } from '../../engine/api/schemas';
import { element } from '../dom/element';
import { formatMetricValue, summariseMetrics } from './run-format';

const COLUMNS = ['#', 'name', 'model', 'task', 'status', 'step', 'backend', 'final metrics'];

export class RunListView {
  readonly element: HTMLElement;
  private readonly body = element('tbody');
  private readonly empty = element('p', { className: 'runs-empty', testId: 'runs-empty' }, [
    'No runs in this lab book yet. Start the demo run to train a small model.',
  ]);
  private readonly rows = new Map<RunId, RunRow>();

  constructor(private readonly onSelect: (runId: RunId) => void) {
    const head = element('thead', {}, [element('tr', {}, COLUMNS.map((c) => element('th', {}, [c])))]);
    this.element = element('div', { className: 'run-list', testId: 'run-list' }, [
      element('table', {}, [head, this.body]),
      this.empty,
    ]);
  }

  update(runs: readonly RunSummary[], selected: RunId | null): void {
    const live = new Set(runs.map((r) => r.id));
    for (const [id, row] of this.rows) {
      if (!live.has(id)) {
        row.element.remove();
        this.rows.delete(id);
      }
    }
    runs.forEach((run, index) => {
      const row = this.rows.get(run.id) ?? this.createRow(run.id);
      row.fill(run);
      row.element.setAttribute('aria-selected', String(run.id === selected));
      if (this.body.children[index] !== row.element) this.body.insertBefore(row.element, this.body.children[index] ?? null);
    });
    this.empty.hidden = runs.length > 0;
  }

  private createRow(id: RunId): RunRow {
    const row = new RunRow(id);
    row.element.addEventListener('click', () => this.onSelect(id));
    row.element.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        this.onSelect(id);
      }
    });
    this.rows.set(id, row);
    return row;
  }
}

/** One run's row; its cells stay and only their text changes, so a click is never lost to a redraw. */
class RunRow {
  private readonly cells = {
    name: element('td', { className: 'run-name' }),
    model: element('td'),
    task: element('td'),
    status: element('span', { testId: 'run-status' }),
    step: element('td', { className: 'num', testId: 'run-step' }),
    backend: element('td'),
    metrics: element('td', { className: 'metrics' }),
    metricsText: element('span'),
    metricsMore: element('span', { className: 'muted' }),
  };
  readonly element: HTMLTableRowElement;

  constructor(id: RunId) {
    const c = this.cells;
    this.element = element('tr', { testId: 'run-row', attrs: { tabindex: '0', 'data-run-id': String(id) } }, [
      element('td', { className: 'num' }, [id]),
      c.name,
      c.model,
      c.task,
      element('td', {}, [c.status]),
      c.step,
      c.backend,
      c.metrics,
    ]);
    c.metrics.append(c.metricsText, c.metricsMore);
  }

  fill(run: RunSummary): void {
    const c = this.cells;
    c.name.textContent = run.name;
    c.name.title = run.name;
    c.model.textContent = run.model;
    c.task.textContent = run.task;
    c.status.className = `status status-${run.status.toLowerCase()}`;
    c.status.textContent = run.status;
    c.status.title = run.error ?? '';
    c.step.textContent = `${run.step}/${run.totalSteps}`;
    c.backend.textContent = run.backend ?? '—';
    const summary = summariseMetrics(run.finalMetrics);
    c.metricsText.textContent = summary.text || '—';
    c.metricsMore.textContent = summary.hidden > 0 ? ` +${summary.hidden}` : '';
    c.metrics.title = Object.entries(run.finalMetrics)
      .map(([k, v]) => `${k} = ${formatMetricValue(v)}`)
      .join('\n');
  }
}
