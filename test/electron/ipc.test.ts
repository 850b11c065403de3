// The Electron IPC binding, driven through a fake ipcMain: calls reach the same dispatcher browser
// mode uses, frames outside the app are refused, events reach the windows.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { IpcMainInvokeEvent } from 'electron';
import type { CallEnvelope } from '../../engine/api/lab-api';
import { LabService } from '../../engine/lab/service';
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../electron/bridge';
import { bindLabApi, type IpcMainLike, type WebContentsLike } from '../../electron/ipc';
import { isAppUrl } from '../../electron/app-origin';
import { tempDir } from '../helpers/temp';

function setup() {
  const service = new LabService({
    dbPath: join(tempDir(), 'lab.sqlite'),
    launcher: () => {
      throw new Error('no kernel in this test');
    },
  });
  const handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const sent: { channel: string; message: unknown }[] = [];
  const window: WebContentsLike = { send: (channel, message) => void sent.push({ channel, message }), isDestroyed: () => false };
  const unbind = bindLabApi(ipcMain, service, { isTrusted: (url) => isAppUrl(url), targets: () => [window] });
  const invoke = (frameUrl: string, method: string, params: unknown) =>
    handlers.get(CALL_CHANNEL)!({ senderFrame: { url: frameUrl } } as unknown as IpcMainInvokeEvent, method, params) as Promise<CallEnvelope>;
  return { service, handlers, sent, unbind, invoke };
}

describe('bindLabApi', () => {
  it('answers calls from the app through the lab dispatcher', async () => {
    const { service, invoke, unbind } = setup();
    const info = await invoke('app://engram/index.html', 'system.info', {});
    assert.ok('result' in info);
    assert.equal((info.result as { dbPath: string }).dbPath, service.store.path);
    const bad = await invoke('app://engram/index.html', 'runs.get', { runId: -1 });
    assert.ok('error' in bad && bad.error.code === 'invalid_params');
    unbind();
    await service.close();
  });

  it('refuses calls from frames that are not the app', async () => {
    const { service, invoke, unbind } = setup();
    for (const url of ['https://example.com/', 'app://evil/index.html', 'file:///etc/passwd', '']) {
      const r = await invoke(url, 'system.info', {});
      assert.ok('error' in r && /refused/.test(r.error.message), url);
    }
    unbind();
    await service.close();
  });

  it('forwards service events to the windows, and stops when unbound', async () => {
    const { service, sent, unbind, handlers } = setup();
    const runId = service.recorder.create({
      kind: 'train',
      spec: { model: 'm', task: 't', modelConfig: {}, taskConfig: {}, training: { steps: 3 }, seed: 0 },
      memoryFloats: 1,
      backend: 'cpu',
      provenance: { engramVersion: 'x', node: 'x', platform: 'x', host: 'x', notebook: null, cellId: null, sourceHash: null, source: null, command: null },
    }).id;
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.channel, EVENT_CHANNEL);
    assert.deepEqual((sent[0]!.message as { event: string }).event, 'runs.created');
    unbind();
    service.recorder.ended(runId, 'KILLED', null);
    assert.equal(sent.length, 1);
    assert.equal(handlers.has(CALL_CHANNEL), false);
    await service.close();
  });
});

describe('isAppUrl', () => {
  it('accepts only the app origin (and the dev server when one is given)', () => {
    assert.equal(isAppUrl('app://engram/x/y.html'), true);
    assert.equal(isAppUrl('app://engram.evil/'), false);
    assert.equal(isAppUrl('http://localhost:5173/'), false);
    assert.equal(isAppUrl('http://localhost:5173/a', 'http://localhost:5173/'), true);
    assert.equal(isAppUrl('not a url'), false);
  });
});
