// The runs views end to end: `engram serve` on a lab book filled with sample runs, driven in Debian's
// Chromium — filter and select runs, overlay three of them, see only the parameters that differ,
// average over seeds into a band, zoom (which re-reads the range), plot a capacity curve, export a
// figure through the lab service, edit a run (rename, tag, delete, open cell) and open memory
// snapshots as heatmaps, differences and retrieval traces. Runs under node:test.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, chromiumMissing, HEADLESS_ARGS, until as pollUntil } from '../helpers/chromium';
import { callServe, repoRoot, startServe } from '../helpers/engram';
import { fillSampleLab, type SampleLab } from '../helpers/sample-runs';
import { tempDir } from '../helpers/temp';

/** Set to a folder to keep screenshots of each view. */
const shots = process.env['ENGRAM_E2E_SCREENSHOTS'];
const UI_BOUND_MS = 60_000;

const skip = chromiumMissing;

interface Trace {
  readonly name: string;
  readonly type: string;
  readonly fill: string | null;
  readonly x: number[];
  readonly y: number[];
}

/** Page-side: what a plotly element holds (plotly keeps the figure's data on the element). */
async function traces(page: Page, testId: string): Promise<Trace[]> {
  return page.evaluate(`(() => {
    const plot = document.querySelector('[data-testid=${testId}]');
    return ((plot && plot.data) || []).map((t) => ({
      name: t.name || '', type: t.type, fill: t.fill || null,
      x: Array.from(t.x || []), y: Array.from(t.y || []),
      z: t.z ? t.z.length : 0,
    }));
  })()`);
}

const until = <T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string) => pollUntil(read, ok, what, UI_BOUND_MS);

const mainLines = (ts: readonly Trace[]) => ts.filter((t) => !t.name.endsWith(' raw') && !t.name.endsWith(' band'));

