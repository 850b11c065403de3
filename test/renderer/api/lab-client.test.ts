// The typed LabApi client over a raw bridge: results through, failures as coded LabCallErrors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallEnvelope } from '../../../engine/api/lab-api';
import type { EngramBridge } from '../../../renderer/api/engram-bridge';
import { createLabClient } from '../../../renderer/api/lab-client';
import { LabCallError } from '../../../renderer/api/lab-call-error';

function bridgeAnswering(answer: (method: string, params: unknown) => Promise<CallEnvelope>): EngramBridge & { emit(event: string, payload: unknown): void } {
  const listeners = new Map<string, ((payload: unknown) => void)[]>();
  return {
    call: answer,
    on(event, listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return () => listeners.set(event, (listeners.get(event) ?? []).filter((l) => l !== listener));
    },
    emit(event, payload) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
  };
}

const alwaysOpen = (listener: (state: 'open') => void) => {
  listener('open');
  return () => undefined;
};

describe('createLabClient', () => {
  it('resolves with the result of the method called', async () => {
    const calls: [string, unknown][] = [];
    const client = createLabClient(
      bridgeAnswering(async (method, params) => {
        calls.push([method, params]);
        return { result: { runId: 4 } };
      }),
      'ipc',
      alwaysOpen,
    );
    const demo = { model: 'slot-memory', task: 'binary-recall' };
    assert.deepEqual(await client.call('runs.start', demo), { runId: 4 });
    assert.deepEqual(calls, [['runs.start', demo]]);
  });

  it('rejects with the code and message of an error envelope', async () => {
    const client = createLabClient(
      bridgeAnswering(async () => ({ error: { code: 'conflict', message: 'run 3 is FINISHED' } })),
      'http',
      alwaysOpen,
    );
    await assert.rejects(client.call('runs.stop', { runId: 3 as never }), (err: unknown) => {
      assert.ok(err instanceof LabCallError);
      assert.equal(err.code, 'conflict');
      assert.equal(err.message, 'run 3 is FINISHED');
      assert.equal(err.method, 'runs.stop');
      return true;
    });
  });

  it('turns a failing bridge into a transport error', async () => {
    const client = createLabClient(
      bridgeAnswering(() => Promise.reject(new Error('Error invoking remote method'))),
      'ipc',
      alwaysOpen,
    );
    await assert.rejects(client.call('system.info', {}), (err: unknown) => {
      assert.ok(err instanceof LabCallError);
      assert.equal(err.code, 'transport');
      assert.match(err.message, /invoking remote method/);
      return true;
    });
  });

  it('delivers events by name until unsubscribed', () => {
    const bridge = bridgeAnswering(async () => ({ result: null }));
    const client = createLabClient(bridge, 'ipc', alwaysOpen);
    const seen: unknown[] = [];
    const off = client.on('kernel.changed', (p) => seen.push(p.status));
    bridge.emit('kernel.changed', { status: 'idle', backend: null });
    off();
    bridge.emit('kernel.changed', { status: 'dead', backend: null });
    assert.deepEqual(seen, ['idle']);
  });
});
