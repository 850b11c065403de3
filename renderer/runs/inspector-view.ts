// The memory inspector: a snapshot's tensors as heatmaps (any tensor, as a 2-D matrix for a chosen
// episode of the batch), the difference from another snapshot (another step of the run, or another
// run), and the retrieval trace of a query — query, each read iterate with its energy, result, and the
// target — as images for image tasks and bit rows for binary ones. Renderer process.
import type { RunDetail, RunId, SnapshotInfo } from '../../engine/api/schemas';
import type { RendererLabClient } from '../api/lab-client';
import { describeError } from '../api/lab-call-error';
import { element, setChildren } from '../dom/element';
import { PlotlyView } from '../plots/plotly-view';
import { itemCanvas } from './item-canvas';
import { formatMetricValue } from './run-format';
import type { RunsModel } from './runs-model';
import {
  batchCount,
  decodeTensor,
  itemLayout,
  matrixDifference,
  matrixRows,
  matrixStats,
  queryCount,
  retrievalTrace,
  tensorMatrix,
  type DecodedTensor,
  type Matrix,
} from './snapshot-tensors';

/** Blue below zero, white at zero, red above (ColorBrewer RdBu), for signed values and differences. */
const DIVERGING = [
  [0, '#2166ac'],
  [0.25, '#92c5de'],
  [0.5, '#f7f7f7'],
  [0.75, '#f4a582'],
  [1, '#b2182b'],
];
/** Pixels of a heatmap figure that are not cells: axes, titles, colour bar. */
const HEATMAP_CHROME_PX = 122;
/** The tallest a heatmap's cells may stack. */
const MAX_HEATMAP_PX = 560;

/** The tensor shown first: the memory itself rather than the episode that was written. */
function preferredTensor(names: readonly string[]): string {
  return names.find((n) => n.startsWith('state/') && n !== 'state/count') ?? names.find((n) => n.startsWith('var/')) ?? names[0] ?? '';
}

function snapshotLabel(s: SnapshotInfo): string {
  return `step ${s.step} · ${s.kind}`;
}

export class InspectorView {
  readonly element: HTMLElement;
  private readonly empty = element('p', { className: 'hint', testId: 'inspector-empty' }, ["Open a snapshot from a run's Snapshots tab (Inspect)."]);
  private readonly title = element('h3', { testId: 'inspector-title' });
  private readonly snapshot = element('select', { testId: 'inspector-snapshot', attrs: { 'aria-label': 'snapshot' } });
  private readonly tensor = element('select', { testId: 'inspector-tensor', attrs: { 'aria-label': 'tensor' } });
  private readonly batch = element('input', { testId: 'inspector-batch', attrs: { type: 'number', min: '0', step: '1', value: '0', 'aria-label': 'episode of the batch' } });
  private readonly diffRun = element('select', { testId: 'inspector-diff-run', attrs: { 'aria-label': 'run to subtract' } });
  private readonly diffSnapshot = element('select', { testId: 'inspector-diff', attrs: { 'aria-label': 'snapshot to subtract' } });
  private readonly stats = element('p', { className: 'muted', testId: 'inspector-stats' });
  private readonly message = element('p', { className: 'message error', testId: 'inspector-message', attrs: { role: 'alert' } });
  private readonly heatHost = element('div', { className: 'plot heatmap', testId: 'inspector-heatmap' });
  private readonly query = element('input', { testId: 'inspector-query', attrs: { type: 'number', min: '0', step: '1', value: '0', 'aria-label': 'query' } });
  private readonly trace = element('div', { className: 'trace', testId: 'retrieval-trace' });
  private readonly traceSection = element('div', { className: 'trace-section', testId: 'retrieval-section' }, [
    element('h4', {}, ['Retrieval ', element('label', { className: 'muted' }, ['query ', this.query])]),
    this.trace,
  ]);
  private readonly body: HTMLElement;
  private readonly heatmap: PlotlyView;
  private run: RunDetail | null = null;
  private tensors = new Map<string, DecodedTensor>();
  private diffTensor: DecodedTensor | null = null;
  private diffRunDetail: RunDetail | null = null;
  private generation = 0;

