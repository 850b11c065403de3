// `engram experiment`: options parsed as the experiment declares them (one value of a list option is a
// list of one), unknown names refused naming the field, and the runs it trains kept in the lab book
// under the experiment's tag. Real child processes, a real SQLite file.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { engram } from '../../helpers/engram';
import { tempDir } from '../../helpers/temp';

describe('engram experiment', () => {
  it('takes one value of a list option as a list of one, and prints the rows as JSON', () => {
    const r = engram(['experiment', 'bloom-formula', '--option', 'bitsPerItem=10', '--option', 'n=200', '--option', 'filters=2', '--option', 'queriesPerFilter=5000', '--no-record', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { rows: { bitsPerItem: number }[]; complete: boolean };
    assert.equal(result.complete, true);
    assert.deepEqual(result.rows.map((row) => row.bitsPerItem), [10]);
  });

  it('refuses an option the experiment does not take, naming it and the ones it does', () => {
    const r = engram(['experiment', 'kanerva', '--option', 'stepz=3', '--no-record']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /experiment kanerva: field "stepz" got 3; allowed: steps, episodes, noiseStd, seed/);
  });

  it("passes ebmm-binary's pattern width, budget and EBMM settings on to the model, whose own check names the field", () => {
    // 8-bit patterns and 19 floats leave EBMM 2 writable units (at the default 128 bits, none), so a
    // hidden width of 2 has no static unit left.
    const protocol = ['dim=8', 'corruptBits=4', 'budgetFloats=19', 'setSizes=4', 'steps=2', 'hidden=2'].flatMap((o) => ['--option', o]);
    const r = engram(['experiment', 'ebmm-binary', ...protocol, '--no-record']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /model ebmm: field "hidden" got 2; allowed: an integer > 2, since budgetFloats 19 gives 2 writable units/);
  });

  it('refuses an unknown experiment, listing the ones there are', () => {
    const r = engram(['experiment', 'capacityy']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /field "experiment" got "capacityy"; allowed: capacity \| bloom-formula/);
  });

  it('keeps the runs it trains in the lab book, tagged with the experiment, ended with their measurements', () => {
    const db = join(tempDir(), 'lab.sqlite');
    const r = engram(['experiment', 'kanerva', '--option', 'steps=2', '--option', 'episodes=2', '--json'], { db });
    assert.equal(r.status, 0, r.stderr);
    const { runIds } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { runIds: number[] };
    assert.equal(runIds.length, 2, 'with and without memory');
    const listed = engram(['runs', 'list', '--tag', 'experiment:kanerva', '--json'], { db });
    assert.equal(listed.status, 0, listed.stderr);
    const runs = JSON.parse(listed.stdout) as { id: number; status: string; finalMetrics: Record<string, number> }[];
    assert.deepEqual(runs.map((run) => run.id).sort(), [...runIds].sort());
    for (const run of runs) {
      assert.equal(run.status, 'FINISHED');
      assert.equal(typeof run.finalMetrics.test_error_bits, 'number');
    }
  });
});
