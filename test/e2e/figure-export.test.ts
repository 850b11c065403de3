// `engram export figure` end to end: the real CLI draws figures of a sample lab book in Debian's
// Chromium with the built renderer's figure code; the files are checked as a journal would check them
// (PDF page size, vector only, fonts embedded; PNG pixel width at the DPI) and the CSV against the lab
// book's own series after the same smoothing. Runs under node:test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { before, describe, it } from 'node:test';
import { LabStore } from '../../engine/lab/store/lab-store';
import { engram, repoRoot } from '../helpers/engram';
import { fillSampleLab, sampleError, type SampleLab } from '../helpers/sample-runs';
import { tempDir } from '../helpers/temp';

const CHROMIUM = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: figure export draws in a system Chromium (install Debian's chromium package or set CHROMIUM_PATH)`;

const PT_PER_MM = 72 / 25.4;

interface CsvRow {
  readonly line: string;
  readonly runs: string;
  readonly x: number;
  readonly y: number;
  readonly yRaw: number | null;
  readonly yLower: number | null;
  readonly yUpper: number | null;
  readonly n: number | null;
}

/** The CSV's header comments and its rows (labels here never hold commas or quotes). */
function readCsv(path: string): { comments: string[]; rows: CsvRow[] } {
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  const comments = lines.filter((l) => l.startsWith('#'));
  const body = lines.filter((l) => !l.startsWith('#'));
  assert.equal(body[0], 'line,runs,x,y,y_raw,y_lower,y_upper,n');
  const num = (t: string | undefined) => (t === undefined || t === '' ? null : Number(t));
  const rows = body.slice(1).map((l) => {
    const f = l.split(',');
    return { line: f[0]!, runs: f[1]!, x: Number(f[2]), y: Number(f[3]), yRaw: num(f[4]), yLower: num(f[5]), yUpper: num(f[6]), n: num(f[7]) };
  });
  return { comments, rows };
}

/** Exponential moving average with start-up debiasing, written out independently of the renderer's. */
function ema(values: readonly number[], weight: number): number[] {
  let last = 0;
  let norm = 0;
  return values.map((v) => {
    last = weight * last + (1 - weight) * v;
    norm = weight * norm + (1 - weight);
    return last / norm;
  });
}

/** Every stream of a PDF, inflated where it is Flate-compressed, with the file's own bytes. */
function pdfTexts(pdf: Buffer): string[] {
  const texts = [pdf.toString('latin1')];
  const re = /stream\r?\n/g;
  for (let m = re.exec(texts[0]!); m; m = re.exec(texts[0]!)) {
    const start = m.index + m[0].length;
    const end = pdf.indexOf('endstream', start);
    try {
      texts.push(inflateSync(pdf.subarray(start, end)).toString('latin1'));
    } catch {
      // Not Flate (a font program, say): its raw bytes are in the file's text already.
    }
  }
  return texts;
}

function pngHeader(png: Buffer): { width: number; height: number; pixelsPerMetre: number | null } {
  assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'not a PNG');
  const phys = png.indexOf('pHYs');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), pixelsPerMetre: phys < 0 ? null : png.readUInt32BE(phys + 4) };
}

