// kill -9 of the serving process in the middle of a run: the lab book stays intact, the kernel goes
// with its service, and the next start marks the run CRASHED.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { callServe, engram, startServe } from '../../helpers/engram';
import { tempDir } from '../../helpers/temp';

async function until<T>(what: string, probe: () => Promise<T | null> | T | null, timeoutMs = 120_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('kill -9 of engram serve during a run', () => {
  it('leaves a lab book that passes integrity_check, takes the kernel down, and the next start marks the run CRASHED', async () => {
    const db = join(tempDir(), 'lab.sqlite');
    const { child, base, token } = await startServe(db);
    try {
      const { runId } = (await callServe(base, token, 'runs.start', {
        model: 'slot-memory',
        task: 'binary-recall',
        set: { steps: 100_000, logEvery: 1, setSize: 4 },
      })) as { runId: number };
      await until('metric points of the running run', async () => {
        const run = (await callServe(base, token, 'runs.get', { runId })) as { status: string; metrics: { count: number }[] };
        return run.status === 'RUNNING' && run.metrics.some((m) => m.count >= 20) ? run : null;
      });
      // Children of the service are the kernel and tsx's esbuild helper; the kernel runs kernel/main.
      const kernels = execFileSync('ps', ['--ppid', String(child.pid), '-o', 'pid=,args='], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes('kernel/main'))
        .map((l) => Number(l.trim().split(/\s+/)[0]));
      assert.equal(kernels.length, 1, 'one kernel process under the service');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await until('the orphaned kernel to exit', () => (alive(kernels[0]!) ? null : true), 15_000);

      const book = new Database(db, { readonly: true });
      assert.equal(book.pragma('integrity_check', { simple: true }), 'ok');
      const row = book.prepare('SELECT status FROM runs WHERE id = ?').get(runId) as { status: string };
      assert.equal(row.status, 'RUNNING', 'nothing marked the run yet');
      const points = book.prepare('SELECT sum(count) AS n FROM metric_series WHERE run_id = ?').get(runId) as { n: number };
      assert.ok(points.n >= 20, `${points.n} committed points survive`);
      book.close();

      const list = engram(['runs', 'list', '--json'], { db });
      assert.equal(list.status, 0, list.stderr);
      const [run] = JSON.parse(list.stdout) as { id: number; status: string; error: string }[];
      assert.deepEqual([run!.id, run!.status], [runId, 'CRASHED']);
      assert.match(run!.error, /is gone/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
