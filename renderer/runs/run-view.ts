// The selected run: what it is, how far it got, and its metric series drawn live — loaded once with
// `runs.metrics`, then grown by the points each `runs.progressed` event carries. Renderer process.
import type { LabEventPayload } from '../../engine/api/lab-api';
import type { MetricPointData, RunId } from '../../engine/api/schemas';
import type { RendererLabClient } from '../api/lab-client';
import { describeError } from '../api/lab-call-error';
import { element } from '../dom/element';
import { metricFigure } from '../plots/figure-spec';
import { appendPoints, seriesSetFrom, type SeriesSet } from '../plots/metric-series';
import { PlotMount } from '../plots/plot-mount';
import { formatDuration } from './run-format';
import type { RunsModel } from './runs-model';

export class RunView {
  readonly element: HTMLElement;
  private readonly header = element('div', { className: 'run-header', testId: 'run-header' });
  private readonly title = element('h3');
  private readonly status = element('span', { testId: 'run-view-status' });
  private readonly stopButton = element('button', { className: 'small', testId: 'stop-run' }, ['Stop']);
  private readonly meta = element('p', { className: 'run-meta' });
  private readonly progress = element('progress');
  private readonly stepText = element('span', { className: 'num' });
  private readonly error = element('pre', { className: 'run-error', testId: 'run-error' });
  private readonly details = element('div', {}, [
    element('div', { className: 'run-title' }, [this.title, this.status, this.stopButton]),
    this.meta,
    element('div', { className: 'run-progress' }, [this.progress, this.stepText]),
    this.error,
  ]);
  private readonly noSelection = element('p', { className: 'muted' }, ['Select a run to plot its metrics.']);
  private readonly message = element('p', { className: 'message', testId: 'run-message', attrs: { role: 'status' } });
  private readonly placeholder = element('p', { className: 'plot-placeholder', testId: 'plot-placeholder' });
  private readonly plotHost = element('div', { className: 'plot', testId: 'run-plot' });
  private readonly logYInput = element('input', { testId: 'log-y', attrs: { type: 'checkbox' } });
  private readonly plot: PlotMount;
  private runId: RunId | null = null;
  /** Null while the selected run's series are being loaded; events meanwhile wait in `pending`. */
  private series: SeriesSet | null = null;
  private pending: MetricPointData[] = [];
  /** Bumped on every (re)load, so that a late answer for an earlier selection is dropped. */
  private loadGeneration = 0;

  constructor(
    private readonly client: RendererLabClient,
    private readonly runs: RunsModel,
  ) {
    this.plot = new PlotMount(this.plotHost, (err) => {
      this.showMessage(`The plot failed: ${describeError(err)}`);
      console.error(err);
    });
    this.logYInput.addEventListener('change', () => this.drawPlot());
    this.stopButton.addEventListener('click', () => void this.stop());
    this.header.append(this.noSelection, this.details);
    const toolbar = element('div', { className: 'plot-toolbar' }, [
      element('label', { className: 'toggle' }, [this.logYInput, 'log y']),
    ]);
    this.element = element('section', { className: 'run-view', testId: 'run-view' }, [
      this.header,
      this.message,
      toolbar,
      element('div', { className: 'plot-area' }, [this.placeholder, this.plotHost]),
    ]);
    this.renderHeader();
  }

  get selected(): RunId | null {
    return this.runId;
  }

  /** Selects a run (or none) and loads its series. */
  show(runId: RunId | null): void {
    if (runId === this.runId) return;
    this.runId = runId;
    this.showMessage('');
    this.renderHeader();
    void this.load();
  }

  /** Re-reads the selected run's series (after the event stream was interrupted). */
  reload(): void {
    void this.load();
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
    if (this.runId === null) return;
    const run = this.runs.get(this.runId);
    this.title.textContent = run ? `#${run.id} ${run.name}` : `Run ${this.runId}`;
    this.status.hidden = !run;
    this.stopButton.hidden = !run || (run.status !== 'RUNNING' && run.status !== 'PENDING');
    this.meta.hidden = !run;
    this.progress.hidden = !run;
    this.error.hidden = !run?.error;
    if (!run) return;
    this.status.className = `status status-${run.status.toLowerCase()}`;
    this.status.textContent = run.status;
    const elapsedMs = run.startedMs === null ? null : (run.endedMs ?? Date.now()) - run.startedMs;
    this.meta.textContent =
      `${run.model} on ${run.task} · seed ${run.seed} · backend ${run.backend ?? '—'}` +
      (elapsedMs === null ? '' : ` · ${formatDuration(elapsedMs)}`);
    this.progress.max = Math.max(1, run.totalSteps);
    this.progress.value = run.step;
    this.stepText.textContent = `${run.step} / ${run.totalSteps}`;
    this.error.textContent = run.error ?? '';
  }

  private async load(): Promise<void> {
    const generation = ++this.loadGeneration;
    this.series = null;
    this.pending = [];
    const runId = this.runId;
    this.drawPlot();
    if (runId === null) return;
    try {
      const series = await this.client.call('runs.metrics', { runId });
      if (generation !== this.loadGeneration) return;
      const set = seriesSetFrom(series);
      // Points announced while the query ran; those the query already returned are skipped.
      appendPoints(set, this.pending);
      this.pending = [];
      this.series = set;
      this.drawPlot();
    } catch (err) {
      if (generation === this.loadGeneration) this.showMessage(describeError(err));
    }
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
