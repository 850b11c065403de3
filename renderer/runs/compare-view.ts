// Compare: the selected runs' metric overlaid (EMA smoothing with the raw curve faint, step or wall
// time, log scale, runs averaged over seeds or by a parameter with a std or min–max band), re-read
// from the lab book for the visible range on every zoom; a table of the value at step k, the best and
// the last value; the parameters that differ; and a capacity curve (any final metric against any
// numeric parameter, a line per model, seeds averaged). Renderer process.
import type { BandKind, FigureRequest } from '../../engine/api/figure';
import type { MetricSeries, RunId, RunSummary } from '../../engine/api/schemas';
import type { RendererLabClient } from '../api/lab-client';
import { describeError } from '../api/lab-call-error';
import { element, setChildren } from '../dom/element';
import { capacityFigure, comparisonFigure, FigureError, legendNames, type ComparisonFigure } from '../plots/comparison-figure';
import { comparisonPlotly, lineColor } from '../plots/comparison-plotly';
import { PlotlyView, preloadPlotly } from '../plots/plotly-view';
import { ExportDialog } from './export-dialog';
import { formatMetricValue } from './run-format';
import { differingParams, formatParamValue, numericParamKeys, paramKeys, paramValue } from './run-params';
import type { RunsModel } from './runs-model';

/** Points per run the screen asks for: a screen's worth, fewer when many runs share the plot. */
export function pointsPerRun(runs: number, plotWidthPx: number): number {
  return Math.max(200, Math.min(Math.round(plotWidthPx * 2), Math.floor(400_000 / Math.max(1, runs))));
}

/** Whether the best value of a metric is its lowest (losses, errors) or its highest (accuracies). */
export function metricGoal(key: string): 'min' | 'max' {
  return /(^|[_/.-])(acc|accuracy|auc|f1|precision|recall|score|reward|overlap|hit_rate)($|[_/.-])/i.test(key) ? 'max' : 'min';
}

/** How often a plot of running runs is re-read while they progress. */
const LIVE_REFRESH_MS = 2000;

function select(testId: string, label: string): HTMLSelectElement {
  return element('select', { testId, attrs: { 'aria-label': label } });
}

function fillSelect(sel: HTMLSelectElement, options: readonly (readonly [string, string])[], preferred: string): void {
  const signature = JSON.stringify(options);
  if (sel.dataset['options'] !== signature) {
    sel.dataset['options'] = signature;
    setChildren(sel, options.map(([value, label]) => element('option', { attrs: { value } }, [label])));
  }
  sel.value = options.some(([v]) => v === preferred) ? preferred : (options[0]?.[0] ?? '');
}

function checkbox(testId: string): HTMLInputElement {
  return element('input', { testId, attrs: { type: 'checkbox' } });
}

