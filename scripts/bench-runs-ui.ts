// Measures the runs views at scale in Debian's Chromium against `engram serve`: a lab book of 200 runs
// (500 points each) and 3 runs of 1M points; times the table, a 200-run overlay, a 3 × 1M overlay and a
// zoom (re-query + redraw). Rerunnable; needs the built renderer (npm run build).
// `node --import tsx scripts/bench-runs-ui.ts`. Node.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { chromium, type Page } from 'playwright-core';
import type { RunId } from '../engine/api/schemas';
import { LabStore } from '../engine/lab/store/lab-store';

const root = resolve(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'engram-bench-ui-'));
const db = join(dir, 'lab.sqlite');

function fill(): RunId[] {
  const store = new LabStore(db);
  const make = (i: number, points: number): RunId => {
    const id = store.createRun({
      kind: 'train',
      spec: { model: i % 2 ? 'hopfield' : 'slot-memory', task: 'binary-recall', modelConfig: {}, taskConfig: { setSize: 8 * (1 + (i % 4)) }, training: { steps: points }, seed: i % 5 },
      memoryFloats: 512,
      backend: 'cpu',
      provenance: { notebook: null, cellId: null, sourceHash: null, source: null, command: 'bench', engramVersion: '0', node: process.version, platform: process.platform, host: 'bench' },
    });
    store.markRunning(id);
    for (let start = 0; start < points; start += 100_000) {
      const batch = [];
      for (let s = start; s < Math.min(points, start + 100_000); s++) batch.push({ key: 'loss', step: s, value: Math.exp(-s / (points / 5)) + 0.05 * Math.sin(s / 7 + i), wallTimeMs: 1e12 + s });
      store.appendMetrics(id, batch);
    }
    store.endRun(id, 'FINISHED', null);
    return id;
  };
  for (let i = 0; i < 200; i++) make(i, 500);
  const big = [make(200, 1_000_000), make(201, 1_000_000), make(202, 1_000_000)];
  store.close();
  return big;
}

/**
 * Milliseconds from the click on `clickTestId` until the compare plot holds `traces` traces, timed inside
 * the page (animation frames), so the machine's load on this process does not count.
 */
async function timeInPage(page: Page, clickTestId: string, traces: number): Promise<number> {
  const timing = page.evaluate(`new Promise((done) => {
    const button = document.querySelector('[data-testid=${clickTestId}]');
    button.addEventListener('click', () => {
      const t0 = performance.now();
      const poll = () => {
        const plot = document.querySelector('[data-testid=compare-plot]');
        if (plot && plot.data && plot.data.length === ${traces}) done(Math.round(performance.now() - t0));
        else requestAnimationFrame(poll);
      };
      poll();
    }, { once: true, capture: true });
  })`) as Promise<number>;
  await delay(50);
  await page.locator(`[data-testid=${clickTestId}]`).click();
  return timing;
}

async function timeUntil(page: Page, what: string, ok: () => Promise<boolean>): Promise<number> {
  const t0 = performance.now();
  while (!(await ok())) {
    if (performance.now() - t0 > 120_000) throw new Error(`${what}: not within 120 s`);
    await delay(20);
  }
  return Math.round(performance.now() - t0);
}

async function main(): Promise<void> {
  const fillStart = performance.now();
  const big = fill();
  const fillMs = Math.round(performance.now() - fillStart);
  const server = spawn(process.execPath, ['--import', 'tsx', 'engine/cli/main.ts', 'serve', '--db', db, '--port', '0', '--no-open'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((done) => server.stdout!.on('data', (c: Buffer) => {
    const m = /(http:\/\/\S+\?token=\S+)/.exec(c.toString());
    if (m) done(m[1]!);
  }));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const t0 = performance.now();
    await page.goto(url);
    await page.locator('[data-testid=run-row]').nth(202).waitFor({ timeout: 120_000 });
    const tableMs = Math.round(performance.now() - t0);
    await page.locator('[data-testid=runs-expand]').click();
    const sortMs = await (async () => {
      const s = performance.now();
      await page.locator('[data-testid=sort-duration]').click();
      await page.locator('[data-testid=run-row]').first().waitFor();
      return Math.round(performance.now() - s);
    })();
    await page.locator('[data-testid=run-filter-params]').fill('training.steps=500');
    await timeUntil(page, 'filter', async () => (await page.locator('[data-testid=run-row]').count()) === 200);
    await page.locator('[data-testid=run-select-all]').check();
    const overlay200Ms = await timeInPage(page, 'tab-compare', 200);
    await page.locator('[data-testid=tab-runs]').click();
    await page.locator('[data-testid=run-select-all]').uncheck();
    await page.locator('[data-testid=run-filter-params]').fill('');
    for (const id of big) await page.locator(`[data-testid=run-row][data-run-id="${id}"] [data-testid=run-select]`).check();
    const overlayBigMs = await timeInPage(page, 'tab-compare', 3);
    const area = (await page.locator('[data-testid=compare-plot] .nsewdrag').first().boundingBox())!;
    const before = await page.evaluate(`document.querySelector('[data-testid=compare-plot]').data[0].x[1]`) as number;
    const zs = performance.now();
    await page.mouse.move(area.x + area.width * 0.4, area.y + area.height / 2);
    await page.mouse.down();
    await page.mouse.move(area.x + area.width * 0.45, area.y + area.height / 2, { steps: 3 });
    await page.mouse.up();
    await timeUntil(page, 'zoom re-query', async () => ((await page.evaluate(`document.querySelector('[data-testid=compare-plot]').data[0].x[1]`)) as number) !== before);
    const zoomMs = Math.round(performance.now() - zs);
    const points = await page.evaluate(`document.querySelector('[data-testid=compare-plot]').data.map((t) => t.x.length + ' ' + t.type)`);
    console.log(JSON.stringify({ fillMs, tableMs, sortMs, overlay200Ms, overlayBigMs, zoomMs, pointsOnScreenAfterZoom: points }));
  } finally {
    await browser.close();
    server.kill('SIGTERM');
    await new Promise((done) => server.once('exit', done));
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