  constructor(
    private readonly client: RendererLabClient,
    private readonly runs: RunsModel,
  ) {
    this.heatmap = new PlotlyView(this.heatHost, (err) => this.showMessage(`The heatmap failed: ${describeError(err)}`));
    this.snapshot.addEventListener('change', () => void this.loadSnapshot(Number(this.snapshot.value)));
    this.tensor.addEventListener('change', () => void this.loadDiff());
    this.batch.addEventListener('change', () => this.draw());
    this.query.addEventListener('change', () => this.drawTrace());
    this.diffRun.addEventListener('change', () => void this.chooseDiffRun(Number(this.diffRun.value) as RunId));
    this.diffSnapshot.addEventListener('change', () => void this.loadDiff());
    const label = (text: string, control: HTMLElement) => element('label', {}, [text, ' ', control]);
    this.body = element('div', {}, [
      this.title,
      element('div', { className: 'compare-controls' }, [
        label('snapshot', this.snapshot),
        label('tensor', this.tensor),
        label('episode', this.batch),
        label('minus', this.diffRun),
        this.diffSnapshot,
      ]),
      this.message,
      this.stats,
      this.heatHost,
      this.traceSection,
    ]);
    this.message.hidden = true;
    this.body.hidden = true;
    this.element = element('section', { className: 'inspector', testId: 'inspector' }, [this.empty, this.body]);
  }

  /** Opens a snapshot of a run. */
  async open(runId: RunId, snapshotId: number): Promise<void> {
    const generation = ++this.generation;
    try {
      const run = await this.client.call('runs.get', { runId });
      if (generation !== this.generation) return;
      this.run = run;
      this.empty.hidden = true;
      this.body.hidden = false;
      this.title.textContent = `#${run.id} ${run.name} · ${run.model} on ${run.task}`;
      this.hideStale();
      setChildren(this.snapshot, run.snapshots.map((s) => element('option', { attrs: { value: String(s.id) } }, [snapshotLabel(s)])));
      this.snapshot.value = String(snapshotId);
      const others = this.runs.list().filter((r) => r.id !== run.id);
      setChildren(this.diffRun, [
        element('option', { attrs: { value: String(run.id) } }, ['this run']),
        ...others.map((r) => element('option', { attrs: { value: String(r.id) } }, [`#${r.id} ${r.name}`])),
      ]);
      this.diffRun.value = String(run.id);
      this.diffRunDetail = run;
      await this.loadSnapshot(snapshotId);
    } catch (err) {
      this.showMessage(describeError(err));
    }
  }

  private async loadSnapshot(snapshotId: number): Promise<void> {
    const generation = ++this.generation;
    this.hideStale();
    try {
      const data = await this.client.call('snapshots.get', { snapshotId });
      if (generation !== this.generation) return;
      this.tensors = new Map(data.tensors.map((t) => [t.name, decodeTensor(t)]));
      const names = [...this.tensors.keys()];
      const current = this.tensor.value;
      setChildren(this.tensor, names.map((n) => element('option', { attrs: { value: n } }, [`${n} [${this.tensors.get(n)!.shape.join('×')}]`])));
      this.tensor.value = names.includes(current) ? current : preferredTensor(names);
      this.query.max = String(Math.max(0, queryCount(this.tensors) - 1));
      this.fillDiffSnapshots();
      this.showMessage('');
      await this.loadDiff();
    } catch (err) {
      this.showMessage(describeError(err));
    }
  }

  private async chooseDiffRun(runId: RunId): Promise<void> {
    try {
      this.diffRunDetail = this.run && runId === this.run.id ? this.run : await this.client.call('runs.get', { runId });
      this.fillDiffSnapshots();
      await this.loadDiff();
    } catch (err) {
      this.showMessage(describeError(err));
    }
  }

  private fillDiffSnapshots(): void {
    const current = Number(this.snapshot.value);
    const options = (this.diffRunDetail?.snapshots ?? []).filter((s) => s.id !== current);
    const previous = this.diffSnapshot.value;
    setChildren(this.diffSnapshot, [
      element('option', { attrs: { value: '' } }, ['nothing']),
      ...options.map((s) => element('option', { attrs: { value: String(s.id) } }, [snapshotLabel(s)])),
    ]);
    this.diffSnapshot.value = options.some((s) => String(s.id) === previous) ? previous : '';
  }

  /** Reads the same tensor of the snapshot to subtract, if one is chosen. */
  private async loadDiff(): Promise<void> {
    this.diffTensor = null;
    const other = Number(this.diffSnapshot.value);
    const name = this.tensor.value;
    if (other && name) {
      try {
        const data = await this.client.call('snapshots.get', { snapshotId: other, names: [name] });
        this.diffTensor = data.tensors[0] ? decodeTensor(data.tensors[0]) : null;
      } catch (err) {
        this.showMessage(describeError(err));
      }
    }
    this.draw();
  }

  /** Hides what was drawn from the previous snapshot until the next one is drawn: never an old picture under a new title. */
  private hideStale(): void {
    this.tensors = new Map();
    this.stats.textContent = '';
    this.heatHost.hidden = true;
    this.traceSection.hidden = true;
  }

