// Browser mode's transport: the token and Host checks on HTTP and WebSocket, the cookie hand-over,
// calls through the dispatcher, and events pushed to WebSocket clients.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { LabService } from '../../../engine/lab/service';
import { serve, type RunningServer } from '../../../engine/server/server';
import { tempDir } from '../../helpers/temp';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function http(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('serve', () => {
  let service: LabService;
  let server: RunningServer;
  let base: string;

  before(async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Engram</title>');
    service = new LabService({
      dbPath: join(dir, 'lab.sqlite'),
      launcher: () => {
        throw new Error('no kernel in this test');
      },
    });
    server = await serve({ service, staticDir: dir, port: 0 });
    base = server.url.slice(0, server.url.indexOf('/?'));
  });
  after(async () => {
    await server.close();
    await service.close();
  });

  it('prints a URL on 127.0.0.1 with the token', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  it('refuses pages and calls without the token (401)', async () => {
    assert.equal((await http(`${base}/`)).status, 401);
    assert.equal((await http(`${base}/?token=wrong`)).status, 401);
    const call = await http(`${base}/api/call/system.info`, { method: 'POST', body: '{}' });
    assert.equal(call.status, 401);
    assert.equal((await http(`${base}/api/call/system.info`, { method: 'POST', body: '{}', headers: { Authorization: 'Bearer nope' } })).status, 401);
  });

  it('refuses a foreign Host header even with the token (403)', async () => {
    const r = await http(`${base}/api/call/system.info`, {
      method: 'POST',
      body: '{}',
      headers: { Host: 'evil.example:80', Authorization: `Bearer ${server.token}` },
    });
    assert.equal(r.status, 403);
  });

  it('trades the URL token for an HttpOnly cookie that authorises later requests', async () => {
    const page = await http(server.url);
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>Engram<\/title>/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    assert.match(String(page.headers['set-cookie']), /HttpOnly/);
    const call = await http(`${base}/api/call/system.info`, { method: 'POST', body: '{}', headers: { Cookie: cookie } });
    assert.equal(call.status, 200);
    assert.equal(JSON.parse(call.body).result.dbPath, service.store.path);
  });

  it('maps contract errors to HTTP statuses with the error body', async () => {
    const auth = { Authorization: `Bearer ${server.token}` };
    const bad = await http(`${base}/api/call/runs.get`, { method: 'POST', body: '{"runId":"x"}', headers: auth });
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.body).error.message, /runId/);
    assert.equal((await http(`${base}/api/call/runs.get`, { method: 'POST', body: '{"runId":5}', headers: auth })).status, 404);
    assert.equal((await http(`${base}/api/call/runs.get`, { method: 'POST', body: 'not json', headers: auth })).status, 400);
    assert.equal((await http(`${base}/api/call/runs.list`, { method: 'GET', headers: auth })).status, 405);
  });

  it('accepts WebSocket event clients only with the token and a local Host, and pushes events', async () => {
    const wsUrl = `${base.replace('http', 'ws')}/api/events`;
    const refused = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(wsUrl, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
        ws.on('open', () => resolve(101));
        ws.on('error', () => {});
      });
    assert.equal(await refused({}), 401);
    assert.equal(await refused({ Authorization: `Bearer ${server.token}`, Host: 'evil.example' }), 403);
    const ws = new WebSocket(wsUrl, { headers: { Authorization: `Bearer ${server.token}` } });
    await new Promise((resolve) => ws.on('open', resolve));
    const message = new Promise<{ event: string; payload: { run: { name: string } } }>((resolve) =>
      ws.on('message', (data) => resolve(JSON.parse(String(data)))),
    );
    service.recorder.create({
      kind: 'eval',
      name: 'pushed',
      spec: { model: 'm', task: 't', modelConfig: {}, taskConfig: {}, training: {}, seed: 0 },
      memoryFloats: null,
      backend: null,
      provenance: { engramVersion: 'x', node: 'x', platform: 'x', host: 'x', notebook: null, cellId: null, sourceHash: null, source: null, command: null },
    });
    const m = await message;
    assert.equal(m.event, 'runs.created');
    assert.equal(m.payload.run.name, 'pushed');
    ws.close();
  });
});
