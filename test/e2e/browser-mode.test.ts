// Browser mode end to end: builds the renderer, starts `engram serve` as a child process and drives the
// app in Debian's Chromium through playwright-core — token handling, monaco with the TypeScript
// worker, and a demo run listed and plotted live until it finishes. Runs under node:test.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, chromiumMissing, HEADLESS_ARGS } from '../helpers/chromium';

const root = resolve(import.meta.dirname, '..', '..');
/** Set to a file path to keep a screenshot of the app taken while the demo run trains. */
const screenshotPath = process.env['ENGRAM_E2E_SCREENSHOT'];

// Bounds on waits, so that a broken app fails with a message instead of hanging; never asserted on.
const SERVER_START_BOUND_MS = 120_000;
const UI_BOUND_MS = 60_000;
const RUN_BOUND_MS = 300_000;

const skip = chromiumMissing;

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  readonly origin: string;
  readonly token: string;
}

interface PlottedTrace {
  readonly name: string;
  readonly x: number[];
  readonly y: number[];
}

interface RunState {
  readonly status: string | null;
  readonly points: number;
  readonly traces: PlottedTrace[];
}

/** Page-side: the first run row's status and what the plot holds (plotly keeps its data on the element). */
const READ_RUN_STATE = `() => {
  const status = document.querySelector('[data-testid=run-row] [data-testid=run-status]');
  const plot = document.querySelector('[data-testid=run-plot]');
  const traces = (plot && plot.data) || [];
  return {
    status: status ? status.textContent : null,
    points: traces.reduce((n, t) => n + (t.x ? t.x.length : 0), 0),
    traces: traces.map((t) => ({ name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || []) })),
  };
}`;

function runNode(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => done({ code, output }));
  });
}

function startServer(dbPath: string): Promise<Server> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'engine/cli/main.ts', 'serve', '--db', dbPath, '--port', '0', '--no-open'],
    // The first start puts the demo notebook in the app-data folder: a temp one, not the user's.
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: join(dirname(dbPath), 'config') } },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolvePromise, reject) => {
    const bound = setTimeout(() => reject(new Error(`engram serve printed no URL within ${SERVER_START_BOUND_MS} ms:\n${stderr}`)), SERVER_START_BOUND_MS);
    child.once('exit', (code) => {
      clearTimeout(bound);
      reject(new Error(`engram serve exited (${code}) before printing its URL:\n${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /Engram is running at (http:\/\/\S+\/\?token=(\S+))/.exec(line);
      if (!match) return;
      clearTimeout(bound);
      const url = match[1]!;
      resolvePromise({ child, url, origin: new URL(url).origin, token: match[2]! });
    });
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

/** A LabApi call from the test itself, authorised by the bearer token. */
async function labCall(server: Server, method: string, params: unknown): Promise<unknown> {
  const response = await fetch(`${server.origin}/api/call/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
  });
  const body = (await response.json()) as { result?: unknown; error?: unknown };
  assert.equal(response.status, 200, `${method} failed: ${JSON.stringify(body.error)}`);
  return body.result;
}

async function readRunState(page: Page): Promise<RunState> {
  return page.evaluate<RunState>(`(${READ_RUN_STATE})()`);
}

const describeState = (s: RunState) => JSON.stringify({ status: s.status, traces: s.traces.map((t) => `${t.name}: ${t.x.length}`) });
const ended = (s: RunState) => s.status !== null && s.status !== 'PENDING' && s.status !== 'RUNNING';

/**
 * Polls the page's run state until `condition` holds, and returns that state; fails at once when
 * `hopeless` holds first. Polled from here rather than with waitForFunction, which evaluates strings
 * inside the page, and the app's CSP forbids eval.
 */
async function waitForRunState(
  page: Page,
  condition: (s: RunState) => boolean,
  hopeless: (s: RunState) => boolean,
  boundMs: number,
): Promise<RunState> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const state = await readRunState(page);
    if (condition(state)) return state;
    if (hopeless(state)) throw new Error(`waiting for ${condition.toString()}, the run got to ${describeState(state)}`);
    if (Date.now() > deadline) throw new Error(`no ${condition.toString()} within ${boundMs} ms; last ${describeState(state)}`);
    await delay(100);
  }
}

