// The renderer's entry: drops the access token from the address, connects to the lab service and
// builds the app frame (header, notebook, runs). Runs in the renderer (Electron window or browser tab).
import './styles/app.css';
import { connectLabClient } from './api/lab-client';
import { AppHeader } from './app-header';
import { NotebookView } from './cells/notebook-view';
import { element } from './dom/element';
import { RunsPanel } from './runs/runs-panel';

/** Browser mode opens the page as `/?token=…`; the server has set its cookie, so the token must not stay in history. */
function dropTokenFromAddress(): void {
  const url = new URL(window.location.href);
  if (!url.searchParams.has('token')) return;
  url.searchParams.delete('token');
  window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
}

dropTokenFromAddress();
const client = connectLabClient(window);
const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');
const workspace = element('main', { className: 'workspace', testId: 'workspace', attrs: { 'data-layout': 'side-by-side' } });
// The runs area can take the whole window (a wide table, compare and inspector) and give it back.
const runsPanel = new RunsPanel(client, { onExpand: (expanded) => (workspace.dataset['layout'] = expanded ? 'runs' : 'side-by-side') });
workspace.append(new NotebookView(client).element, runsPanel.element);
root.replaceChildren(new AppHeader(client).element, workspace);
root.dataset['transport'] = client.transport;
