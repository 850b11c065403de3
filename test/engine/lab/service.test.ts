// The runs, snapshot and export handlers of the lab service, through its dispatcher: renaming, tagging
// and noting a run, deleting it (never while it runs), reading snapshot tensors, and exporting figures
// with a figure renderer (a fake here; the real one is tested in test/e2e/figure-export.test.ts).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { FigurePayload } from '../../../engine/api/figure';
import type { RunId } from '../../../engine/api/schemas';
import type { FigureRenderer } from '../../../engine/lab/export/figure-export';
import { LabService } from '../../../engine/lab/service';
import { fillSampleLab } from '../../helpers/sample-runs';
import { tempDir } from '../../helpers/temp';

function service(figureRenderer?: FigureRenderer): { service: LabService; lab: ReturnType<typeof fillSampleLab> } {
  const dbPath = join(tempDir(), 'lab.sqlite');
  const lab = fillSampleLab(dbPath);
  const s = new LabService({
    dbPath,
    launcher: () => {
      throw new Error('no kernel in this test');
    },
    ...(figureRenderer ? { figureRenderer } : {}),
  });
  return { service: s, lab };
}

async function ok(s: LabService, method: string, params: unknown): Promise<unknown> {
  const envelope = await s.dispatcher.call(method, params);
  if ('error' in envelope) assert.fail(`${method}: ${envelope.error.message}`);
  return envelope.result;
}

async function fails(s: LabService, method: string, params: unknown): Promise<{ code: string; message: string }> {
  const envelope = await s.dispatcher.call(method, params);
  assert.ok('error' in envelope, `${method} succeeded`);
  return envelope.error;
}

describe('runs.update', () => {
  it('renames, replaces tags and note, announces the run, and leaves unnamed fields alone', async () => {
    const { service: s, lab } = service();
    const events: unknown[] = [];
    s.onEvent((event, payload) => events.push([event, payload]));
    const runId = lab.compared[1]!;
    const renamed = (await ok(s, 'runs.update', { runId, name: '  seed two ', tags: ['b', 'a', 'b'] })) as { name: string; tags: string[] };
    assert.deepEqual([renamed.name, renamed.tags], ['seed two', ['a', 'b']]);
    await ok(s, 'runs.update', { runId, note: 'looks noisy' });
    const detail = (await ok(s, 'runs.get', { runId })) as { name: string; note: string; tags: string[] };
    assert.deepEqual([detail.name, detail.note, detail.tags], ['seed two', 'looks noisy', ['a', 'b']]);
    assert.deepEqual(events.map((e) => (e as [string])[0]), ['runs.updated', 'runs.updated']);
    const bad = await fails(s, 'runs.update', { runId, name: '   ' });
    assert.equal(bad.code, 'invalid_params');
    assert.match(bad.message, /field "name"/);
    await s.close();
  });
});

describe('runs.series', () => {
  it('reads one metric of many runs in one call, each for its own step range, leaving out runs without it', async () => {
    const { service: s, lab } = service();
    const imageRun = ((await ok(s, 'runs.list', { task: 'image-recall' })) as { id: number }[])[0]!.id;
    const [a, b] = lab.compared;
    const series = (await ok(s, 'runs.series', { key: 'loss', maxPoints: 10, runs: [{ runId: a }, { runId: b, fromStep: 50, toStep: 60 }, { runId: imageRun }] })) as { runId: number; steps: number[]; totalInRange: number; downsampled: boolean }[];
    assert.deepEqual(series.map((x) => [x.runId, x.totalInRange, x.downsampled]), [[a, 200, true], [b, 11, true]]);
    assert.deepEqual([series[0]!.steps[0], series[0]!.steps.at(-1), series[1]!.steps[0], series[1]!.steps.at(-1)], [1, 200, 50, 60]);
    assert.equal((await fails(s, 'runs.series', { key: 'loss', runs: [{ runId: 999 }] })).code, 'not_found');
    await s.close();
  });
});

