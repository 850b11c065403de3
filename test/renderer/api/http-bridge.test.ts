// Browser mode's transport: calls as HTTP POSTs, events from a WebSocket that reconnects with backoff.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHttpBridge, reconnectDelayMs, type ConnectionState, type SocketLike } from '../../../renderer/api/http-bridge';
import { LabCallError } from '../../../renderer/api/lab-call-error';

class FakeSocket implements SocketLike {
  onopen: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  closed = false;

  constructor(readonly url: string) {}

  open(): void {
    this.onopen?.({} as Event);
  }

  receive(data: string): void {
    this.onmessage?.({ data } as MessageEvent);
  }

  drop(): void {
    this.onerror?.({} as Event);
    this.onclose?.({} as CloseEvent);
  }

  close(): void {
    this.closed = true;
    this.onclose?.({} as CloseEvent);
  }
}

interface Harness {
  readonly sockets: FakeSocket[];
  readonly timers: { run: () => void; delayMs: number; cancelled: boolean }[];
  readonly requests: { url: string; init: RequestInit }[];
  readonly states: ConnectionState[];
  readonly bridge: ReturnType<typeof createHttpBridge>;
}

function harness(origin: string, respond: () => Promise<Response> = async () => Response.json({ result: [] })): Harness {
  const sockets: FakeSocket[] = [];
  const timers: Harness['timers'] = [];
  const requests: Harness['requests'] = [];
  const states: ConnectionState[] = [];
  const bridge = createHttpBridge({
    origin,
    fetch: (url, init) => {
      requests.push({ url, init });
      return respond();
    },
    openSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    setTimer: (run, delayMs) => {
      const timer = { run, delayMs, cancelled: false };
      timers.push(timer);
      return () => (timer.cancelled = true);
    },
  });
  bridge.onConnection((s) => states.push(s));
  return { sockets, timers, requests, states, bridge };
}

describe('HTTP bridge calls', () => {
  it('posts the params as JSON to /api/call/<method> and returns the envelope', async () => {
    const h = harness('http://127.0.0.1:4321', async () => Response.json({ result: [{ id: 1 }] }));
    const envelope = await h.bridge.call('runs.list', { limit: 5 });
    assert.deepEqual(envelope, { result: [{ id: 1 }] });
    assert.equal(h.requests[0]?.url, 'http://127.0.0.1:4321/api/call/runs.list');
    assert.equal(h.requests[0]?.init.method, 'POST');
    assert.equal(h.requests[0]?.init.body, JSON.stringify({ limit: 5 }));
    h.bridge.close();
  });

  it('passes a coded error body through, whatever its HTTP status', async () => {
    const error = { code: 'not_found', message: 'no run 9' };
    const h = harness('http://h:1', async () => Response.json({ error }, { status: 404 }));
    assert.deepEqual(await h.bridge.call('runs.get', { runId: 9 }), { error });
    h.bridge.close();
  });

  it('fails as a transport error with a hint when the server refuses the page', async () => {
    const h = harness('http://h:1', async () => new Response('Unauthorised', { status: 401 }));
    await assert.rejects(h.bridge.call('runs.list', {}), (err: unknown) => {
      assert.ok(err instanceof LabCallError);
      assert.equal(err.code, 'transport');
      assert.equal(err.method, 'runs.list');
      assert.match(err.message, /token/);
      return true;
    });
    h.bridge.close();
  });

  it('fails as a transport error when the server is unreachable', async () => {
    const h = harness('http://h:1', () => Promise.reject(new TypeError('fetch failed')));
    await assert.rejects(h.bridge.call('system.info', {}), (err: unknown) => {
      assert.ok(err instanceof LabCallError);
      assert.equal(err.code, 'transport');
      assert.match(err.message, /unreachable.*fetch failed/);
      return true;
    });
    h.bridge.close();
  });
});

describe('HTTP bridge events', () => {
  it('listens on the same origin with the ws scheme', () => {
    const plain = harness('http://127.0.0.1:4321');
    const secure = harness('https://lab.example:8443');
    assert.equal(plain.sockets[0]?.url, 'ws://127.0.0.1:4321/api/events');
    assert.equal(secure.sockets[0]?.url, 'wss://lab.example:8443/api/events');
    plain.bridge.close();
    secure.bridge.close();
  });

  it('hands each event payload to the listeners of that event only', () => {
    const h = harness('http://h:1');
    const ended: unknown[] = [];
    const created: unknown[] = [];
    h.bridge.on('runs.ended', (p) => ended.push(p));
    const stopCreated = h.bridge.on('runs.created', (p) => created.push(p));
    h.sockets[0]!.open();
    h.sockets[0]!.receive(JSON.stringify({ event: 'runs.ended', payload: { runId: 3, status: 'FINISHED', error: null } }));
    stopCreated();
    h.sockets[0]!.receive(JSON.stringify({ event: 'runs.created', payload: { run: {} } }));
    assert.deepEqual(ended, [{ runId: 3, status: 'FINISHED', error: null }]);
    assert.deepEqual(created, []);
    h.bridge.close();
  });

  it('reconnects after a drop with growing delays, and starts over once connected', () => {
    const h = harness('http://h:1');
    h.sockets[0]!.open();
    h.sockets[0]!.drop();
    h.timers[0]!.run();
    h.sockets[1]!.drop();
    h.timers[1]!.run();
    h.sockets[2]!.open();
    h.sockets[2]!.drop();
    assert.deepEqual(
      h.timers.map((t) => t.delayMs),
      [reconnectDelayMs(1), reconnectDelayMs(2), reconnectDelayMs(1)],
    );
    assert.ok(reconnectDelayMs(2) > reconnectDelayMs(1));
    assert.deepEqual(h.states, ['connecting', 'open', 'closed', 'open', 'closed']);
    h.bridge.close();
  });

  it('stops reconnecting once closed', () => {
    const h = harness('http://h:1');
    h.sockets[0]!.open();
    h.sockets[0]!.drop();
    h.bridge.close();
    assert.equal(h.timers[0]?.cancelled, true);
    const h2 = harness('http://h:1');
    h2.sockets[0]!.open();
    h2.bridge.close();
    assert.equal(h2.sockets[0]!.closed, true);
    assert.equal(h2.timers.length, 0);
  });

  it('caps the reconnect delay', () => {
    assert.equal(reconnectDelayMs(30), reconnectDelayMs(40));
    assert.ok(reconnectDelayMs(30) > reconnectDelayMs(3));
  });
});
