// The open run: its title with rename, stop, delete (confirmed) and "open cell"; then tabs for its
// metrics (drawn live — loaded once with `runs.metrics`, then grown by the points each
// `runs.progressed` event carries), config, provenance, lifecycle log, snapshots, and tags and note.
// Renderer process.
import type { LabEventPayload } from '../../engine/api/lab-api';
import type { MetricPointData, RunDetail, RunId } from '../../engine/api/schemas';
import type { RendererLabClient } from '../api/lab-client';
import { describeError } from '../api/lab-call-error';
import type { CellId } from '../../engine/api/notebook';
import { requestApp } from '../app-events';
import { element, setChildren } from '../dom/element';
import { metricFigure } from '../plots/figure-spec';
import { appendPoints, seriesSetFrom, type SeriesSet } from '../plots/metric-series';
import { PlotMount } from '../plots/plot-mount';
import { formatDuration, formatMetricValue } from './run-format';
import { formatParamValue, runParams } from './run-params';
import { formatStarted } from './run-table-view';
import type { RunsModel } from './runs-model';

type Tab = 'metrics' | 'config' | 'provenance' | 'log' | 'snapshots' | 'notes';
const TABS: readonly Tab[] = ['metrics', 'config', 'provenance', 'log', 'snapshots', 'notes'];

export interface RunViewActions {
  /** Open a memory snapshot in the inspector. */
  inspect(runId: RunId, snapshotId: number): void;
}

function keyValueTable(rows: readonly (readonly [string, string])[], testId: string): HTMLTableElement {
  return element('table', { className: 'kv', testId }, [
    element('tbody', {}, rows.map(([k, v]) => element('tr', {}, [element('th', {}, [k]), element('td', {}, [v])]))),
  ]);
}

/** The run's life as lines of text: created, started, resumed, last heartbeat, ended. */
export function lifecycleLog(run: RunDetail, nowMs: number): string[] {
  const at = (ms: number) => new Date(ms).toLocaleString(undefined, { hour12: false });
  // Lines that carry no time of their own are indented under the time column.
  const pad = ' '.repeat(at(run.createdMs).length);
  const by = run.notebook ? ` by cell ${run.cellId} of ${run.notebook}` : run.provenance.command ? ` by \`${run.provenance.command}\`` : '';
  const lines = [`${at(run.createdMs)}  created (${run.kind})${by}`];
  if (run.parentRunId !== null) lines.push(`${pad}  resumed from run ${run.parentRunId} at step ${run.parentStep ?? '?'}`);
  if (run.startedMs !== null) lines.push(`${at(run.startedMs)}  started on ${run.backend ?? 'an unknown backend'}, ${run.totalSteps} steps planned`);
  if (run.endedMs === null && run.heartbeatMs !== null) lines.push(`${at(run.heartbeatMs)}  last heartbeat (${formatDuration(nowMs - run.heartbeatMs)} ago), step ${run.step}`);
  if (run.endedMs !== null) {
    lines.push(`${at(run.endedMs)}  ${run.status} at step ${run.step}${run.startedMs !== null ? ` after ${formatDuration(run.endedMs - run.startedMs)}` : ''}`);
  }
  if (run.error) lines.push(`${pad}  ${run.error}`);
  const points = run.metrics.reduce((n, m) => n + m.count, 0);
  lines.push(`${pad}  ${run.metrics.length} metric series, ${points} points; ${run.snapshots.length} snapshots`);
  return lines;
}

