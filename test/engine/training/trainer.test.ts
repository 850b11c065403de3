// The trainer's learning-rate schedule (the rate each step gets, and that training follows it) and
// the messages of runs that fail inside the wasm backend.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resolveRunSpec } from '../../../engine/training/run-spec';
import { failureMessage, instantiate, scheduledLearningRate, train } from '../../../engine/training/trainer';
import { backendsHere } from '../../helpers/backends';

function spec(learningRateSchedule: string, steps = 6) {
  return resolveRunSpec({
    model: 'slot-memory',
    task: 'binary-recall',
    set: { dim: 8, corruptBits: 2, setSize: 3, budgetFloats: 24, steps, batchSize: 4, learningRate: 1e-2, learningRateSchedule, evalEvery: 0, evalEpisodes: 2 },
    seed: 2,
  });
}

/** Σ over the variables of ‖trained − initial‖₁ after training `steps` steps under a schedule. */
async function movement(schedule: string): Promise<number> {
  const s = spec(schedule);
  const instance = instantiate(s);
  const variables = Object.values(instance.model.variables());
  const initial = variables.map((v) => v.clone());
  const outcome = await train(s, instance, { metrics() {}, snapshot() {}, progress() {}, shouldStop: () => false });
  assert.equal(outcome.status, 'FINISHED', outcome.status === 'FAILED' ? outcome.error : '');
  const moved = tf.tidy(() => variables.reduce((sum, v, i) => sum + v.sub(initial[i]!).abs().sum().dataSync()[0]!, 0));
  tf.dispose(initial);
  instance.model.dispose();
  return moved;
}

describe('learning-rate schedule', () => {
  before(async () => {
    await backendsHere();
  });

  it('keeps the rate constant by default and lets the cosine fall from it towards 0', () => {
    const constant = spec('constant', 100).training;
    const cosine = spec('cosine', 100).training;
    assert.equal(resolveRunSpec({ model: 'slot-memory', task: 'binary-recall' }).training.learningRateSchedule, 'constant');
    for (const step of [1, 50, 100]) assert.equal(scheduledLearningRate(constant, step), 1e-2);
    assert.equal(scheduledLearningRate(cosine, 1), 1e-2);
    assert.ok(Math.abs(scheduledLearningRate(cosine, 51) - 5e-3) < 1e-12, 'half the rate half-way');
    const rates = Array.from({ length: 100 }, (_, i) => scheduledLearningRate(cosine, i + 1));
    assert.ok(rates.every((r, i) => i === 0 || r < rates[i - 1]!), 'the cosine rate must fall at every step');
    assert.ok(rates[99]! > 0 && rates[99]! < 1e-5, `last step's rate ${rates[99]}`);
  });

  it('moves the weights less under the cosine schedule than at the constant rate', async () => {
    // Adam moves each weight by about the rate per step: 6 steps at 1e-2 against a cosine summing to 3.
    const [constant, cosine] = [await movement('constant'), await movement('cosine')];
    assert.ok(cosine < 0.75 * constant, `moved ${cosine} under cosine, ${constant} at the constant rate`);
    assert.ok(cosine > 0.25 * constant, `moved ${cosine} under cosine, ${constant} at the constant rate`);
  });

  it('names the field and the allowed schedules for an unknown one', () => {
    assert.throws(() => spec('linear'), /learningRateSchedule.*"linear".*constant.*cosine/s);
  });
});

describe('failure messages', () => {
  // The real class of a wasm trap (the engine's typings have no WebAssembly global).
  const { RuntimeError } = (globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } }).WebAssembly;
  const trap = () => new RuntimeError('memory access out of bounds');
  const GiB = 2 ** 30;

  it('says that a trap near the wasm heap ceiling is memory running out, and what to change', () => {
    const message = failureMessage(trap(), 3.9 * GiB);
    assert.match(message, /^memory access out of bounds: the wasm backend's memory had grown to 3\.9 GiB of the 4 GiB/);
    assert.match(message, /batchSize/);
  });

  it('names the wasm backend for a trap far below the ceiling, without blaming memory', () => {
    const message = failureMessage(trap(), 0.5 * GiB);
    assert.equal(message, 'memory access out of bounds (a trap in the wasm backend, whose memory was 0.5 GiB)');
  });

  it('leaves other errors, and traps off the wasm backend, as they are', () => {
    assert.equal(failureMessage(new Error('no gradient reaches variable "w"'), 3.9 * GiB), 'no gradient reaches variable "w"');
    assert.equal(failureMessage(trap(), null), 'memory access out of bounds');
    assert.equal(failureMessage('plain', null), 'plain');
  });
});
