// The renderer's entry: drops the access token from the address, connects to the lab service and
// builds the app frame (header, notebook, runs). Runs in the renderer (Electron window or browser tab).
import './styles/app.css';
import { connectLabClient } from './api/lab-client';
import { AppHeader } from './app-header';
import { NotebookView } from './cells/notebook-view';
import { element } from './dom/element';
import { createDemoNotebook } from './notebook/demo-notebook';
import { NotebookStore } from './notebook/notebook-store';
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
const notebook = new NotebookStore(createDemoNotebook());
const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');
root.replaceChildren(
  new AppHeader(client).element,
  element('main', { className: 'workspace' }, [new NotebookView(notebook).element, new RunsPanel(client).element]),
);
root.dataset['transport'] = client.transport;