describe('runs, compare and inspector (engram serve + Chromium)', { skip }, () => {
  let lab: SampleLab;
  let server: { child: ChildProcess; url: string; base: string; token: string } | null = null;
  let browser: Browser | null = null;
  let page: Page;
  const consoleErrors: string[] = [];
  const seriesQueries: { key: string; maxPoints: number; runs: { runId: number; fromStep?: number; toStep?: number }[] }[] = [];
  const killOnExit = () => server?.child.kill('SIGKILL');
  const call = (method: string, params: unknown) => callServe(server!.base, server!.token, method, params);
  const shot = async (name: string) => {
    if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
  };

  before(async () => {
    const build = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(build.status, 0, `renderer build failed:\n${build.stdout}${build.stderr}`);
    if (shots) mkdirSync(shots, { recursive: true });
    const dir = tempDir('engram-runs-e2e-');
    lab = fillSampleLab(join(dir, 'lab.sqlite'));
    server = await startServe(join(dir, 'lab.sqlite'));
    process.once('exit', killOnExit);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...HEADLESS_ARGS, '--enable-unsafe-swiftshader'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('console', (msg) => {
      if (msg.type() !== 'error' || /favicon\.ico/.test(msg.location().url)) return;
      // The notebook area's start-up calls (open, else create, its notebook) are that area's tests' business.
      if (/Failed to load resource.*\/api\/call\/notebooks\./.test(`${msg.text()} ${msg.location().url}`)) return;
      consoleErrors.push(`${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.stack ?? err.message}`));
    page.on('request', (req) => {
      if (req.url().endsWith('/api/call/runs.series')) seriesQueries.push(JSON.parse(req.postData() ?? '{}'));
    });
    await page.goto(server.url);
    await page.locator('[data-testid=run-row]').nth(10).waitFor({ timeout: UI_BOUND_MS });
    await page.locator('[data-testid=runs-expand]').click();
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    if (server && server.child.exitCode === null) {
      const exited = new Promise<void>((done) => server!.child.once('exit', () => done()));
      server.child.kill('SIGTERM');
      await exited;
    }
    process.removeListener('exit', killOnExit);
  });

  it('lists every run with its parameters, filters by text and parameter, and sorts', async () => {
    assert.equal(await page.locator('[data-testid=workspace]').getAttribute('data-layout'), 'runs');
    assert.equal(await page.locator('[data-testid=run-row]').count(), lab.runs.length + 1);
    await shot('runs-table');
    await page.locator('[data-testid=run-filter-params]').fill('setSize>=16, model=hopfield');
    const filtered = await until(
      () => page.locator('[data-testid=run-row]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-run-id')))),
      (ids) => ids.length === 3,
      'three hopfield runs at setSize ≥ 16',
    );
    const expected = lab.runs.filter((r) => r.model === 'hopfield' && r.setSize >= 16).map((r) => r.id);
    assert.deepEqual([...filtered].sort((a, b) => a - b), expected);
    await page.locator('[data-testid=run-filter-params]').fill('');
    await page.locator('[data-testid=sort-id]').click();
    const ascending = await page.locator('[data-testid=run-row]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-run-id'))));
    assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b));
  });

  it('overlays the metric of three selected runs and shows only the parameters that differ', async () => {
    for (const id of lab.compared) await page.locator(`[data-testid=run-row][data-run-id="${id}"] [data-testid=run-select]`).check();
    await until(() => page.locator('[data-testid=compare-count]').textContent(), (t) => t === '3', 'three runs counted for Compare');
    await page.locator('[data-testid=tab-compare]').click();
    const drawn = await until(() => traces(page, 'compare-plot'), (ts) => mainLines(ts).length === 3, 'three traces');
    const stored = (await call('runs.metrics', { runId: lab.compared[0], keys: ['loss'] })) as { steps: number[]; values: number[] }[];
    const first = mainLines(drawn).find((t) => t.name === `slot-memory-${lab.compared[0]}`);
    assert.ok(first, `no trace for run ${lab.compared[0]}: ${drawn.map((t) => t.name).join(', ')}`);
    assert.deepEqual([first.x, first.y], [stored[0]!.steps, stored[0]!.values]);
    const diffRows = await page.locator('[data-testid=param-diff-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-param')));
    assert.deepEqual(diffRows, ['seed', 'task.setSize']);
    await until(() => page.locator('[data-testid=compare-values-row]').count(), (n) => n === 3, 'a value row per run');
    await shot('compare-three');
  });

  it('averages the runs that differ only in seed into a mean with a band, smoothed with the raw curve faint', async () => {
    await page.locator('[data-testid=compare-group]').selectOption('seed');
    await page.locator('[data-testid=compare-smoothing]').fill('0.6');
    const grouped = await until(() => traces(page, 'compare-plot'), (ts) => ts.some((t) => t.fill === 'toself') && ts.some((t) => t.name.endsWith(' raw')), 'a band and a raw curve');
    const lines = mainLines(grouped).map((t) => t.name);
    assert.deepEqual(lines, ['task.setSize=16 (n=2)', 'task.setSize=32 (n=1)']);
    const band = grouped.find((t) => t.fill === 'toself')!;
    assert.equal(band.name, 'task.setSize=16 (n=2) band');
    assert.ok(band.x.length > 100, 'the band spans the curve');
    await shot('compare-seed-band');
  });

  it('re-reads the series for the visible range when the plot is zoomed', async () => {
    const before = seriesQueries.length;
    const area = await page.locator('[data-testid=compare-plot] .nsewdrag').first().boundingBox();
    assert.ok(area, 'no drag area on the plot');
    const y = area.y + area.height / 2;
    await page.mouse.move(area.x + area.width * 0.3, y);
    await page.mouse.down();
    await page.mouse.move(area.x + area.width * 0.5, y, { steps: 5 });
    await page.mouse.up();
    const [ranged] = await until(
      async () => seriesQueries.slice(before).filter((q) => q.maxPoints > 10 && q.runs.every((r) => r.fromStep !== undefined)),
      (qs) => qs.length >= 1,
      'a ranged runs.series query after the zoom',
    );
    assert.deepEqual(ranged!.runs.map((r) => r.runId), lab.compared);
    for (const r of ranged!.runs) assert.ok(r.fromStep! > 20 && r.toStep! < 150 && r.fromStep! < r.toStep!, JSON.stringify(r));
    const zoomed = await until(() => traces(page, 'compare-plot'), (ts) => mainLines(ts).every((t) => t.x[0]! > 20), 'the zoomed range drawn');
    assert.ok(mainLines(zoomed).every((t) => t.x.at(-1)! < 150));
    // Double-click is plotly's autoscale. Plotly tells a double-click from two clicks by their timing,
    // which a loaded machine can stretch; a double-click it took for two clicks is given again.
    const whole = (ts: Trace[]) => mainLines(ts).every((t) => t.x.at(-1) === 200 && t.x[0] === 1);
    for (let attempt = 1; ; attempt++) {
      await page.locator('[data-testid=compare-plot] .nsewdrag').first().dblclick();
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !whole(await traces(page, 'compare-plot'))) await delay(100);
      if (whole(await traces(page, 'compare-plot')) || attempt === 3) break;
    }
    await until(() => traces(page, 'compare-plot'), whole, 'the whole series back after zooming out');
  });

  it('plots a capacity curve of the final metric against a parameter, a line per model, seeds averaged', async () => {
    await page.locator('[data-testid=tab-runs]').click();
    await page.locator('[data-testid=run-filter-text]').fill('binary-recall');
    await until(() => page.locator('[data-testid=run-row]').count(), (n) => n === lab.runs.length, 'the binary-recall runs');
    await page.locator('[data-testid=run-select-all]').check();
    await page.locator('[data-testid=tab-compare]').click();
    await page.locator('[data-testid=capacity-metric]').selectOption('error_bits');
    await page.locator('[data-testid=capacity-x]').selectOption('task.setSize');
    const curves = await until(() => traces(page, 'capacity-plot'), (ts) => mainLines(ts).length === 2, 'two capacity lines');
    assert.deepEqual(mainLines(curves).map((t) => [t.name, t.x]), [
      ['hopfield', [8, 16, 32]],
      ['slot-memory', [8, 16, 32]],
    ]);
    assert.ok(curves.some((t) => t.fill === 'toself'), 'no seed band on the capacity curve');
    await page.locator('[data-testid=capacity-plot]').scrollIntoViewIfNeeded();
    await shot('capacity');
  });

  it('exports the figure on screen through the lab service, with its CSV', async () => {
    await page.locator('[data-testid=compare-export]').click();
    const dialog = page.locator('[data-testid=compare-export-dialog]');
    await dialog.locator('[data-testid=export-format]').selectOption('svg');
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/call/export.figure'), { timeout: UI_BOUND_MS });
    await dialog.locator('[data-testid=export-go]').click();
    const body = (await (await answer).json()) as { result: { dataBase64: string; csv: string; fileName: string } };
    const link = dialog.locator('[data-testid=export-file]');
    await link.waitFor({ timeout: UI_BOUND_MS });
    assert.equal(await link.getAttribute('download'), 'loss-vs-step.svg');
    assert.match((await link.getAttribute('href')) ?? '', /^blob:/);
    assert.equal(await dialog.locator('[data-testid=export-csv]').getAttribute('download'), 'loss-vs-step.csv');
    const svg = Buffer.from(body.result.dataBase64, 'base64').toString('utf8');
    assert.match(svg, /^<svg[^>]* width="89mm"/);
    assert.doesNotMatch(svg, /<image\b/);
    // The figure on screen is what was exported: the ticked runs, grouped over seeds, smoothed.
    assert.match(body.result.csv, /^# Engram figure \(training curves\): loss against step\n# smoothing: EMA weight 0\.6; group: seed/);
    assert.match(body.result.csv, /\nline,runs,x,y,y_raw,y_lower,y_upper,n\n/);
    await shot('export');
    await page.locator('[data-testid=run-filter-text]').fill('').catch(() => undefined);
  });

  it('renames, tags, deletes (after confirming) and asks the notebook to open the cell of a run', async () => {
    await page.locator('[data-testid=tab-runs]').click();
    await page.locator('[data-testid=run-filter-text]').fill('');
    const [first] = lab.compared;
    await page.locator(`[data-testid=run-row][data-run-id="${first}"]`).click();
    await page.locator('[data-testid=run-rename]').click();
    await page.locator('[data-testid=run-rename-input]').fill('baseline seed 1');
    await page.locator('[data-testid=run-rename-input]').press('Enter');
    await until(async () => ((await call('runs.get', { runId: first })) as { name: string }).name, (n) => n === 'baseline seed 1', 'the new name');
    await page.locator('[data-testid=run-tab-notes]').click();
    await page.locator('[data-testid=run-tag-input]').fill('paper');
    await page.locator('[data-testid=run-tag-input]').press('Enter');
    await until(async () => ((await call('runs.get', { runId: first })) as { tags: string[] }).tags, (t) => t.includes('paper'), 'the new tag');
    await page.evaluate(`window.addEventListener('engram:open-cell', (e) => { window.openedCells = [...(window.openedCells || []), e.detail]; })`);
    await page.locator('[data-testid=open-cell]').click();
    assert.deepEqual(await page.evaluate('window.openedCells'), [{ notebook: '/tmp/capacity.engram.md', cellId: 'cell-train' }]);
    assert.equal(await page.locator('[data-testid=workspace]').getAttribute('data-layout'), 'side-by-side', 'the notebook is not shown');
    await page.locator('[data-testid=runs-expand]').click();
    await page.locator('[data-testid=run-tab-log]').click();
    assert.match((await page.locator('[data-testid=run-log]').textContent()) ?? '', /FINISHED at step 200/);
    await shot('run-detail');

    const doomed = lab.runs.at(-1)!.id;
    await page.locator(`[data-testid=run-row][data-run-id="${doomed}"]`).click();
    await page.locator('[data-testid=run-delete]').click();
    await page.locator('[data-testid=run-delete-yes]').click();
    await page.locator(`[data-testid=run-row][data-run-id="${doomed}"]`).waitFor({ state: 'detached', timeout: UI_BOUND_MS });
    const left = (await call('runs.list', {})) as { id: number }[];
    assert.equal(left.some((r) => r.id === doomed), false);
  });

  it('opens a memory snapshot as a heatmap, its difference from an earlier step, and a retrieval trace', async () => {
    const [first] = lab.compared;
    await page.locator(`[data-testid=run-row][data-run-id="${first}"]`).click();
    await page.locator('[data-testid=run-tab-snapshots]').click();
    await page.locator(`[data-testid=snapshot-row][data-snapshot-id="${lab.snapshotId}"] [data-testid=inspect-snapshot]`).click();
    const heat = await until(() => traces(page, 'inspector-heatmap'), (ts) => ts.length === 1 && ts[0]!.type === 'heatmap', 'a heatmap');
    assert.equal((heat[0] as unknown as { z: number }).z, 8, 'the slot matrix has 8 rows');
    assert.match((await page.locator('[data-testid=inspector-stats]').textContent()) ?? '', /state\/slots: float32 \[1 × 8 × 16\] → 8 × 16/);
    // Query → iterates 0..3 → result, and the target.
    assert.equal(await page.locator('[data-testid=trace-step]').count(), 6);
    assert.equal(await page.locator('[data-testid=trace-target]').count(), 1);
    assert.match((await page.locator('[data-testid=retrieval-trace]').textContent()) ?? '', /E -/);
    await shot('inspector-bits');
    await page.locator('[data-testid=inspector-diff]').selectOption(String(lab.earlierSnapshotId));
    await until(() => page.locator('[data-testid=inspector-stats]').textContent(), (t) => /\(difference\).*min 0\.1 · max 0\.1/.test(t ?? ''), 'the difference of step 200 and step 100');
    await shot('inspector-diff');
  });

  it('shows the retrieval of an image task as 28 × 28 images', async () => {
    const imageRun = ((await call('runs.list', { task: 'image-recall' })) as { id: number }[])[0]!;
    await page.locator('[data-testid=tab-runs]').click();
    await page.locator(`[data-testid=run-row][data-run-id="${imageRun.id}"]`).click();
    await page.locator('[data-testid=run-tab-snapshots]').click();
    await page.locator('[data-testid=inspect-snapshot]').first().click();
    // Read in one go: once the title names the image run, the binary run's trace is no longer shown.
    const view = () =>
      page.evaluate(`(() => {
        const section = document.querySelector('[data-testid=retrieval-section]');
        const sizes = [...section.querySelectorAll('canvas')].map((c) => [c.width, c.height]);
        return { title: document.querySelector('[data-testid=inspector-title]').textContent, shown: !section.hidden, sizes };
      })()`) as Promise<{ title: string; shown: boolean; sizes: [number, number][] }>;
    const retitled = await until(view, (v) => v.title.startsWith(`#${imageRun.id} `), 'the image run\'s title');
    if (retitled.shown) assert.ok(retitled.sizes.every(([w]) => w === 28), `under the new title: ${JSON.stringify(retitled.sizes)}`);
    const drawn = await until(view, (v) => v.shown && v.sizes.length === 3, 'the image trace');
    assert.deepEqual(drawn.sizes, [[28, 28], [28, 28], [28, 28]]);
    await shot('inspector-image');
  });

  it('logs no console errors', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
