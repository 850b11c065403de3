// The `engram` command as a user runs it: train and list runs as JSON, export CSV, and refuse bad
// input with exit code 2 and one line naming the field.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LabStore } from '../../../engine/lab/store/lab-store';
import { engram, repoRoot } from '../../helpers/engram';
import { tempDir } from '../../helpers/temp';

describe('engram CLI', () => {
  it('`npm run --silent engram -- train --json` prints only JSON and records a FINISHED run with its metric points', () => {
    const db = join(tempDir(), 'lab.sqlite');
    const r = spawnSync('npm', ['run', '--silent', 'engram', '--', 'train', '--json', '--steps', '12', '--set', 'evalEvery=6', '--backend', 'cpu'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, ENGRAM_DB: db },
    });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, `stdout has more than the JSON line: ${r.stdout}`);
    const result = JSON.parse(lines[0]!) as { runId: number; status: string; backend: string; memoryFloats: number; metrics: Record<string, number> };
    assert.equal(result.status, 'FINISHED');
    assert.equal(result.backend, 'cpu');
    assert.ok(Number.isFinite(result.metrics.error_bits));

    const list = engram(['runs', 'list', '--json'], { db });
    assert.equal(list.status, 0, list.stderr);
    const runs = JSON.parse(list.stdout) as { id: number; status: string; backend: string; finalMetrics: Record<string, number> }[];
    assert.equal(runs.length, 1);
    assert.deepEqual([runs[0]!.id, runs[0]!.status, runs[0]!.backend], [result.runId, 'FINISHED', 'cpu']);
    const show = JSON.parse(engram(['runs', 'show', String(result.runId), '--json'], { db }).stdout) as { metrics: { key: string; count: number }[]; snapshots: unknown[] };
    assert.deepEqual(show.metrics.map((m) => [m.key, m.count]), [['error_bits', 2], ['loss', 12]]);
    assert.equal(show.snapshots.length, 2);

    const out = join(tempDir(), 'series.csv');
    const exported = engram(['runs', 'export', String(result.runId), '--keys', 'loss', '--out', out], { db });
    assert.equal(exported.status, 0, exported.stderr);
    const csv = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(csv[0], 'key,step,value,wall_time_ms');
    assert.equal(csv.length, 13);
    assert.match(csv[12]!, /^loss,12,[\d.e-]+,\d+$/);
  });

  it('writes every point of a long series to a pipe that reads slowly', async () => {
    // process.exit drops what stdout has not yet handed to a pipe; the CLI must wait for it.
    const db = join(tempDir(), 'lab.sqlite');
    const store = new LabStore(db);
    const spec = { model: 'slot-memory', task: 'binary-recall', modelConfig: {}, taskConfig: {}, training: { steps: 30_000 }, seed: 0 };
    const provenance = { notebook: null, cellId: null, sourceHash: null, source: null, command: 'test', engramVersion: '0', node: process.version, platform: 'linux', host: 'test' };
    const id = store.createRun({ kind: 'train', spec, memoryFloats: 1, backend: 'cpu', provenance });
    store.markRunning(id);
    const points = Array.from({ length: 30_000 }, (_, i) => ({ key: 'loss', step: i + 1, value: 1 / (i + 1), wallTimeMs: 1_800_000_000_000 + i }));
    store.appendMetrics(id, points);
    store.endRun(id, 'FINISHED', null);
    store.close();
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'engine', 'cli', 'main.ts'), 'runs', 'export', String(id)], {
      cwd: repoRoot,
      env: { ...process.env, ENGRAM_DB: db },
    });
    let csv = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (csv += chunk));
    child.stdout.pause(); // a reader that is busy while the command writes
    setTimeout(() => child.stdout.resume(), 1500);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    const lines = csv.trim().split('\n');
    assert.equal(lines.length, 30_001, `${lines.length - 1} of 30000 points arrived; the last: ${lines[lines.length - 1]}`);
    assert.match(lines[30_000]!, /^loss,30000,/);
  });

  it('refuses an unknown model, field or value with exit code 2 and one line naming it', () => {
    const db = join(tempDir(), 'lab.sqlite');
    const cases: [string[], RegExp][] = [
      [['train', '--model', 'nope', '--task', 'binary-recall'], /field "model" got "nope"; allowed: .*slot-memory/],
      [['train', '--model', 'slot-memory', '--task', 'binary-recall', '--set', 'setSize=lots'], /field "setSize" got "lots"; allowed: an integer/],
      [['train', '--model', 'slot-memory', '--task', 'binary-recall', '--set', 'colour=red'], /field "colour" got "red"/],
      [['train', '--model', 'slot-memory', '--task', 'binary-recall', '--set', 'setSize=0'], /field "setSize" got 0; allowed: an integer ≥ 1/],
      [['runs', 'show', '41'], /no run 41/],
      [['train', '--steps', 'many'], /--steps must be an integer/],
      [['train', '--frobnicate'], /unknown option/],
    ];
    for (const [args, pattern] of cases) {
      const r = engram(args, { db });
      assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}, ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, `more than one line: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
  });

  it('lists models and tasks with their fields', () => {
    const models = JSON.parse(engram(['models', '--json']).stdout) as { id: string; fields: { name: string; default: unknown }[] }[];
    const slot = models.find((m) => m.id === 'slot-memory')!;
    assert.deepEqual(slot.fields.find((f) => f.name === 'budgetFloats')!.default, 8256);
    const tasks = JSON.parse(engram(['tasks', '--json']).stdout) as { id: string }[];
    assert.ok(tasks.some((t) => t.id === 'binary-recall'));
  });
});