describe('browser mode (engram serve + Chromium)', { skip }, () => {
  let tempDir = '';
  let server: Server | null = null;
  let context: BrowserContext | null = null;
  let page: Page;
  const consoleErrors: string[] = [];
  const metricsQueries: string[] = [];
  const killOnExit = () => server?.child.kill('SIGKILL');

  before(async () => {
    const build = await runNode([join(root, 'scripts', 'build.mjs')]);
    assert.equal(build.code, 0, `renderer build failed:\n${build.output}`);
    tempDir = mkdtempSync(join(tmpdir(), 'engram-e2e-'));
    server = await startServer(join(tempDir, 'lab.db'));
    process.once('exit', killOnExit);
    context = await chromium.launchPersistentContext(join(tempDir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1440, height: 900 },
      args: HEADLESS_ARGS,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const where = msg.location().url;
      if (/\/favicon\.ico$/.test(where) && /404/.test(msg.text())) return;
      consoleErrors.push(`${msg.text()} (${where})`);
    });
    page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.stack ?? err.message}`));
    page.on('request', (req) => {
      if (req.url().endsWith('/api/call/runs.metrics')) metricsQueries.push(req.postData() ?? '');
    });
    await page.goto(server.url);
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    if (server) await stopServer(server.child);
    process.removeListener('exit', killOnExit);
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  it('drops the access token from the address once loaded and talks HTTP', async () => {
    await page.locator('[data-testid=app-header]').waitFor({ timeout: UI_BOUND_MS });
    const address = new URL(page.url());
    assert.equal(address.searchParams.has('token'), false, `token still in ${page.url()}`);
    assert.equal(page.url().includes(server!.token), false);
    assert.equal(await page.locator('[data-testid=app]').getAttribute('data-transport'), 'http');
  });

  it('shows the kernel status and backend that system.info and kernel.changed report', async () => {
    const backend = page.locator('[data-testid=backend]');
    await backend.waitFor({ state: 'visible', timeout: RUN_BOUND_MS });
    const info = (await labCall(server!, 'system.info', {})) as { kernel: { status: string; backend: { name: string } | null } };
    assert.ok(info.kernel.backend, 'the kernel reported no backend');
    assert.equal(await backend.textContent(), info.kernel.backend.name);
    assert.match((await page.locator('[data-testid=kernel-status]').textContent()) ?? '', /kernel (idle|busy)/);
  });

  it('renders a monaco TypeScript cell whose worker reports type errors', async () => {
    const cell = page.locator('[data-testid=code-cell]').first();
    const lines = cell.locator('.monaco-editor .view-lines');
    await lines.waitFor({ timeout: UI_BOUND_MS });
    assert.match((await lines.textContent()) ?? '', /lab\.eval/, 'the first code cell of the demo notebook is not shown');
    await lines.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText("const x: number = 'a';\n");
    const problem = cell.locator('[data-testid=cell-problem]').first();
    await problem.waitFor({ timeout: UI_BOUND_MS });
    assert.match((await problem.textContent()) ?? '', /Type 'string' is not assignable to type 'number'/);
    assert.ok((await cell.locator('.squiggly-error').count()) > 0, 'no error squiggle in the editor');
  });

  it('starts the demo run, lists it and plots its metrics live until it finishes', async () => {
    const catalog = (await labCall(server!, 'catalog.get', {})) as { demo: { model: string; task: string; name?: string } };
    await page.locator('[data-testid=start-demo]').click();

    const row = page.locator('[data-testid=run-row]');
    await row.first().waitFor({ timeout: UI_BOUND_MS });
    assert.equal(await row.count(), 1);
    const rowText = (await row.first().textContent()) ?? '';
    assert.ok(rowText.includes(catalog.demo.model), `row "${rowText}" lacks model ${catalog.demo.model}`);
    assert.ok(rowText.includes(catalog.demo.task), `row "${rowText}" lacks task ${catalog.demo.task}`);

    const firstDrawn = await waitForRunState(page, (s) => s.status === 'RUNNING' && s.points > 0, ended, RUN_BOUND_MS);
    assert.ok(firstDrawn.traces.length > 0);
    if (screenshotPath) await page.screenshot({ path: screenshotPath });
    const grown = await waitForRunState(page, (s) => s.status === 'RUNNING' && s.points > firstDrawn.points, ended, RUN_BOUND_MS);
    assert.ok(grown.points > firstDrawn.points);

    await waitForRunState(page, (s) => s.status === 'FINISHED', (s) => ended(s) && s.status !== 'FINISHED', RUN_BOUND_MS);
    const runs = (await labCall(server!, 'runs.list', {})) as { id: number; status: string }[];
    assert.deepEqual(
      runs.map((r) => r.status),
      ['FINISHED'],
    );
    const stored = (await labCall(server!, 'runs.metrics', { runId: runs[0]!.id })) as { key: string; steps: number[]; values: number[] }[];
    const expected = stored
      .map((s) => ({ name: s.key, x: s.steps, y: s.values }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const total = expected.reduce((n, s) => n + s.x.length, 0);
    // The last points arrive with the final progress event; the plot may draw them a moment later.
    const finalState = await waitForRunState(page, (s) => s.points >= total, () => false, UI_BOUND_MS).catch(() => readRunState(page));
    const plotted = [...finalState.traces].sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(plotted, expected, 'the live-grown plot differs from the stored series');
    assert.equal(metricsQueries.length, 1, `runs.metrics was queried ${metricsQueries.length} times; live points must be appended`);
    assert.match((await page.locator('[data-testid=run-view-status]').textContent()) ?? '', /FINISHED/);
  });

  it('logs no console errors', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