export class CompareView {
  readonly element: HTMLElement;
  private readonly empty = element('p', { className: 'hint', testId: 'compare-empty' }, ['Tick runs in the Runs tab (or Ctrl-click their rows) to compare them.']);
  private readonly metric = select('compare-metric', 'metric');
  private readonly x = select('compare-x', 'x-axis');
  private readonly smoothing = element('input', { testId: 'compare-smoothing', attrs: { type: 'range', min: '0', max: '0.99', step: '0.01', value: '0', 'aria-label': 'smoothing' } });
  private readonly smoothingText = element('span', { className: 'num smoothing-value' }, ['0']);
  private readonly group = select('compare-group', 'group runs');
  private readonly band = select('compare-band', 'band');
  private readonly logY = checkbox('compare-log-y');
  private readonly exportButton = element('button', { className: 'small', testId: 'compare-export' }, ['Export…']);
  private readonly plotHost = element('div', { className: 'plot compare-plot', testId: 'compare-plot' });
  private readonly notes = element('p', { className: 'muted notes', testId: 'compare-notes' });
  private readonly message = element('p', { className: 'message error', testId: 'compare-message', attrs: { role: 'alert' } });
  private readonly stepK = element('input', { testId: 'compare-step-k', attrs: { type: 'number', min: '0', step: '1', 'aria-label': 'step k' } });
  private readonly valuesTable = element('table', { className: 'grid', testId: 'compare-values' });
  private readonly diffTable = element('div', { testId: 'param-diff' });
  private readonly capMetric = select('capacity-metric', 'capacity metric');
  private readonly capX = select('capacity-x', 'capacity x');
  private readonly capLines = select('capacity-lines', 'lines by');
  private readonly capBand = select('capacity-band', 'capacity band');
  private readonly capLogX = checkbox('capacity-log-x');
  private readonly capLogY = checkbox('capacity-log-y');
  private readonly capExportButton = element('button', { className: 'small', testId: 'capacity-export' }, ['Export…']);
  private readonly capPlotHost = element('div', { className: 'plot capacity-plot', testId: 'capacity-plot' });
  private readonly capTable = element('table', { className: 'grid', testId: 'capacity-table' });
  private readonly capMessage = element('p', { className: 'message', testId: 'capacity-message' });
  private readonly body: HTMLElement;
  private readonly plot: PlotlyView;
  private readonly capPlot: PlotlyView;
  private readonly curveExport: ExportDialog;
  private readonly capacityExport: ExportDialog;
  private runIds: RunId[] = [];
  private series = new Map<RunId, MetricSeries>();
  /** The step range on screen after a zoom; null for the whole series. */
  private zoom: [number, number] | null = null;
  private loadGeneration = 0;
  private valuesGeneration = 0;
  private visible = false;
  private stale = true;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly client: RendererLabClient,
    private readonly runs: RunsModel,
  ) {
    this.plot = new PlotlyView(this.plotHost, (err) => this.showMessage(`The plot failed: ${describeError(err)}`), (range) => this.onZoom(range));
    this.capPlot = new PlotlyView(this.capPlotHost, (err) => this.showCapMessage(`The plot failed: ${describeError(err)}`));
    this.curveExport = new ExportDialog(client, () => this.curveRequest(), 'compare-export-dialog');
    this.capacityExport = new ExportDialog(client, () => this.capacityRequest(), 'capacity-export-dialog');
    fillSelect(this.x, [['step', 'step'], ['time', 'wall time (s)']], 'step');
    for (const sel of [this.band, this.capBand]) fillSelect(sel, [['std', 'mean ± std'], ['minmax', 'min–max'], ['none', 'mean only']], 'std');
    this.metric.addEventListener('change', () => {
      this.zoom = null;
      void this.loadSeries();
    });
    this.x.addEventListener('change', () => {
      this.zoom = null;
      this.draw();
    });
    this.smoothing.addEventListener('input', () => {
      this.smoothingText.textContent = this.smoothing.value;
      this.draw();
    });
    for (const el of [this.group, this.band, this.logY]) el.addEventListener('change', () => this.draw());
    this.stepK.addEventListener('change', () => void this.renderValues());
    for (const el of [this.capMetric, this.capX, this.capLines, this.capBand, this.capLogX, this.capLogY]) el.addEventListener('change', () => this.drawCapacity());
    this.exportButton.addEventListener('click', () => this.curveExport.toggle());
    this.capExportButton.addEventListener('click', () => this.capacityExport.toggle());
    const label = (text: string, control: HTMLElement, extra?: HTMLElement) => element('label', {}, [text, ' ', control, extra ?? null]);
    this.body = element('div', {}, [
      element('div', { className: 'compare-controls' }, [
        label('metric', this.metric),
        label('x', this.x),
        label('smooth', this.smoothing, this.smoothingText),
        label('group', this.group),
        label('band', this.band),
        element('label', { className: 'toggle' }, [this.logY, 'log y']),
        this.exportButton,
      ]),
      this.curveExport.element,
      this.message,
      this.plotHost,
      this.notes,
      element('div', { className: 'compare-tables' }, [
        element('div', {}, [element('h4', {}, ['Values ', element('label', { className: 'muted' }, ['at step ', this.stepK])]), this.valuesTable]),
        element('div', {}, [element('h4', {}, ['Parameters that differ']), this.diffTable]),
      ]),
      element('h3', { className: 'section-title' }, ['Capacity curve']),
      element('div', { className: 'compare-controls' }, [
        label('final', this.capMetric),
        label('against', this.capX),
        label('lines by', this.capLines),
        label('band', this.capBand),
        element('label', { className: 'toggle' }, [this.capLogX, 'log x']),
        element('label', { className: 'toggle' }, [this.capLogY, 'log y']),
        this.capExportButton,
      ]),
      this.capacityExport.element,
      this.capMessage,
      this.capPlotHost,
      this.capTable,
    ]);
    this.message.hidden = true;
    this.capMessage.hidden = true;
    this.element = element('section', { className: 'compare-view', testId: 'compare-view' }, [this.empty, this.body]);
  }

  /** Called when the tab shows or hides: a hidden view does no work, and catches up when shown. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible && this.stale) void this.refresh();
  }

  /** The selection changed, or a selected run changed: re-read what is needed once visible. */
  setRuns(ids: readonly RunId[]): void {
    const same = ids.length === this.runIds.length && ids.every((id, i) => id === this.runIds[i]);
    if (same) return;
    this.runIds = [...ids];
    this.zoom = null;
    this.stale = true;
    // Runs being ticked are about to be compared: have plotly ready by the time the tab opens.
    if (ids.length > 0) preloadPlotly();
    if (this.visible) void this.refresh();
  }

  /** A run on the plot made progress or ended: its series changed. Re-read at most every few seconds. */
  runChanged(runId: RunId): void {
    if (!this.runIds.includes(runId)) return;
    this.stale = true;
    if (!this.visible || this.refreshTimer !== null) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      if (this.visible && this.stale) void this.refresh();
    }, LIVE_REFRESH_MS);
  }

  private selectedRuns(): RunSummary[] {
    return this.runIds.flatMap((id) => {
      const run = this.runs.get(id);
      return run ? [run] : [];
    });
  }

  private async refresh(): Promise<void> {
    this.stale = false;
    const runs = this.selectedRuns();
    this.empty.hidden = runs.length > 0;
    this.body.hidden = runs.length === 0;
    if (runs.length === 0) {
      await Promise.all([this.plot.clear(), this.capPlot.clear()]);
      return;
    }
    const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.finalMetrics)))].sort((a, b) => Number(b === 'loss') - Number(a === 'loss') || a.localeCompare(b));
    fillSelect(this.metric, metrics.map((m) => [m, m]), this.metric.value || 'loss');
    const differing = differingParams(runs);
    fillSelect(
      this.group,
      [['', 'each run'], ['seed', 'over seeds'], ...differing.filter((k) => k !== 'seed').map((k) => [k, `by ${k}`] as const)],
      this.group.value,
    );
    this.renderDiff(runs, differing);
    const finals = metrics.filter((m) => !m.startsWith('loss'));
    fillSelect(this.capMetric, (finals.length ? finals : metrics).map((m) => [m, m]), this.capMetric.value || 'error_bits');
    const numeric = numericParamKeys(runs);
    const preferredX = this.capX.value || numeric.find((k) => differing.includes(k) && k !== 'seed') || 'memoryFloats';
    fillSelect(this.capX, numeric.map((k) => [k, k]), preferredX);
    fillSelect(this.capLines, [['model', 'model'], ['', 'one line'], ...paramKeys(runs).filter((k) => k !== 'model' && k !== 'seed').map((k) => [k, k] as const)], this.capLines.value || 'model');
    // The curves first: the capacity plot below them can wait for its turn at plotly.
    await this.loadSeries();
    this.drawCapacity();
  }

  /** Reads every selected run's series of the metric for the visible step range, down-sampled to the screen. */
  private async loadSeries(): Promise<void> {
    const generation = ++this.loadGeneration;
    const runs = this.selectedRuns();
    const metric = this.metric.value;
    if (!metric || runs.length === 0) return;
    const maxPoints = pointsPerRun(runs.length, this.plotHost.clientWidth || 800);
    try {
      // One call for all runs: a plot of hundreds of runs must not wait on hundreds of round trips.
      const answers = await this.client.call('runs.series', { key: metric, maxPoints, runs: runs.map((run) => ({ runId: run.id, ...this.stepRange(run.id) })) });
      if (generation !== this.loadGeneration) return;
      const empty = (runId: RunId): MetricSeries => ({ runId, key: metric, steps: [], values: [], wallTimesMs: [], totalInRange: 0, downsampled: false });
      const byRun = new Map(answers.map((s) => [s.runId, s]));
      this.series = new Map(runs.map((run) => [run.id, byRun.get(run.id) ?? empty(run.id)]));
      this.showMessage('');
      this.draw();
      void this.renderValues();
    } catch (err) {
      if (generation === this.loadGeneration) this.showMessage(describeError(err));
    }
  }

  /**
   * The step range to read for the current zoom: the zoomed steps themselves, or for a time axis the
   * steps whose wall time fell inside it (by the points already on screen, widened by one each side).
   */
  private stepRange(runId: RunId): { fromStep?: number; toStep?: number } {
    if (!this.zoom) return {};
    const [lo, hi] = this.zoom;
    const pad = (hi - lo) * 0.02;
    if (this.x.value === 'step') return { fromStep: lo - pad, toStep: hi + pad };
    const s = this.series.get(runId);
    const run = this.runs.get(runId);
    if (!s || s.steps.length === 0 || !run) return {};
    const t0 = run.startedMs ?? s.wallTimesMs[0]!;
    const times = s.wallTimesMs.map((w) => (w - t0) / 1000);
    const first = Math.max(0, times.findIndex((t) => t >= lo - pad) - 1);
    let last = times.length - 1;
    while (last > 0 && times[last - 1]! > hi + pad) last -= 1;
    return { fromStep: s.steps[first], toStep: s.steps[last] };
  }

  private onZoom(range: [number, number] | null): void {
    this.zoom = range;
    void this.loadSeries();
  }

  /** The figure on screen as a request: what the export draws, through the same figure code. */
  private curveRequest(): FigureRequest | null {
    if (this.runIds.length === 0 || !this.metric.value) return null;
    return {
      runIds: this.runIds,
      metric: this.metric.value,
      x: this.x.value,
      smoothing: Number(this.smoothing.value),
      groupBy: this.group.value || null,
      seriesBy: null,
      band: this.band.value as BandKind,
      logX: false,
      logY: this.logY.checked,
    };
  }

  private capacityRequest(): FigureRequest | null {
    if (this.runIds.length === 0 || !this.capMetric.value || !this.capX.value) return null;
    return {
      runIds: this.runIds,
      metric: this.capMetric.value,
      x: this.capX.value,
      smoothing: 0,
      groupBy: null,
      seriesBy: this.capLines.value || null,
      band: this.capBand.value as BandKind,
      logX: this.capLogX.checked,
      logY: this.capLogY.checked,
    };
  }

  private draw(): void {
    const request = this.curveRequest();
    if (!request) return;
    const runs = this.selectedRuns();
    try {
      const figure = comparisonFigure(request, runs, [...this.series.values()]);
      this.notes.textContent = figure.notes.join('; ');
      this.showMessage('');
      this.plot.render(comparisonPlotly(figure, { kind: 'screen', heightPx: 340, viewKey: `${request.metric}-${request.x}-${request.logY}` }));
    } catch (err) {
      if (!(err instanceof FigureError)) throw err;
      this.showMessage(err.message);
    }
  }

  private drawCapacity(): void {
    const request = this.capacityRequest();
    if (!request) {
      this.showCapMessage('The selected runs have no numeric parameter to plot against.');
      return;
    }
    try {
      const figure = capacityFigure(this.selectedRuns(), request);
      this.showCapMessage(figure.notes.join('; '));
      this.capPlot.render(comparisonPlotly(figure, { kind: 'screen', heightPx: 300, viewKey: `capacity-${request.metric}-${request.x}` }));
      this.renderCapacityTable(figure);
    } catch (err) {
      if (!(err instanceof FigureError)) throw err;
      this.showCapMessage(err.message);
      setChildren(this.capTable, []);
    }
  }

  private renderCapacityTable(figure: ComparisonFigure): void {
    const head = element('tr', {}, ['line', figure.xTitle, figure.yTitle, 'band', 'n', 'runs'].map((h) => element('th', {}, [h])));
    const rows = figure.lines.flatMap((line, li) =>
      line.x.map((x, i) =>
        element('tr', {}, [
          element('td', {}, [element('span', { className: 'swatch', attrs: { style: `background:${lineColor(li)}` } }), line.label]),
          element('td', { className: 'num' }, [formatMetricValue(x)]),
          element('td', { className: 'num' }, [formatMetricValue(line.y[i]!)]),
          element('td', { className: 'num' }, [line.lower ? `${formatMetricValue(line.lower[i]!)} – ${formatMetricValue(line.upper![i]!)}` : '—']),
          element('td', { className: 'num' }, [line.count?.[i] ?? 1]),
          element('td', { className: 'muted' }, [(line.pointRuns?.[i] ?? line.runIds).join(', ')]),
        ]),
      ),
    );
    setChildren(this.capTable, [element('thead', {}, [head]), element('tbody', {}, rows)]);
  }

  /** Value at step k (read exactly: the last point at or before k), best and last value of each run. */
  private async renderValues(): Promise<void> {
    const generation = ++this.valuesGeneration;
    const runs = this.selectedRuns();
    const metric = this.metric.value;
    if (!metric) return;
    const lastSteps = [...this.series.values()].map((s) => s.steps[s.steps.length - 1]).filter((s): s is number => s !== undefined);
    if (this.stepK.value === '' && lastSteps.length) this.stepK.value = String(Math.min(...lastSteps));
    const k = Number(this.stepK.value);
    const goal = metricGoal(metric);
    let atK = new Map<RunId, { step: number; value: number }>();
    try {
      // The last point at or before k is exact: a down-sample always keeps the last point of its range.
      const answers = await this.client.call('runs.series', { key: metric, maxPoints: 10, runs: runs.map((run) => ({ runId: run.id, toStep: k })) });
      atK = new Map(answers.filter((s) => s.steps.length > 0).map((s) => [s.runId, { step: s.steps.at(-1)!, value: s.values.at(-1)! }]));
    } catch (err) {
      this.showMessage(describeError(err));
    }
    if (generation !== this.valuesGeneration) return;
    const names = legendNames(runs);
    const head = element('tr', {}, ['run', `at step ${k}`, goal === 'min' ? 'best (min)' : 'best (max)', 'last'].map((h) => element('th', {}, [h])));
    const rows = runs.map((run) => {
      const s = this.series.get(run.id);
      const values = s?.values ?? [];
      let best: number | null = null;
      let bestStep = 0;
      values.forEach((v, j) => {
        if (Number.isFinite(v) && (best === null || (goal === 'min' ? v < best : v > best))) {
          best = v;
          bestStep = s!.steps[j]!;
        }
      });
      const at = atK.get(run.id);
      const last = run.finalMetrics[metric];
      return element('tr', { testId: 'compare-values-row' }, [
        element('td', {}, [names.get(run.id)!]),
        element('td', { className: 'num', title: at ? `step ${at.step}` : '' }, [at ? formatMetricValue(at.value) : '—']),
        element('td', { className: 'num', title: best === null ? '' : `step ${bestStep}${this.zoom ? ' (within the zoomed range)' : ''}` }, [best === null ? '—' : formatMetricValue(best)]),
        element('td', { className: 'num' }, [last === undefined ? '—' : formatMetricValue(last)]),
      ]);
    });
    setChildren(this.valuesTable, [element('thead', {}, [head]), element('tbody', {}, rows)]);
  }

  private renderDiff(runs: readonly RunSummary[], differing: readonly string[]): void {
    if (runs.length < 2) {
      setChildren(this.diffTable, [element('p', { className: 'muted' }, ['Select two or more runs.'])]);
      return;
    }
    if (differing.length === 0) {
      setChildren(this.diffTable, [element('p', { className: 'muted', testId: 'param-diff-none' }, ['The runs have the same parameters.'])]);
      return;
    }
    const names = legendNames(runs);
    setChildren(this.diffTable, [
      element('table', { className: 'grid' }, [
        element('thead', {}, [element('tr', {}, [element('th', {}, ['parameter']), ...runs.map((r) => element('th', { title: `run ${r.id}` }, [names.get(r.id)!]))])]),
        element(
          'tbody',
          {},
          differing.map((key) =>
            element('tr', { testId: 'param-diff-row', attrs: { 'data-param': key } }, [
              element('th', {}, [key]),
              ...runs.map((r) => element('td', { className: 'num' }, [formatParamValue(paramValue(r, key))])),
            ]),
          ),
        ),
      ]),
    ]);
  }

  private showMessage(text: string): void {
    this.message.textContent = text;
    this.message.hidden = text === '';
  }

  private showCapMessage(text: string): void {
    this.capMessage.textContent = text;
    this.capMessage.hidden = text === '';
  }
}
