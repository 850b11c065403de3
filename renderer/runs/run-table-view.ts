// The runs table: filters (text, status, tag, parameter conditions), sortable columns (name, model,
// task, the parameters that vary, status, backend, start, duration, final metrics), a tick box per run
// for multi-select, and a click on a row to open the run. Rows are kept by id and only refilled when
// their text changes, so a click is never lost to a redraw. Renderer process.
import type { RunId, RunStatus, RunSummary } from '../../engine/api/schemas';
import { element, setChildren } from '../dom/element';
import { formatDuration, formatMetricValue } from './run-format';
import { formatParamValue, paramValue } from './run-params';
import { matchesQuery, parseParamConditions, runDurationMs, sortRuns, tableColumns, type RunQuery, type Sort, type SortKey, NEWEST_FIRST } from './run-query';
import type { RunSelection } from './run-selection';

/** Every status, in the order the filter offers them (a record, so a new status is a type error here). */
const STATUS_ORDER: Record<RunStatus, number> = { PENDING: 0, RUNNING: 1, FINISHED: 2, FAILED: 3, KILLED: 4, CRASHED: 5 };
const STATUSES = (Object.keys(STATUS_ORDER) as RunStatus[]).sort((a, b) => STATUS_ORDER[a] - STATUS_ORDER[b]);

interface Column {
  readonly id: string;
  readonly title: string;
  readonly sort: SortKey;
  readonly className?: string;
  readonly cell: (run: RunSummary, nowMs: number) => string;
  readonly tip?: (run: RunSummary) => string;
  /** The header's tooltip, when the title is shortened. */
  readonly headTip?: string;
}

/** `Jan 5, 09:00`: enough to tell runs apart without taking a wide column. */
export function formatStarted(ms: number | null): string {
  if (ms === null) return '—';
  return new Date(ms).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
}

/** The last part of a parameter name, for a narrow header (`task.setSize` → `setSize`). */
function shortName(key: string): string {
  return key.slice(key.lastIndexOf('.') + 1);
}

function baseColumns(params: readonly string[], metrics: readonly string[]): Column[] {
  return [
    { id: 'id', title: '#', sort: { kind: 'id' }, className: 'num', cell: (r) => String(r.id) },
    { id: 'name', title: 'name', sort: { kind: 'name' }, className: 'run-name', cell: (r) => r.name, tip: (r) => r.name },
    { id: 'model', title: 'model', sort: { kind: 'model' }, cell: (r) => r.model },
    { id: 'task', title: 'task', sort: { kind: 'task' }, cell: (r) => r.task },
    ...params.map((key): Column => ({
      id: `param:${key}`,
      title: shortName(key),
      sort: { kind: 'param', key },
      className: 'num param',
      cell: (r) => formatParamValue(paramValue(r, key)),
      headTip: key,
    })),
    { id: 'seed', title: 'seed', sort: { kind: 'param', key: 'seed' }, className: 'num', cell: (r) => String(r.seed) },
    { id: 'status', title: 'status', sort: { kind: 'status' }, cell: (r) => r.status, tip: (r) => r.error ?? '' },
    { id: 'backend', title: 'backend', sort: { kind: 'backend' }, cell: (r) => r.backend ?? '—' },
    { id: 'started', title: 'started', sort: { kind: 'started' }, className: 'num', cell: (r) => formatStarted(r.startedMs) },
    {
      id: 'duration',
      title: 'duration',
      sort: { kind: 'duration' },
      className: 'num',
      cell: (r, now) => {
        const ms = runDurationMs(r, now);
        return ms === null ? '—' : formatDuration(ms);
      },
    },
    ...metrics.map((key): Column => ({
      id: `metric:${key}`,
      title: key,
      sort: { kind: 'metric', key },
      className: 'num metric',
      cell: (r) => (r.finalMetrics[key] === undefined ? '—' : formatMetricValue(r.finalMetrics[key]!)),
      tip: (r) => Object.entries(r.finalMetrics).map(([k, v]) => `${k} = ${formatMetricValue(v)}`).join('\n'),
    })),
  ];
}