describe('engram export figure (Chromium)', { skip }, () => {
  let dir = '';
  let db = '';
  let lab: SampleLab;

  before(() => {
    const build = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(build.status, 0, `renderer build failed:\n${build.stdout}${build.stderr}`);
    dir = tempDir('engram-export-');
    db = join(dir, 'lab.sqlite');
    lab = fillSampleLab(db);
  });

  function exportFigure(args: string[]): void {
    const r = engram(['export', 'figure', '--db', db, ...args]);
    assert.equal(r.status, 0, `engram export figure ${args.join(' ')} failed:\n${r.stderr}`);
  }

  it('writes an 89 mm PDF of vector paths only, with its font embedded', () => {
    const out = join(dir, 'loss.pdf');
    exportFigure(['--runs', lab.compared.join(','), '--metric', 'loss', '--smooth', '0.6', '--format', 'pdf', '--width-mm', '89', '--out', out]);
    const pdf = readFileSync(out);
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const texts = pdfTexts(pdf);
    const boxes = [...texts[0]!.matchAll(/\/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]/g)];
    assert.equal(boxes.length, 1, `expected one page, found ${boxes.length}`);
    const widthPt = Number(boxes[0]![3]) - Number(boxes[0]![1]);
    assert.ok(Math.abs(widthPt - 89 * PT_PER_MM) <= PT_PER_MM, `page is ${(widthPt / PT_PER_MM).toFixed(2)} mm wide, not 89 ± 1 mm`);
    assert.ok(!texts.some((t) => /\/Subtype\s*\/Image/.test(t)), 'the PDF holds a raster image');
    assert.match(texts[0]!, /\/FontFile2?\b/, 'no embedded font program');
    assert.match(texts[0]!, /\/FontName\s*\/[A-Z]{6}\+Inter/, 'the embedded font is not the bundled Inter');
  });

  it('writes a 300 dpi PNG 1051 ± 2 pixels wide at 89 mm, declaring its DPI', () => {
    const out = join(dir, 'loss.png');
    exportFigure(['--runs', lab.compared.join(','), '--metric', 'loss', '--format', 'png', '--dpi', '300', '--width-mm', '89', '--out', out]);
    const png = pngHeader(readFileSync(out));
    assert.ok(Math.abs(png.width - 1051) <= 2, `PNG is ${png.width} px wide`);
    assert.equal(png.pixelsPerMetre, Math.round(300 / 0.0254));
  });

  it('writes beside the figure a CSV of exactly the smoothed points it plotted, with run ids and parameters', () => {
    const out = join(dir, 'smoothed.svg');
    exportFigure(['--runs', lab.compared.join(','), '--metric', 'loss', '--smooth', '0.6', '--width-mm', 'two-column', '--out', out]);
    const svg = readFileSync(out, 'utf8');
    assert.match(svg, /^<svg[^>]* width="183mm"/);
    assert.match(svg, /@font-face\{font-family:'Inter'[^}]*src:url\(data:font\/woff2;base64,/);
    assert.doesNotMatch(svg, /<image\b/, 'the SVG holds a raster image');
    const { comments, rows } = readCsv(join(dir, 'smoothed.csv'));
    assert.match(comments.join('\n'), /EMA weight 0\.6/);
    const store = new LabStore(db);
    try {
      for (const runId of lab.compared) {
        const header = comments.find((c) => c.startsWith(`# run ${runId} `));
        assert.ok(header, `no header line for run ${runId}`);
        const run = lab.runs.find((r) => r.id === runId)!;
        assert.match(header, new RegExp(`task\\.setSize=${run.setSize}\\b`));
        assert.match(header, new RegExp(`seed=${run.seed}\\b`));
        const stored = store.readMetrics(runId, 'loss', { maxPoints: Number.MAX_SAFE_INTEGER })!;
        const plotted = rows.filter((r) => r.runs === String(runId));
        assert.deepEqual(plotted.map((r) => r.x), stored.steps);
        const expected = ema(stored.values, 0.6);
        plotted.forEach((r, i) => {
          assert.ok(Math.abs(r.y - expected[i]!) < 1e-9, `run ${runId} step ${r.x}: plotted ${r.y}, smoothed series ${expected[i]}`);
          assert.equal(r.yRaw, stored.values[i]);
        });
      }
    } finally {
      store.close();
    }
  });

  it('averages runs that differ only in seed into one line with a band, and says so in the CSV', () => {
    const [a, b] = lab.compared;
    const out = join(dir, 'seeds.pdf');
    exportFigure(['--runs', `${a},${b}`, '--metric', 'loss', '--group-by', 'seed', '--band', 'minmax', '--out', out]);
    const { rows } = readCsv(join(dir, 'seeds.csv'));
    assert.ok(rows.length > 0 && rows.every((r) => r.runs === `${a} ${b}` && r.n === 2));
    const store = new LabStore(db);
    try {
      const [sa, sb] = [a!, b!].map((id) => store.readMetrics(id, 'loss', { maxPoints: 10_000 })!);
      rows.forEach((r, i) => {
        const va = sa!.values[i]!;
        const vb = sb!.values[i]!;
        assert.equal(r.x, sa!.steps[i]);
        assert.ok(Math.abs(r.y - (va + vb) / 2) < 1e-9);
        assert.ok(Math.abs(r.yLower! - Math.min(va, vb)) < 1e-12 && Math.abs(r.yUpper! - Math.max(va, vb)) < 1e-12);
      });
    } finally {
      store.close();
    }
  });

  it('draws a capacity curve (--x PARAM): one point per run, seeds averaged, a line per model', () => {
    const ids = lab.runs.map((r) => r.id);
    const out = join(dir, 'capacity.pdf');
    exportFigure(['--runs', ids.join(','), '--metric', 'error_bits', '--x', 'task.setSize', '--out', out]);
    const { rows } = readCsv(join(dir, 'capacity.csv'));
    const lines = new Set(rows.map((r) => r.line));
    assert.deepEqual([...lines].sort(), ['hopfield', 'slot-memory']);
    for (const row of rows) {
      const members = lab.runs.filter((r) => r.model === row.line && r.setSize === row.x);
      assert.deepEqual(row.runs.split(' ').map(Number).sort(), members.map((m) => m.id).sort());
      // The final error_bits point of a sample run is its evaluation at step 200.
      const mean = members.reduce((s, m) => s + sampleError(m.model, m.setSize, m.seed) * 1.2, 0) / members.length;
      assert.ok(Math.abs(row.y - mean) < 1e-9, `${row.line} at ${row.x}: ${row.y} vs ${mean}`);
      assert.equal(row.n, members.length);
    }
  });

  it('refuses an x that is no parameter of the runs, naming it and what is allowed', () => {
    const r = engram(['export', 'figure', '--db', db, '--runs', lab.compared.join(','), '--metric', 'loss', '--x', 'task.nope', '--out', join(dir, 'bad.pdf')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /x "task\.nope".*task\.setSize/);
    assert.equal(existsSync(join(dir, 'bad.pdf')), false);
  });
});
