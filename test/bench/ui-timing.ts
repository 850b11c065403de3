// The UI figures of `engram bench`, in Debian's Chromium driven by playwright-core as the e2e tests do:
// the app's first render (header, then the notebook's editor) from `engram serve`, and the compare
// plot drawing 20 runs of 100k points each. Builds the renderer when stale; prints one JSON line.
// `node --import tsx test/bench/ui-timing.ts`. Node (started by engine/cli/bench-command.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Page } from 'playwright-core';
import type { RunId } from '../../engine/api/schemas';
import { HEADLESS_ARGS } from '../../engine/lab/export/chromium-figure-renderer';
import { LabStore } from '../../engine/lab/store/lab-store';

const CHROMIUM = '/usr/bin/chromium';
const RUNS = 20;
const POINTS = 100_000;
const BOUND_MS = 120_000;
const root = resolve(__dirname, '..', '..');

function fill(db: string): RunId[] {
  const store = new LabStore(db);
  const ids: RunId[] = [];
  for (let i = 0; i < RUNS; i++) {
    const id = store.createRun({
      kind: 'train',
      spec: { model: 'slot-memory', task: 'binary-recall', modelConfig: {}, taskConfig: { setSize: 8 + i }, training: { steps: POINTS }, seed: i },
      memoryFloats: 512,
      backend: 'wasm',
      provenance: { notebook: null, cellId: null, sourceHash: null, source: null, command: 'engram bench', engramVersion: '0', node: process.version, platform: process.platform, host: 'bench' },
    });
    store.markRunning(id);
    for (let start = 0; start < POINTS; start += 50_000) {
      const batch = [];
      for (let s = start; s < start + 50_000; s++) batch.push({ key: 'loss', step: s, value: Math.exp(-s / 20_000) + 0.02 * Math.sin(s / 9 + i), wallTimeMs: 1.7e12 + s });
      store.appendMetrics(id, batch);
    }
    store.endRun(id, 'FINISHED', null);
    ids.push(id);
  }
  store.close();
  return ids;
}

function run(args: string[]): Promise<number | null> {
  return new Promise((done) => spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] }).on('exit', (code) => done(code)));
}

function serve(db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/cli/main.ts', 'serve', '--db', db, '--port', '0', '--no-open'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((done, fail) => {
    child.once('exit', (code) => fail(new Error(`engram serve exited (${code}) before printing its URL`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /Engram is running at (http:\/\/\S+\?token=\S+)/.exec(line);
      if (m) done({ child, url: m[1]! });
    });
  });
}

/** ms from navigation until the app header, then the notebook's editor, are shown. */
async function renderTimes(page: Page, url: string): Promise<{ headerMs: number; editorMs: number }> {
  const started = performance.now();
  await page.goto(url);
  await page.locator('[data-testid=app-header]').waitFor({ timeout: BOUND_MS });
  const headerMs = performance.now() - started;
  await page.locator('[data-testid=code-cell] .monaco-editor .view-lines').first().waitFor({ timeout: BOUND_MS });
  return { headerMs: Math.round(headerMs), editorMs: Math.round(performance.now() - started) };
}

/** ms from the click on the compare tab until the compare plot holds `traces` traces, timed in the page. */
async function compareDrawMs(page: Page, traces: number): Promise<number> {
  const timing = page.evaluate(`new Promise((done) => {
    document.querySelector('[data-testid=tab-compare]').addEventListener('click', () => {
      const t0 = performance.now();
      const poll = () => {
        const plot = document.querySelector('[data-testid=compare-plot]');
        if (plot && plot.data && plot.data.length === ${traces}) done(Math.round(performance.now() - t0));
        else requestAnimationFrame(poll);
      };
      poll();
    }, { once: true, capture: true });
  })`) as Promise<number>;
  await page.locator('[data-testid=tab-compare]').click();
  return Promise.race([timing, new Promise<number>((_, fail) => setTimeout(() => fail(new Error(`the compare plot did not show ${traces} runs within ${BOUND_MS} ms`)), BOUND_MS))]);
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log(JSON.stringify({ skipped: `${CHROMIUM} is missing: install Debian's chromium package` }));
    return;
  }
  if ((await run([join(root, 'scripts', 'build.mjs')])) !== 0) throw new Error('the renderer build failed');
  const dir = mkdtempSync(join(tmpdir(), 'engram-bench-ui-'));
  let server: ChildProcess | null = null;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: HEADLESS_ARGS });
  try {
    const ids = fill(join(dir, 'lab.sqlite'));
    const started = await serve(join(dir, 'lab.sqlite'));
    server = started.child;
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const first = await renderTimes(page, started.url);
    // The URL's token was traded for a cookie on the first load; a reload is the warm start.
    const reload = await renderTimes(page, new URL(started.url).origin);
    await page.locator('[data-testid=run-row]').nth(RUNS - 1).waitFor({ timeout: BOUND_MS });
    if (await page.locator('[data-testid=runs-expand]').count()) await page.locator('[data-testid=runs-expand]').first().click();
    await page.locator('[data-testid=run-select-all]').check();
    const drawMs = await compareDrawMs(page, ids.length);
    console.log(
      JSON.stringify({
        firstRenderMs: first.headerMs,
        firstEditorMs: first.editorMs,
        reloadRenderMs: reload.headerMs,
        reloadEditorMs: reload.editorMs,
        runs: RUNS,
        pointsPerRun: POINTS,
        compareDrawMs: drawMs,
      }),
    );
  } finally {
    await browser.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((done) => server!.once('exit', done));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.log(JSON.stringify({ skipped: `the UI timing failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` }));
});