describe('runs.delete', () => {
  it('deletes an ended run with its metrics and snapshots, and refuses a running one', async () => {
    const { service: s, lab } = service();
    const runId = lab.compared[0]!;
    await ok(s, 'runs.delete', { runId });
    assert.equal((await fails(s, 'runs.get', { runId })).code, 'not_found');
    assert.equal((await fails(s, 'snapshots.get', { snapshotId: lab.snapshotId })).code, 'not_found');
    const count = s.store.db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM metric_series WHERE run_id = ?').get(runId)!.n;
    assert.equal(count, 0);
    const running = s.store.createRun({ kind: 'train', spec: { model: 'm', task: 't', modelConfig: {}, taskConfig: {}, training: {}, seed: 0 }, memoryFloats: null, backend: null, provenance: { notebook: null, cellId: null, sourceHash: null, source: null, command: null, engramVersion: '0', node: '', platform: '', host: '' } });
    s.store.markRunning(running);
    const refused = await fails(s, 'runs.delete', { runId: running });
    assert.deepEqual([refused.code, refused.message], ['conflict', `run ${running} is RUNNING: stop it before deleting it`]);
    await s.close();
  });
});

describe('snapshots.get', () => {
  it('returns tensors as base64 bytes with dtype and shape, all or the named ones', async () => {
    const { service: s, lab } = service();
    const all = (await ok(s, 'snapshots.get', { snapshotId: lab.snapshotId })) as { runId: RunId; step: number; tensors: { name: string; dtype: string; shape: number[]; dataBase64: string }[] };
    assert.deepEqual([all.runId, all.step], [lab.compared[0], 200]);
    assert.ok(all.tensors.some((t) => t.name === 'read/iterates'));
    const [slots] = ((await ok(s, 'snapshots.get', { snapshotId: lab.snapshotId, names: ['state/slots'] })) as typeof all).tensors;
    assert.deepEqual([slots!.name, slots!.dtype, slots!.shape], ['state/slots', 'float32', [1, 8, 16]]);
    const values = new Float32Array(new Uint8Array(Buffer.from(slots!.dataBase64, 'base64')).buffer);
    assert.equal(values.length, 128);
    const missing = await fails(s, 'snapshots.get', { snapshotId: lab.snapshotId, names: ['state/nope'] });
    assert.equal(missing.code, 'invalid_params');
    assert.match(missing.message, /field "names" got \["state\/nope"\]: snapshot \d+ has episode\/items, .*state\/slots/);
    await s.close();
  });
});

describe('export.figure', () => {
  it('hands the renderer the runs and their series, and answers with the file as base64 and its CSV', async () => {
    let seen: FigurePayload | null = null;
    const { service: s, lab } = service({
      render: async (payload) => {
        seen = payload;
        return { bytes: new TextEncoder().encode('%PDF-fake'), csv: 'line,runs\n' };
      },
    });
    const result = (await ok(s, 'export.figure', { figure: { runIds: lab.compared, metric: 'loss', smoothing: 0.5 }, size: { format: 'pdf', widthMm: 89 } })) as Record<string, unknown>;
    assert.deepEqual(result, { format: 'pdf', mime: 'application/pdf', fileName: 'loss-vs-step.pdf', dataBase64: Buffer.from('%PDF-fake').toString('base64'), csv: 'line,runs\n', widthMm: 89, heightMm: 60.5 });
    const payload = seen as unknown as FigurePayload;
    assert.deepEqual(payload.runs.map((r) => r.id), lab.compared);
    assert.deepEqual(payload.series.map((x) => [x.runId, x.key, x.steps.length]), lab.compared.map((id) => [id, 'loss', 200]));
    assert.equal(payload.figure.smoothing, 0.5);
    await s.close();
  });

  it('refuses a metric a run lacks, naming it and what the run has; fails plainly without a renderer', async () => {
    const { service: s, lab } = service({ render: async () => assert.fail('the renderer must not be called') });
    const bad = await fails(s, 'export.figure', { figure: { runIds: lab.compared, metric: 'nope' }, size: { format: 'svg', widthMm: 89 } });
    assert.deepEqual([bad.code, bad.message], ['invalid_params', `export.figure: metric "nope": run ${lab.compared[0]} has no such series; it has error_bits, loss`]);
    const size = await fails(s, 'export.figure', { figure: { runIds: lab.compared, metric: 'loss' }, size: { format: 'tiff', widthMm: 89 } });
    assert.match(size.message, /field "size\.format" got "tiff"/);
    await s.close();
    const { service: plain } = service();
    const none = await fails(plain, 'export.figure', { figure: { runIds: lab.compared, metric: 'loss' }, size: { format: 'pdf', widthMm: 89 } });
    assert.deepEqual([none.code, none.message], ['failed', 'figure export is not set up in this process (it needs a headless Chromium)']);
    await plain.close();
  });
});