function sameSort(a: SortKey, b: SortKey): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class RunTableView {
  readonly element: HTMLElement;
  private readonly textInput = element('input', {
    className: 'filter-text',
    testId: 'run-filter-text',
    attrs: { type: 'search', placeholder: 'Filter: name, model, task, tag, setSize=16…', 'aria-label': 'filter runs by text' },
  });
  private readonly paramInput = element('input', {
    className: 'filter-params',
    testId: 'run-filter-params',
    attrs: { type: 'text', placeholder: 'setSize>=16, model=hopfield', 'aria-label': 'filter runs by parameters' },
  });
  private readonly tagSelect = element('select', { testId: 'run-filter-tag', attrs: { 'aria-label': 'filter runs by tag' } });
  private readonly statusBoxes = new Map<RunStatus, HTMLInputElement>();
  private readonly filterError = element('span', { className: 'filter-error', testId: 'run-filter-error', attrs: { role: 'alert' } });
  private readonly count = element('span', { className: 'muted run-count', testId: 'run-count' });
  private readonly selectAll = element('input', { testId: 'run-select-all', attrs: { type: 'checkbox', 'aria-label': 'select all shown runs' } });
  private readonly headRow = element('tr');
  private readonly body = element('tbody');
  private readonly empty = element('p', { className: 'runs-empty', testId: 'runs-empty' });
  private readonly rows = new Map<RunId, { element: HTMLTableRowElement; box: HTMLInputElement; signature: string }>();
  private runs: readonly RunSummary[] = [];
  private shown: RunSummary[] = [];
  private sort: Sort = NEWEST_FIRST;
  private query: RunQuery = { text: '', statuses: new Set(), tag: '', params: [] };
  private focused: RunId | null = null;
  private lastTicked: RunId | null = null;

  constructor(
    private readonly selection: RunSelection,
    private readonly onOpen: (runId: RunId) => void,
  ) {
    const statuses = element('span', { className: 'status-filters' });
    for (const status of STATUSES) {
      const box = element('input', { testId: `run-filter-status-${status.toLowerCase()}`, attrs: { type: 'checkbox' } });
      box.addEventListener('change', () => this.readFilters());
      this.statusBoxes.set(status, box);
      statuses.append(element('label', { className: `chip status-${status.toLowerCase()}`, title: `only ${status} runs` }, [box, status.toLowerCase()]));
    }
    this.textInput.addEventListener('input', () => this.readFilters());
    this.paramInput.addEventListener('input', () => this.readFilters());
    this.tagSelect.addEventListener('change', () => this.readFilters());
    this.selectAll.addEventListener('change', () => {
      const ids = this.shown.map((r) => r.id);
      this.selection.set(this.selectAll.checked ? [...new Set([...this.selection.list(), ...ids])] : this.selection.list().filter((id) => !ids.includes(id)));
    });
    this.element = element('div', { className: 'run-table' }, [
      element('div', { className: 'run-filters' }, [this.textInput, this.paramInput, this.tagSelect, statuses, this.count]),
      this.filterError,
      element('div', { className: 'run-list', testId: 'run-list' }, [element('table', {}, [element('thead', {}, [this.headRow]), this.body]), this.empty]),
    ]);
    this.filterError.hidden = true;
    selection.subscribe(() => this.render());
  }

  /** Shows these runs (the lab book's latest listing, updated by events) through the current filters. */
  update(runs: readonly RunSummary[], focused: RunId | null): void {
    this.runs = runs;
    this.focused = focused;
    this.updateTags();
    this.render();
  }

  /** The runs the filters let through, in table order. */
  visibleRuns(): readonly RunSummary[] {
    return this.shown;
  }

  private updateTags(): void {
    const tags = [...new Set(this.runs.flatMap((r) => r.tags))].sort();
    const current = this.tagSelect.value;
    const options = ['', ...tags];
    if (this.tagSelect.options.length !== options.length || options.some((t, i) => this.tagSelect.options[i]?.value !== t)) {
      setChildren(this.tagSelect, options.map((t) => element('option', { attrs: { value: t } }, [t || 'any tag'])));
      this.tagSelect.value = options.includes(current) ? current : '';
    }
    this.tagSelect.hidden = tags.length === 0;
  }

  private readFilters(): void {
    let params = this.query.params;
    try {
      params = parseParamConditions(this.paramInput.value);
      this.filterError.hidden = true;
    } catch (err) {
      this.filterError.textContent = err instanceof Error ? err.message : String(err);
      this.filterError.hidden = false;
    }
    const statuses = new Set([...this.statusBoxes].filter(([, box]) => box.checked).map(([s]) => s));
    this.query = { text: this.textInput.value, statuses, tag: this.tagSelect.value, params };
    this.render();
  }

  private render(): void {
    const now = Date.now();
    const filtered = this.runs.filter((r) => matchesQuery(r, this.query));
    this.shown = sortRuns(filtered, this.sort, now);
    const { params, metrics } = tableColumns(this.shown.length ? this.shown : this.runs);
    const columns = baseColumns(params, metrics);
    this.renderHead(columns);
    const live = new Set(this.shown.map((r) => r.id));
    for (const [id, row] of this.rows) {
      if (!live.has(id)) {
        row.element.remove();
        this.rows.delete(id);
      }
    }
    this.shown.forEach((run, index) => {
      const row = this.rows.get(run.id) ?? this.createRow(run.id);
      const texts = columns.map((c) => c.cell(run, now));
      const signature = JSON.stringify([columns.map((c) => c.id), texts, run.error]);
      if (signature !== row.signature) {
        row.signature = signature;
        setChildren(row.element, [
          element('td', { className: 'select' }, [row.box]),
          ...columns.map((c, i) => {
            const td = element('td', { ...(c.className ? { className: c.className } : {}), ...(c.tip ? { title: c.tip(run) } : {}) });
            if (c.id === 'status') td.append(element('span', { className: `status status-${run.status.toLowerCase()}`, testId: 'run-status' }, [texts[i]!]));
            else td.textContent = texts[i]!;
            return td;
          }),
        ]);
      }
      row.box.checked = this.selection.has(run.id);
      row.element.setAttribute('aria-selected', String(run.id === this.focused));
      row.element.classList.toggle('ticked', row.box.checked);
      if (this.body.children[index] !== row.element) this.body.insertBefore(row.element, this.body.children[index] ?? null);
    });
    const ticked = this.shown.filter((r) => this.selection.has(r.id)).length;
    this.selectAll.checked = this.shown.length > 0 && ticked === this.shown.length;
    this.selectAll.indeterminate = ticked > 0 && ticked < this.shown.length;
    this.count.textContent =
      `${this.shown.length === this.runs.length ? this.runs.length : `${this.shown.length} of ${this.runs.length}`} runs` +
      (this.selection.size ? ` · ${this.selection.size} selected` : '');
    this.empty.hidden = this.shown.length > 0;
    this.empty.textContent = this.runs.length ? 'No run matches the filters.' : 'No runs in this lab book yet. Start the demo run to train a small model.';
  }

  private renderHead(columns: readonly Column[]): void {
    const signature = JSON.stringify([columns.map((c) => c.id), this.sort]);
    if (this.headRow.dataset['signature'] === signature) return;
    this.headRow.dataset['signature'] = signature;
    setChildren(this.headRow, [
      element('th', { className: 'select' }, [this.selectAll]),
      ...columns.map((c) => {
        const active = sameSort(c.sort, this.sort.by);
        const th = element(
          'th',
          {
            className: `${c.className ?? ''} sortable${active ? ' sorted' : ''}`,
            testId: `sort-${c.id}`,
            title: `sort by ${c.headTip ?? c.title}`,
            attrs: { 'aria-sort': active ? (this.sort.descending ? 'descending' : 'ascending') : 'none', tabindex: '0' },
          },
          [c.title, active ? (this.sort.descending ? ' ▾' : ' ▴') : ''],
        );
        const toggle = () => {
          this.sort = { by: c.sort, descending: active ? !this.sort.descending : c.sort.kind === 'id' || c.sort.kind === 'started' };
          this.render();
        };
        th.addEventListener('click', toggle);
        th.addEventListener('keydown', (ev) => {
          if (ev.key === 'Enter') toggle();
        });
        return th;
      }),
    ]);
  }

  private createRow(id: RunId): { element: HTMLTableRowElement; box: HTMLInputElement; signature: string } {
    const box = element('input', { testId: 'run-select', attrs: { type: 'checkbox', 'aria-label': `select run ${id}` } });
    const tr = element('tr', { testId: 'run-row', attrs: { tabindex: '0', 'data-run-id': String(id) } });
    box.addEventListener('click', (ev) => {
      ev.stopPropagation();
      if (ev.shiftKey && this.lastTicked !== null) this.tickRange(this.lastTicked, id, box.checked);
      else this.selection.toggle(id, box.checked);
      this.lastTicked = id;
    });
    tr.addEventListener('click', (ev) => {
      if (ev.ctrlKey || ev.metaKey) this.selection.toggle(id);
      else this.onOpen(id);
    });
    tr.addEventListener('keydown', (ev) => {
      if (ev.target !== tr) return;
      if (ev.key === 'Enter') this.onOpen(id);
      else if (ev.key === ' ') {
        ev.preventDefault();
        this.selection.toggle(id);
      }
    });
    const row = { element: tr, box, signature: '' };
    this.rows.set(id, row);
    return row;
  }

  /** Shift-click: every shown run between the last ticked one and this one takes this one's state. */
  private tickRange(from: RunId, to: RunId, on: boolean): void {
    const ids = this.shown.map((r) => r.id);
    const [a, b] = [ids.indexOf(from), ids.indexOf(to)].sort((x, y) => x - y);
    if (a! < 0) return this.selection.toggle(to, on);
    const range = ids.slice(a, b! + 1);
    this.selection.set(on ? [...this.selection.list(), ...range] : this.selection.list().filter((id) => !range.includes(id)));
  }
}