export class RunView {
  readonly element: HTMLElement;
  private readonly header = element('div', { className: 'run-header', testId: 'run-header' });
  private readonly title = element('h3', { testId: 'run-title' });
  private readonly renameInput = element('input', { className: 'rename', testId: 'run-rename-input', attrs: { type: 'text', 'aria-label': 'run name' } });
  private readonly renameButton = element('button', { className: 'small', testId: 'run-rename', title: 'rename this run' }, ['Rename']);
  private readonly status = element('span', { testId: 'run-view-status' });
  private readonly stopButton = element('button', { className: 'small', testId: 'stop-run' }, ['Stop']);
  private readonly openCellButton = element('button', { className: 'small', testId: 'open-cell', title: 'show the notebook cell that started this run' }, ['Open cell']);
  private readonly deleteButton = element('button', { className: 'small danger', testId: 'run-delete' }, ['Delete…']);
  private readonly confirmDelete = element('span', { className: 'confirm', testId: 'run-delete-confirm', attrs: { role: 'alertdialog' } });
  private readonly meta = element('p', { className: 'run-meta' });
  private readonly progress = element('progress');
  private readonly stepText = element('span', { className: 'num' });
  private readonly error = element('pre', { className: 'run-error', testId: 'run-error' });
  private readonly details = element('div', {}, [
    element('div', { className: 'run-title' }, [this.title, this.renameInput, this.status, this.renameButton, this.stopButton, this.openCellButton, this.deleteButton, this.confirmDelete]),
    this.meta,
    element('div', { className: 'run-progress' }, [this.progress, this.stepText]),
    this.error,
  ]);
  private readonly noSelection = element('p', { className: 'muted' }, ['Select a run to see its metrics, config and snapshots.']);
  private readonly message = element('p', { className: 'message', testId: 'run-message', attrs: { role: 'status' } });
  private readonly tabBar = element('div', { className: 'tabs sub-tabs', attrs: { role: 'tablist' } });
  private readonly tabButtons = new Map<Tab, HTMLButtonElement>();
  private readonly panes = new Map<Tab, HTMLElement>();
  private readonly placeholder = element('p', { className: 'plot-placeholder', testId: 'plot-placeholder' });
  private readonly plotHost = element('div', { className: 'plot', testId: 'run-plot' });
  private readonly logYInput = element('input', { testId: 'log-y', attrs: { type: 'checkbox' } });
  private readonly metricTable = element('div', { className: 'metric-stats' });
  private readonly noteInput = element('textarea', { className: 'note', testId: 'run-note', attrs: { rows: '4', placeholder: 'What was this run for? What did it show?' } });
  private readonly noteSave = element('button', { className: 'small', testId: 'run-note-save' }, ['Save note']);
  private readonly tagList = element('span', { className: 'tags', testId: 'run-tags' });
  private readonly tagInput = element('input', { testId: 'run-tag-input', attrs: { type: 'text', placeholder: 'add a tag, Enter', 'aria-label': 'add a tag' } });
  private readonly plot: PlotMount;
  private tab: Tab = 'metrics';
  private runId: RunId | null = null;
  private detail: RunDetail | null = null;
  /** Null while the selected run's series are being loaded; events meanwhile wait in `pending`. */
  private series: SeriesSet | null = null;
  private pending: MetricPointData[] = [];
  /** Bumped on every (re)load, so that a late answer for an earlier selection is dropped. */
  private loadGeneration = 0;