  private draw(): void {
    const t = this.tensors.get(this.tensor.value);
    if (!t) return;
    this.heatHost.hidden = false;
    const episodes = batchCount(t);
    this.batch.max = String(episodes - 1);
    this.batch.disabled = episodes <= 1;
    const b = Math.min(episodes - 1, Math.max(0, Math.floor(Number(this.batch.value) || 0)));
    this.batch.value = String(b);
    let matrix: Matrix;
    let diff = false;
    try {
      matrix = tensorMatrix(t, b);
      if (this.diffTensor) {
        matrix = matrixDifference(matrix, tensorMatrix(this.diffTensor, Math.min(b, batchCount(this.diffTensor) - 1)));
        diff = true;
      }
      this.showMessage('');
    } catch (err) {
      this.showMessage(describeError(err));
      return;
    }
    const stats = matrixStats(matrix);
    this.stats.textContent =
      `${t.name}: ${t.dtype} [${t.shape.join(' × ')}] → ${matrix.rows} × ${matrix.cols}` +
      (episodes > 1 ? `, episode ${b} of ${episodes}` : '') +
      `${diff ? ' (difference)' : ''} · min ${formatMetricValue(stats.min)} · max ${formatMetricValue(stats.max)} · mean ${formatMetricValue(stats.mean)}`;
    const signed = diff || (stats.min < 0 && stats.max > 0);
    const absMax = Math.max(Math.abs(stats.min), Math.abs(stats.max)) || 1;
    // Square cells as large as fit (up to 28 px), the plot sized to the matrix rather than the page.
    const room = Math.max(300, (this.heatHost.clientWidth || 900) - HEATMAP_CHROME_PX);
    const cellPx = Math.max(1, Math.min(28, Math.floor(room / matrix.cols), Math.floor(MAX_HEATMAP_PX / matrix.rows)));
    this.heatmap.render({
      data: [
        {
          type: 'heatmap',
          z: matrixRows(matrix),
          colorscale: signed ? DIVERGING : 'Viridis',
          ...(signed ? { zmid: 0, zmin: -absMax, zmax: absMax } : {}),
          hovertemplate: 'row %{y}, column %{x}<br>%{z:.4g}<extra></extra>',
          colorbar: { thickness: 10, outlinewidth: 0, len: 1, x: 1.02, xpad: 0 },
        },
      ],
      layout: {
        width: Math.max(220, matrix.cols * cellPx + HEATMAP_CHROME_PX),
        height: Math.max(120, matrix.rows * cellPx + 52),
        margin: { l: 52, r: 70, t: 6, b: 44 },
        font: { size: 11 },
        xaxis: { title: { text: matrix.colTitle }, ticks: 'outside' },
        yaxis: { title: { text: matrix.rowTitle }, autorange: 'reversed', ticks: 'outside' },
        paper_bgcolor: '#ffffff',
      },
      config: { displaylogo: false, responsive: false },
    });
    this.drawTrace();
  }

  private drawTrace(): void {
    const b = Number(this.batch.value) || 0;
    const q = Math.max(0, Math.floor(Number(this.query.value) || 0));
    let trace;
    try {
      trace = retrievalTrace(this.tensors, b, q);
    } catch (err) {
      setChildren(this.trace, [element('p', { className: 'muted' }, [describeError(err)])]);
      return;
    }
    this.traceSection.hidden = trace === null;
    if (!trace) return;
    const layout = itemLayout(this.run, trace.itemWidth, trace.target ?? trace.steps[0]!.values);
    this.trace.className = `trace trace-layout-${layout.kind}`;
    const figure = (label: string, values: ArrayLike<number>, energy: number | null, testId: string) =>
      element('figure', { className: `trace-step trace-${layout.kind}` }, [
        itemCanvas(values, layout, testId),
        element('figcaption', {}, [label, energy === null ? null : element('span', { className: 'energy' }, [`E ${formatMetricValue(energy)}`])]),
      ]);
    setChildren(this.trace, [
      ...trace.steps.map((s, i) => [i > 0 && layout.kind === 'image' ? element('span', { className: 'arrow', attrs: { 'aria-hidden': 'true' } }, ['→']) : null, figure(s.label, s.values, s.energy, 'trace-step')]).flat(),
      trace.target && layout.kind === 'image' ? element('span', { className: 'arrow muted' }, ['vs']) : null,
      trace.target ? figure('target', trace.target, null, 'trace-target') : null,
    ]);
  }

  private showMessage(text: string): void {
    this.message.textContent = text;
    this.message.hidden = text === '';
  }
}
