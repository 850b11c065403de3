// The notebook file actions behind the File menu and the first start: which notebook opens at start
// (the most recent, else the demo, made in the default notebooks folder), new, open, save as, and
// .ipynb import and export, each asking for paths in a dialog. Renderer process.
import type { NotebookState } from '../../engine/api/notebook';
import type { RendererLabClient } from '../api/lab-client';
import { describeError, LabCallError } from '../api/lab-call-error';
import type { NotebookSession } from '../notebook/notebook-session';
import { dirName, importedPathFor, ipynbPathFor, joinPath, startupPlan, untitledPath, withNotebookExtension } from './notebook-paths';
import { showPathDialog } from './path-dialog';

export interface NotebookFilesHost {
  /** The notebook being edited, if any. */
  current(): NotebookSession | null;
  /** Shows a notebook the service opened or made (after the current one's edits went out). */
  show(state: NotebookState): void;
  /** A line for the user (an export's destination). */
  inform(text: string): void;
}

export class NotebookFiles {
  private notebooksDir = '';

  constructor(
    private readonly client: RendererLabClient,
    private readonly host: NotebookFilesHost,
  ) {}

  /** Opens the most recent notebook that still opens; on first start makes the demo and opens it. */
  async startup(): Promise<void> {
    const info = await this.client.call('system.info', {});
    this.notebooksDir = info.notebooksDir;
    const plan = startupPlan(await this.client.call('notebooks.recent', {}), this.notebooksDir);
    const problems: string[] = [];
    for (const path of plan.open) {
      try {
        this.host.show(await this.client.call('notebooks.open', { path }));
        if (problems.length) this.host.inform(problems.join('\n'));
        return;
      } catch (err) {
        // A recent notebook whose file is gone is passed over quietly; one that cannot be read, saying why.
        if (!(err instanceof LabCallError && err.code === 'not_found')) problems.push(`Could not open ${path}: ${describeError(err)}`);
      }
    }
    this.host.show(await this.createDemo(plan.demo));
    if (problems.length) this.host.inform(problems.join('\n'));
  }

  async newNotebook(): Promise<void> {
    const recent = await this.client.call('notebooks.recent', {});
    await showPathDialog({
      title: 'New notebook',
      fields: [{ label: 'File', value: untitledPath(this.folder(), recent.map((r) => r.path)), testId: 'path-input' }],
      confirm: 'Create',
      submit: async ([path]) => this.switchTo(() => this.client.call('notebooks.create', { path: withNotebookExtension(path!), demo: false })),
    });
  }

  async open(): Promise<void> {
    const recent = await this.client.call('notebooks.recent', {});
    await showPathDialog({
      title: 'Open notebook',
      fields: [{ label: 'File', value: joinPath(this.folder(), ''), testId: 'path-input', placeholder: '/path/to/notebook.engram.md' }],
      confirm: 'Open',
      recent,
      submit: async ([path]) => this.switchTo(() => this.client.call('notebooks.open', { path: path! })),
    });
  }

  async saveAs(): Promise<void> {
    const session = this.host.current();
    if (!session) return;
    await showPathDialog({
      title: 'Save notebook as',
      fields: [{ label: 'File', value: session.path, testId: 'path-input' }],
      confirm: 'Save',
      submit: async ([path]) => session.saveAs(withNotebookExtension(path!)),
    });
  }

  async importIpynb(): Promise<void> {
    await showPathDialog({
      title: 'Import a Jupyter notebook',
      fields: [
        { label: '.ipynb file', value: joinPath(this.folder(), ''), testId: 'path-input', placeholder: '/path/to/notebook.ipynb' },
        { label: 'Save as (empty: beside it)', value: '', testId: 'path-input-to', placeholder: 'beside the .ipynb, as .engram.md' },
      ],
      confirm: 'Import',
      submit: async ([from, to]) =>
        this.switchTo(() => this.client.call('notebooks.importIpynb', { from: from!, to: to ? withNotebookExtension(to) : importedPathFor(from!) })),
    });
  }

  async exportIpynb(): Promise<void> {
    const session = this.host.current();
    if (!session) return;
    await showPathDialog({
      title: 'Export as .ipynb',
      fields: [{ label: 'File', value: ipynbPathFor(session.path), testId: 'path-input' }],
      confirm: 'Export',
      submit: async ([to]) => this.host.inform(`Exported to ${await session.exportIpynb(to!)}`),
    });
  }

  /** The folder new files go to: the open notebook's, else the default notebooks folder. */
  private folder(): string {
    const current = this.host.current();
    return current ? dirName(current.path) : this.notebooksDir;
  }

  /** Sends the current notebook's edits, then opens what `load` returns. */
  private async switchTo(load: () => Promise<NotebookState>): Promise<void> {
    await this.host.current()?.flush();
    this.host.show(await load());
  }

  private async createDemo(path: string): Promise<NotebookState> {
    try {
      return await this.client.call('notebooks.create', { path, demo: true });
    } catch (err) {
      // The demo file is there already (its recent entry was cleared): open it as it is.
      if (err instanceof LabCallError && err.code === 'conflict') return this.client.call('notebooks.open', { path });
      throw err;
    }
  }
}