  constructor(
    private readonly client: RendererLabClient,
    private readonly runs: RunsModel,
    private readonly actions: RunViewActions,
  ) {
    this.plot = new PlotMount(this.plotHost, (err) => {
      this.showMessage(`The plot failed: ${describeError(err)}`);
      console.error(err);
    });
    this.logYInput.addEventListener('change', () => this.drawPlot());
    this.stopButton.addEventListener('click', () => void this.stop());
    this.renameButton.addEventListener('click', () => this.startRename());
    this.renameInput.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') void this.finishRename(true);
      if (ev.key === 'Escape') void this.finishRename(false);
    });
    this.renameInput.addEventListener('blur', () => void this.finishRename(true));
    this.deleteButton.addEventListener('click', () => this.askDelete());
    this.openCellButton.addEventListener('click', () => this.openCell());
    this.noteSave.addEventListener('click', () => void this.update({ note: this.noteInput.value }));
    this.tagInput.addEventListener('keydown', (ev) => {
      const tag = this.tagInput.value.trim();
      if (ev.key !== 'Enter' || !tag || !this.detail) return;
      this.tagInput.value = '';
      void this.update({ tags: [...new Set([...this.detail.tags, tag])] });
    });
    this.renameInput.hidden = true;
    this.confirmDelete.hidden = true;
    this.header.append(this.noSelection, this.details);
    for (const tab of TABS) {
      const button = element('button', { className: 'tab', testId: `run-tab-${tab}`, attrs: { role: 'tab' } }, [tab]);
      button.addEventListener('click', () => this.showTab(tab));
      this.tabButtons.set(tab, button);
      this.tabBar.append(button);
    }
    this.panes.set(
      'metrics',
      element('div', {}, [
        element('div', { className: 'plot-toolbar' }, [element('label', { className: 'toggle' }, [this.logYInput, 'log y'])]),
        element('div', { className: 'plot-area' }, [this.placeholder, this.plotHost]),
        this.metricTable,
      ]),
    );
    for (const tab of ['config', 'provenance', 'log', 'snapshots'] as const) this.panes.set(tab, element('div', { className: 'run-pane', testId: `run-pane-${tab}` }));
    this.panes.set(
      'notes',
      element('div', { className: 'run-pane', testId: 'run-pane-notes' }, [
        element('div', { className: 'tag-row' }, [element('span', { className: 'muted' }, ['tags']), this.tagList, this.tagInput]),
        this.noteInput,
        element('div', {}, [this.noteSave]),
      ]),
    );
    this.element = element('section', { className: 'run-view', testId: 'run-view' }, [
      this.header,
      this.message,
      this.tabBar,
      ...this.panes.values(),
    ]);
    this.showTab('metrics');
    this.renderHeader();
  }

  get selected(): RunId | null {
    return this.runId;
  }

  /** Selects a run (or none) and loads its series and details. */
  show(runId: RunId | null): void {
    if (runId === this.runId) return;
    this.runId = runId;
    this.detail = null;
    this.showMessage('');
    this.confirmDelete.hidden = true;
    this.renderHeader();
    this.renderSections();
    void this.load();
  }

  /** Re-reads the selected run's series and details (after the event stream was interrupted, or the run ended). */
  reload(): void {
    void this.load();
  }

  /** Re-reads the open run's details (not its series): after it ended, or another window changed it. */
  async refreshDetail(runId: RunId): Promise<void> {
    if (runId !== this.runId) return;
    try {
      const detail = await this.client.call('runs.get', { runId });
      if (runId !== this.runId) return;
      this.detail = detail;
      this.runs.upsert(detail);
      this.renderSections();
    } catch (err) {
      this.showMessage(describeError(err));
    }
  }

  onProgress(event: LabEventPayload<'runs.progressed'>): void {
    if (event.runId !== this.runId || event.points.length === 0) return;
    if (!this.series) {
      this.pending.push(...event.points);
      return;
    }
    const { added } = appendPoints(this.series, event.points);
    if (added.size > 0) this.drawPlot();
  }

  /** Shows what the runs model says about the selected run (updated in place: it runs on every event). */
  renderHeader(): void {
    this.noSelection.hidden = this.runId !== null;
    this.details.hidden = this.runId === null;
    this.tabBar.hidden = this.runId === null;
    for (const [tab, pane] of this.panes) pane.hidden = this.runId === null || tab !== this.tab;
    if (this.runId === null) return;
    const run = this.runs.get(this.runId);
    if (this.renameInput.hidden) this.title.textContent = run ? `#${run.id} ${run.name}` : `Run ${this.runId}`;
    this.status.hidden = !run;
    const active = run?.status === 'RUNNING' || run?.status === 'PENDING';
    this.stopButton.hidden = !run || !active;
    this.deleteButton.hidden = !run || active;
    this.renameButton.hidden = !run;
    this.openCellButton.hidden = !run?.notebook || !run.cellId;
    this.meta.hidden = !run;
    this.progress.hidden = !run;
    this.error.hidden = !run?.error;
    if (!run) return;
    this.status.className = `status status-${run.status.toLowerCase()}`;
    this.status.textContent = run.status;
    const elapsedMs = run.startedMs === null ? null : (run.endedMs ?? Date.now()) - run.startedMs;
    this.meta.textContent =
      `${run.model} on ${run.task} · seed ${run.seed} · backend ${run.backend ?? '—'}` +
      (run.memoryFloats !== null ? ` · ${run.memoryFloats} memory floats` : '') +
      (elapsedMs === null ? '' : ` · ${formatDuration(elapsedMs)}`) +
      (run.tags.length ? ` · ${run.tags.map((t) => `#${t}`).join(' ')}` : '');
    this.progress.max = Math.max(1, run.totalSteps);
    this.progress.value = run.step;
    this.stepText.textContent = `${run.step} / ${run.totalSteps}`;
    this.error.textContent = run.error ?? '';
  }

  private showTab(tab: Tab): void {
    this.tab = tab;
    for (const [t, button] of this.tabButtons) button.setAttribute('aria-selected', String(t === tab));
    this.renderHeader();
  }

  private async load(): Promise<void> {
    const generation = ++this.loadGeneration;
    this.series = null;
    this.pending = [];
    const runId = this.runId;
    this.drawPlot();
    if (runId === null) return;
    try {
      const [series, detail] = await Promise.all([this.client.call('runs.metrics', { runId }), this.client.call('runs.get', { runId })]);
      if (generation !== this.loadGeneration) return;
      const set = seriesSetFrom(series);
      // Points announced while the query ran; those the query already returned are skipped.
      appendPoints(set, this.pending);
      this.pending = [];
      this.series = set;
      this.detail = detail;
      this.runs.upsert(detail);
      this.drawPlot();
      this.renderSections();
    } catch (err) {
      if (generation === this.loadGeneration) this.showMessage(describeError(err));
    }
  }

  private renderSections(): void {
    const run = this.detail;
    const pane = (tab: Tab) => this.panes.get(tab)!;
    if (!run) {
      for (const tab of ['config', 'provenance', 'log', 'snapshots'] as const) setChildren(pane(tab), [element('p', { className: 'muted' }, ['Loading…'])]);
      setChildren(this.metricTable, []);
      return;
    }
    setChildren(this.metricTable, [
      element('table', { className: 'grid' }, [
        element('thead', {}, [element('tr', {}, ['metric', 'points', 'last step', 'last', 'min', 'max'].map((h) => element('th', {}, [h])))]),
        element(
          'tbody',
          {},
          run.metrics.map((m) =>
            element('tr', {}, [
              element('td', {}, [m.key]),
              ...[String(m.count), String(m.lastStep), formatMetricValue(m.lastValue), formatMetricValue(m.min), formatMetricValue(m.max)].map((v) => element('td', { className: 'num' }, [v])),
            ]),
          ),
        ),
      ]),
    ]);
    setChildren(pane('config'), [
      keyValueTable(
        [
          ...[...runParams(run)].map(([k, v]) => [k, formatParamValue(v)] as const),
          ['backend', run.backend ?? '—'],
          ['kind', run.kind],
        ],
        'run-config',
      ),
    ]);
    const p = run.provenance;
    setChildren(pane('provenance'), [
      keyValueTable(
        [
          ['notebook', p.notebook ?? '—'],
          ['cell', p.cellId ?? '—'],
          ['source hash', p.sourceHash ?? '—'],
          ['command', p.command ?? '—'],
          ['Engram', p.engramVersion],
          ['Node', p.node],
          ['platform', p.platform],
          ['host', p.host],
        ],
        'run-provenance',
      ),
      p.source ? element('div', {}, [element('h4', {}, ['cell source when the run started']), element('pre', { className: 'source', testId: 'run-source' }, [p.source])]) : null,
    ]);
    setChildren(pane('log'), [element('pre', { className: 'log', testId: 'run-log' }, [lifecycleLog(run, Date.now()).join('\n')])]);
    setChildren(pane('snapshots'), [
      run.snapshots.length === 0
        ? element('p', { className: 'muted' }, ['No snapshots.'])
        : element('table', { className: 'grid' }, [
            element('thead', {}, [element('tr', {}, ['step', 'kind', 'tensors', ''].map((h) => element('th', {}, [h])))]),
            element(
              'tbody',
              {},
              run.snapshots.map((s) => {
                const inspect = element('button', { className: 'small', testId: 'inspect-snapshot' }, ['Inspect']);
                inspect.addEventListener('click', () => this.actions.inspect(run.id, s.id));
                return element('tr', { testId: 'snapshot-row', attrs: { 'data-snapshot-id': String(s.id) } }, [
                  element('td', { className: 'num' }, [s.step]),
                  element('td', {}, [s.kind]),
                  element('td', { className: 'tensor-list' }, [s.tensors.map((t) => `${t.name} [${t.shape.join('×')}]`).join(', ')]),
                  element('td', {}, [inspect]),
                ]);
              }),
            ),
          ]),
    ]);
    setChildren(
      this.tagList,
      run.tags.map((tag) => {
        const remove = element('button', { className: 'chip-x', title: `remove tag ${tag}`, attrs: { 'aria-label': `remove tag ${tag}` } }, ['×']);
        remove.addEventListener('click', () => void this.update({ tags: run.tags.filter((t) => t !== tag) }));
        return element('span', { className: 'chip tag', testId: 'run-tag' }, [tag, remove]);
      }),
    );
    if (document.activeElement !== this.noteInput) this.noteInput.value = run.note;
  }

  private async update(change: { name?: string; note?: string; tags?: string[] }): Promise<void> {
    const runId = this.runId;
    if (runId === null) return;
    try {
      const run = await this.client.call('runs.update', { runId, ...change });
      this.runs.upsert(run);
      if (this.detail && this.detail.id === runId) this.detail = { ...this.detail, ...run, note: change.note ?? this.detail.note };
      this.showMessage(change.note !== undefined ? 'Note saved.' : '');
      this.renderHeader();
      this.renderSections();
    } catch (err) {
      this.showMessage(describeError(err));
    }
  }

  private startRename(): void {
    const run = this.runId === null ? undefined : this.runs.get(this.runId);
    if (!run) return;
    this.renameInput.value = run.name;
    this.renameInput.hidden = false;
    this.title.hidden = true;
    this.renameInput.focus();
    this.renameInput.select();
  }

  private async finishRename(save: boolean): Promise<void> {
    if (this.renameInput.hidden) return;
    const name = this.renameInput.value.trim();
    this.renameInput.hidden = true;
    this.title.hidden = false;
    const run = this.runId === null ? undefined : this.runs.get(this.runId);
    if (save && name && run && name !== run.name) await this.update({ name });
    this.renderHeader();
  }

  private askDelete(): void {
    const runId = this.runId;
    if (runId === null) return;
    const yes = element('button', { className: 'small danger', testId: 'run-delete-yes' }, ['Delete']);
    const no = element('button', { className: 'small', testId: 'run-delete-no' }, ['Cancel']);
    setChildren(this.confirmDelete, [`Delete run ${runId} with its metrics and snapshots? `, yes, no]);
    this.confirmDelete.hidden = false;
    no.addEventListener('click', () => (this.confirmDelete.hidden = true));
    yes.addEventListener('click', () => void this.delete(runId));
    no.focus();
  }

  private async delete(runId: RunId): Promise<void> {
    this.confirmDelete.hidden = true;
    try {
      await this.client.call('runs.delete', { runId });
      this.runs.remove(runId);
      if (this.runId === runId) this.show(null);
    } catch (err) {
      this.showMessage(describeError(err));
    }
  }

  private openCell(): void {
    const run = this.runId === null ? undefined : this.runs.get(this.runId);
    if (!run?.notebook || !run.cellId) return;
    requestApp(window, 'engram:open-cell', { notebook: run.notebook, cellId: run.cellId as CellId });
  }

  private drawPlot(): void {
    const series = this.series;
    const hasPoints = series !== null && [...series.values()].some((s) => s.steps.length > 0);
    this.placeholder.hidden = hasPoints;
    this.plotHost.hidden = !hasPoints;
    this.placeholder.textContent =
      this.runId === null ? '' : series === null ? 'Loading metrics…' : 'No metric points yet.';
    if (!hasPoints || this.runId === null) return;
    const logY = this.logYInput.checked;
    // A new view key on switching scale drops a zoom made on the other scale.
    this.plot.render(metricFigure(series, { logY, viewKey: `run-${this.runId}-${logY ? 'log' : 'linear'}` }));
  }

  private async stop(): Promise<void> {
    const runId = this.runId;
    if (runId === null) return;
    this.stopButton.disabled = true;
    try {
      await this.client.call('runs.stop', { runId });
    } catch (err) {
      this.showMessage(describeError(err));
    } finally {
      this.stopButton.disabled = false;
    }
  }

  private showMessage(text: string): void {
    this.message.textContent = text;
    this.message.hidden = text === '';
  }
}
