// A run output: the run's name, model, task, status and step, kept current by run events; a click asks
// the runs view to show the run (`engram:open-run`). An imported card is shown, not followed. Renderer process.
import type { CellOutput } from '../../engine/api/notebook';
import type { RunStatus } from '../../engine/api/schemas';
import type { RendererLabClient } from '../api/lab-client';
import { requestApp } from '../app-events';
import { element, setChildren } from '../dom/element';

type RunOutput = Extract<CellOutput, { type: 'run' }>;

export class RunCard {
  readonly element: HTMLElement;
  private readonly status = element('span', { className: 'status', testId: 'run-card-status' });
  private readonly progress = element('span', { className: 'muted run-card-step' });
  /** Holds the run's progress output, when the cell has one. */
  readonly progressSlot = element('span', { className: 'run-card-slot' });
  private readonly unsubscribe: (() => void)[] = [];

  constructor(output: RunOutput, client: RendererLabClient, trusted: boolean) {
    const name = element('span', { className: 'run-card-name' }, [output.name]);
    this.element = element(trusted ? 'button' : 'div', { className: 'output-run', testId: 'output-run', attrs: { 'data-run-id': String(output.runId) } }, [
      element('span', { className: 'muted' }, [`run #${output.runId}`]),
      name,
      element('span', { className: 'muted' }, [`${output.model} on ${output.task}`]),
      this.status,
      this.progress,
      this.progressSlot,
    ]);
    if (!trusted) {
      this.showStatus(null);
      return;
    }
    this.element.title = 'Show this run in the runs view';
    this.element.addEventListener('click', () => requestApp(window, 'engram:open-run', { runId: output.runId }));
    this.showStatus('PENDING');
    // An ending heard of before `runs.get` answers is newer than its answer.
    let ended: RunStatus | null = null;
    this.unsubscribe.push(
      client.on('runs.progressed', (e) => {
        if (e.runId !== output.runId || ended) return;
        this.showStatus('RUNNING');
        this.showStep(e.step, e.totalSteps);
      }),
      client.on('runs.ended', (e) => {
        if (e.runId !== output.runId) return;
        ended = e.status;
        this.showStatus(e.status);
      }),
      client.on('runs.updated', ({ run }) => {
        if (run.id === output.runId) name.textContent = run.name;
      }),
    );
    client
      .call('runs.get', { runId: output.runId })
      .then((run) => {
        name.textContent = run.name;
        this.showStatus(ended ?? run.status);
        this.showStep(run.step, run.totalSteps);
      })
      .catch(() => this.showStatus(null));
  }

  dispose(): void {
    for (const off of this.unsubscribe) off();
  }

  /** null: not in this lab book (deleted, or imported from elsewhere). */
  private showStatus(status: RunStatus | null): void {
    this.status.className = `status status-${(status ?? 'unknown').toLowerCase()}`;
    setChildren(this.status, [status ?? 'not in this lab book']);
  }

  private showStep(step: number, totalSteps: number): void {
    this.progress.textContent = totalSteps > 0 ? `step ${step}/${totalSteps}` : '';
  }
}
