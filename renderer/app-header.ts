// The app's top bar: name, the kernel's status and tfjs backend (from `system.info`, then kept current
// by `kernel.changed`), and whether the lab service is reachable. Renderer process.
import type { LabEventPayload } from '../engine/api/lab-api';
import type { ConnectionState } from './api/http-bridge';
import type { RendererLabClient } from './api/lab-client';
import { describeError } from './api/lab-call-error';
import { element, setChildren } from './dom/element';

type KernelInfo = LabEventPayload<'kernel.changed'>;

export class AppHeader {
  readonly element: HTMLElement;
  private readonly kernel = element('span', { className: 'kernel', testId: 'kernel-status' });
  private readonly backend = element('span', { className: 'backend', testId: 'backend' });
  private readonly connection = element('span', { className: 'connection', testId: 'connection' });
  private readonly version = element('span', { className: 'muted version' });

  constructor(private readonly client: RendererLabClient) {
    this.element = element('header', { className: 'app-header', testId: 'app-header' }, [
      element('h1', {}, ['Engram']),
      this.version,
      element('span', { className: 'spacer' }),
      this.connection,
      this.kernel,
      this.backend,
    ]);
    this.showKernel({ status: 'starting', backend: null });
    client.on('kernel.changed', (info) => this.showKernel(info));
    client.onConnection((state) => {
      this.showConnection(state);
      if (state === 'open') void this.loadInfo();
    });
  }

  private async loadInfo(): Promise<void> {
    try {
      const info = await this.client.call('system.info', {});
      this.version.textContent = `v${info.version}`;
      this.version.title = `lab book ${info.dbPath}\n${info.platform}, Node ${info.node}`;
      this.showKernel(info.kernel);
    } catch (err) {
      this.connection.textContent = describeError(err);
      this.connection.hidden = false;
    }
  }

  private showKernel(info: KernelInfo): void {
    this.kernel.className = `kernel kernel-${info.status}`;
    setChildren(this.kernel, [element('span', { className: 'dot' }), `kernel ${info.status}`]);
    const backend = info.backend;
    this.backend.textContent = backend ? backend.name : '';
    this.backend.hidden = !backend;
    this.backend.title = backend
      ? [backend.detail, ...backend.skipped.map((s) => `skipped ${s.name}: ${s.reason}`)].join('\n')
      : '';
  }

  private showConnection(state: ConnectionState): void {
    this.connection.textContent = state === 'open' ? '' : state === 'connecting' ? 'connecting…' : 'lab service unreachable, retrying…';
    this.connection.hidden = state === 'open';
  }
}
