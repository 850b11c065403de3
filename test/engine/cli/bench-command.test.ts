// `engram bench`: a small run prints the Markdown report and, with --json, one JSON object on the last
// line in the documented shape; and every PyTorch reference builds, runs and has the memory size
// Engram computes for the same config (skipped, saying why, where python3-torch is missing).
// Timings are not checked: they belong to the bench's report.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { after, describe, it } from 'node:test';
import { selectBackend } from '../../../engine/backend/select';
import { benchReferences, resolvedReference } from '../../../engine/cli/bench-references';
import { startTorch, type TorchRunner } from '../../../engine/cli/bench-torch';
import { engram, repoRoot } from '../../helpers/engram';

describe('engram bench', () => {
  it('reports a model on the cpu backend as Markdown and as JSON on the last line', () => {
    const r = engram(['bench', '--quick', '--models', 'hopfield-hebb', '--backends', 'cpu', '--no-torch', '--no-ui', '--no-sweep', '--no-store', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    const report = JSON.parse(lines.pop()!) as Record<string, unknown> & { models: Record<string, unknown>[] };
    for (const key of ['machine', 'matmulGflops', 'models', 'store', 'ui', 'sweep']) assert.ok(key in report, `no ${key} in the JSON`);
    assert.equal(report.models.length, 1);
    const row = report.models[0]!;
    assert.equal(row['model'], 'hopfield');
    assert.equal(row['task'], 'binary-recall');
    assert.equal(row['backend'], 'cpu');
    assert.equal(row['stepsPerSec'], null, 'an untrained model has no training rate');
    assert.equal(row['ratio'], null, 'no PyTorch, no ratio');
    assert.equal(row['kernelsPerStep'], null, 'no training step, no kernel count');
    assert.ok(typeof row['evalEpisodesPerSec'] === 'number' && (row['evalEpisodesPerSec'] as number) > 0);
    assert.ok(Array.isArray((report.machine as { loadAverageBefore: unknown }).loadAverageBefore));
    const markdown = lines.join('\n');
    assert.match(markdown, /\| model \| task \| backend \| steps\/s \| PyTorch \| ratio \| kernels\/step \| in kernels \| dispatch share \|/);
    assert.match(markdown, /\| hopfield-hebb \| binary-recall \| cpu \|/);
    assert.match(markdown, /Load average/);
  });

  it("profiles a trained model's step: kernels per step, their share of its time, and the kernels that take most", () => {
    const r = engram(['bench', '--quick', '--models', 'slot-memory', '--backends', 'cpu', '--no-torch', '--no-ui', '--no-sweep', '--no-store', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    const row = (JSON.parse(lines.pop()!) as { models: Record<string, unknown>[] }).models[0]!;
    assert.ok(typeof row['stepsPerSec'] === 'number' && (row['stepsPerSec'] as number) > 0);
    assert.ok(Number.isInteger(row['kernelsPerStep']) && (row['kernelsPerStep'] as number) > 10, String(row['kernelsPerStep']));
    const share = row['kernelShare'] as number;
    assert.ok(share > 0 && share < 1.5, `share of a step inside kernels: ${share}`);
    const sampling = row['sampleShare'] as number;
    assert.ok(sampling > 0 && sampling < 1, `share of a step drawing the episode: ${sampling}`);
    const top = row['topKernels'] as { name: string; count: number; share: number }[];
    assert.equal(top.length, 3);
    assert.deepEqual(top.map((k) => k.share), [...top.map((k) => k.share)].sort((a, b) => b - a));
    assert.ok(top.reduce((n, k) => n + k.share, 0) <= share + 1e-9);
    assert.match(lines.join('\n'), new RegExp(`\\| slot-memory \\| cpu \\| [0-9.]+ \\| [0-9.]+ \\| -?[0-9.]+ \\| ${top[0]!.name} ×`));
  });

  it('refuses an unknown reference, naming the ones there are', () => {
    const r = engram(['bench', '--models', 'no-such-model', '--no-torch', '--no-ui', '--no-sweep', '--no-store']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /unknown --models no-such-model: choose from hopfield-hebb/);
  });
});

describe('PyTorch references (test/bench)', () => {
  let runner: TorchRunner | { reason: string } | null = null;
  after(async () => {
    if (runner && !('reason' in runner)) await runner.close();
  });

  for (const reference of benchReferences.filter((r) => !r.noTorch)) {
    it(`${reference.id}: builds with Engram's memory size, and runs a loss and an episode`, async (t) => {
      runner ??= await startTorch(join(repoRoot, 'test', 'bench'), 1);
      if ('reason' in runner) return t.skip(`PyTorch is not available: ${runner.reason}`);
      await selectBackend('cpu');
      const { spec, memoryFloats } = await resolvedReference(reference);
      const digitsDir = dirname(createRequire(__filename).resolve('mnist/src/digits/0.json'));
      const result = await runner.run(
        { kind: 'check', model: spec.model, task: spec.task, modelConfig: spec.modelConfig, taskConfig: spec.taskConfig, training: spec.training, memoryFloats, digitsDir },
        300_000,
      );
      assert.equal(result.error, undefined, result.error);
    });
  }
});
