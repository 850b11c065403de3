// Notebook cells in a real kernel process: one shared scope, re-declaration, top-level await,
// TypeScript, errors at cell lines, cooperative interrupt of training, restart of a hung cell.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { kernelService, textOf } from '../../helpers/lab-service';

describe('kernel cells', () => {
  const k = kernelService();
  after(() => k.service.close());

  it('shares top-level declarations across cells and replaces them when a cell runs again', async () => {
    assert.equal((await k.run('a', 'const x = 2;\nlet counter = 0;\nfunction bump() { return ++counter; }\nclass Box { v = 7 }')).status, 'ok');
    const second = await k.run('b', 'bump(); bump();\n`${x} ${counter} ${new Box().v}`');
    assert.equal(second.status, 'ok');
    assert.match(textOf(second), /'2 2 7'/);
    assert.equal((await k.run('a', 'const x = 40;')).status, 'ok');
    assert.match(textOf(await k.run('c', 'x + counter')), /^42\n?$/);
  });

  it('runs top-level await and compiles TypeScript-only constructs', async () => {
    const r = await k.run(
      'd',
      "interface Pair<T> { a: T; b: T }\ntype N = number;\nenum Unused { A }\nconst p: Pair<N> = { a: 1, b: 2 } satisfies Pair<N>;\nconst sum = await new Promise<N>((resolve) => setTimeout(() => resolve(p.a + p.b), 10));\nconsole.log('sum is', sum);",
    );
    assert.equal(r.status, 'ok', JSON.stringify(r.outputs));
    assert.equal(textOf(r), 'sum is 3\n');
  });

  it('reports a runtime error at the cell line and column, and a syntax error too', async () => {
    const r = await k.run('e', "const a = 1;\n\nfunction f() {\n  throw new Error('nope');\n}\nf();");
    assert.equal(r.status, 'error');
    const error = r.outputs.find((o) => o.type === 'error');
    assert.ok(error && error.type === 'error');
    assert.equal(error.evalue, 'nope');
    assert.equal(error.line, 4);
    assert.ok(error.traceback.some((l) => /cell e, line 4:/.test(l)), error.traceback.join('\n'));
    const s = await k.run('f', 'const ok = 1;\nconst broken = ;');
    const se = s.outputs.find((o) => o.type === 'error');
    assert.ok(se && se.type === 'error' && se.ename === 'SyntaxError' && se.line === 2, JSON.stringify(se));
  });

  it('interrupts a training loop within a step, ends its run KILLED, and keeps the kernel state', async () => {
    const started = k.start('g', "const handle = lab.train({ model: 'slot-memory', task: 'binary-recall', set: { setSize: 3, dim: 16, corruptBits: 4, logEvery: 1, evalEvery: 0, evalEpisodes: 2 }, steps: 100000 });\nconst id = await handle.created;\nawait handle;");
    // Wait for the run to make steps, then interrupt.
    let runId = 0;
    for (let i = 0; i < 200 && !runId; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const running = k.service.store.listRuns({ status: ['RUNNING'] });
      if (running[0] && running[0].step > 3) runId = running[0].id;
    }
    assert.ok(runId, 'the run started');
    const stepAtInterrupt = k.service.store.getRunSummary(runId as never).step;
    k.service.cells.interrupt();
    const r = await started;
    assert.equal(r.status, 'interrupted');
    const run = k.service.store.getRunSummary(runId as never);
    assert.equal(run.status, 'KILLED');
    assert.ok(run.step - stepAtInterrupt < 50, `stopped ${run.step - stepAtInterrupt} steps after the interrupt`);
    assert.match(textOf(await k.run('h', 'x')), /^40/); // state from earlier cells survives
  });

  it('restarts the kernel when an interrupted cell does not stop (a hung loop), losing its state', async () => {
    const hung = k.start('i', 'while (true) {}');
    await new Promise((r) => setTimeout(r, 500));
    k.service.cells.interrupt();
    const r = await hung;
    assert.equal(r.status, 'interrupted');
    assert.ok(r.outputs.some((o) => o.type === 'error' && o.ename === 'KernelRestarted'));
    const after = await k.run('j', 'typeof x');
    assert.equal(after.status, 'ok');
    assert.match(textOf(after), /'undefined'/);
    assert.equal(after.executionCount, 1, 'a fresh kernel counts from 1');
  });
});
