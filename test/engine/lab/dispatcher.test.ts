// Contract tests: every LabApi method has a handler and a client binding, malformed payloads are
// refused with a message naming the field, and results are checked against the contract.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { labEventNames, labMethodNames, labMethods } from '../../../engine/api/lab-api';
import { createDispatcher, type LabHandlers } from '../../../engine/lab/dispatcher';
import { LabService } from '../../../engine/lab/service';
import { createBridge, type IpcRendererLike } from '../../../electron/bridge';
import { tempDir } from '../../helpers/temp';

/** A service whose kernel must not be needed by the calls under test. */
function serviceWithoutKernel(): LabService {
  return new LabService({
    dbPath: join(tempDir(), 'lab.sqlite'),
    launcher: () => {
      throw new Error('no kernel in this test');
    },
  });
}

describe('LabApi contract', () => {
  it('names methods domain.verb and events domain.pastTense', () => {
    for (const m of labMethodNames) assert.match(m, /^[a-z]+\.[a-z][A-Za-z]*$/, m);
    for (const e of labEventNames) assert.match(e, /^[a-z]+\.[a-z]+(ed|[A-Z][a-z]*ed)$/, e);
  });

  it('gives every method a handler in the service', async () => {
    const service = serviceWithoutKernel();
    const handlers = (service as unknown as { handlers(): LabHandlers }).handlers();
    assert.deepEqual(Object.keys(handlers).sort(), [...labMethodNames].sort());
    await service.close();
  });

  it('gives every method and event a client binding in the Electron bridge, and nothing else', async () => {
    const invoked: unknown[][] = [];
    const ipc: IpcRendererLike = {
      invoke: async (...args) => {
        invoked.push(args);
        return { result: null };
      },
      on: () => undefined,
      removeListener: () => undefined,
    };
    const bridge = createBridge(ipc);
    for (const m of labMethodNames) await bridge.call(m, {});
    assert.deepEqual(invoked.map((a) => a[1]), labMethodNames);
    const refused = await bridge.call('system.exec', {});
    assert.ok('error' in refused && refused.error.code === 'not_found');
    assert.equal(invoked.length, labMethodNames.length, 'an unknown method never reaches IPC');
    for (const e of labEventNames) bridge.on(e, () => {})();
    assert.throws(() => bridge.on('secrets.leaked', () => {}), /unknown event/);
  });

  describe('dispatcher', () => {
    it('rejects a malformed payload naming the field, the value and the problem', async () => {
      const service = serviceWithoutKernel();
      const envelope = await service.dispatcher.call('runs.get', { runId: 'seven' });
      assert.ok('error' in envelope);
      assert.equal(envelope.error.code, 'invalid_params');
      assert.match(envelope.error.message, /field "runId" got "seven"/);
      const extra = await service.dispatcher.call('runs.list', { colour: 'red' });
      assert.ok('error' in extra && /"colour"/.test(extra.error.message));
      const nested = await service.dispatcher.call('runs.start', { model: 'slot-memory', task: 'binary-recall', set: { steps: [1] } });
      assert.ok('error' in nested && /field "set\.steps"/.test(nested.error.message));
      await service.close();
    });

    it('answers unknown methods and missing runs with not_found', async () => {
      const service = serviceWithoutKernel();
      const unknown = await service.dispatcher.call('runs.explode', {});
      assert.ok('error' in unknown && unknown.error.code === 'not_found');
      const missing = await service.dispatcher.call('runs.get', { runId: 99 });
      assert.ok('error' in missing && missing.error.code === 'not_found' && /99/.test(missing.error.message));
      await service.close();
    });

    it('refuses a result that breaks the contract', async () => {
      const handlers = Object.fromEntries(labMethodNames.map((m) => [m, () => ({ nonsense: true })])) as unknown as LabHandlers;
      const envelope = await createDispatcher(handlers).call('system.info', {});
      assert.ok('error' in envelope && envelope.error.code === 'failed' && /broke the contract/.test(envelope.error.message));
    });

    it('validates every method\'s params schema as strict where it is an object', () => {
      for (const [name, def] of Object.entries(labMethods)) {
        const parsed = def.params.safeParse({ definitelyNotAField: 1 });
        assert.equal(parsed.success, false, `${name} accepts unknown fields`);
      }
    });
  });
});
