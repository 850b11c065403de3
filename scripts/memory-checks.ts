// Reference checks of the classical and Bayesian memories, rerunnable from the command line (they
// take minutes, so they are not unit tests): `node --import tsx scripts/memory-checks.ts <check>
// [--steps N] [--episodes N] [--noiseStd σ] [--backend wasm|cpu]`. Runs in plain Node; prints Markdown.
import { selectBackend } from '../engine/backend/select';
import { resolveRunSpec } from '../engine/training/run-spec';
import { capacityTable, defaultCapacityEntries, type CapacityEntry } from '../engine/training/capacity-table';
import { readIterationCurve } from '../engine/training/read-iteration-curve';
import { evaluate, instantiate, train, type RunSink } from '../engine/training/trainer';

const args = process.argv.slice(2);
const check = args[0] ?? 'help';
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const backend = (() => {
  const i = args.indexOf('--backend');
  return i >= 0 ? args[i + 1]! : 'wasm';
})();

const sink = (label: string): RunSink => ({
  metrics() {},
  snapshot() {},
  progress(step, total) {
    if (step % 100 === 0 || step === total) process.stderr.write(`${label}: step ${step}/${total}\n`);
  },
  shouldStop: () => false,
});

/** The Hopfield rows under both corruptions and both schedules (reference §19.1 asks to fix and record them). */
async function hopfieldRows(episodes: number): Promise<void> {
  for (const corruption of ['erase', 'randomise'] as const) {
    for (const read of ['sync', 'async'] as const) {
      const entries: CapacityEntry[] = (['hebb', 'storkey', 'pinv'] as const).map((rule) => ({
        id: `hopfield-${rule}`,
        label: `Hopfield ${rule}, ${read}`,
        model: 'hopfield',
        modelConfig: { rule, read },
      }));
      const table = await capacityTable({ entries, corruption, episodes, setSizes: [8, 16, 24, 32, 40, 48, 64, 96] });
      console.log(`\n### ${corruption} 64, ${read}\n\n${table.markdown}`);
    }
  }
}

/** The default Table 1 rows (Hopfield rules, modern Hopfield, slot memory trained `steps` per set size). */
async function defaultTable(episodes: number, steps: number): Promise<void> {
  const entries = defaultCapacityEntries
    .filter((e) => !args.includes('--untrained-only') || !e.training)
    .map((e) => (e.training ? { ...e, training: { ...e.training, steps } } : e));
  const table = await capacityTable({
    entries,
    episodes,
    onProgress: (p) => p.phase === 'done' && process.stderr.write(`cell ${p.cell}/${p.cells} (${p.entry}, N = ${p.setSize}) done\n`),
  });
  console.log(table.markdown);
}

/**
 * Slot memory at a scale that trains in minutes: 32-bit patterns, 16 erased, a 512-float budget, so
 * the slot width 512/N is ≥ 32 = d up to N = 16 and shrinks below d after.
 */
async function slotScale(steps: number, episodes: number): Promise<void> {
  const table = await capacityTable({
    entries: [{ id: 'slot-memory-small', label: 'Slot memory (MemN2N)', model: 'slot-memory', training: { steps, batchSize: 16, learningRate: 3e-3 } }],
    dim: 32,
    corruptBits: 16,
    budgetFloats: 512,
    setSizes: [4, 8, 16, 32, 64],
    episodes,
    onProgress: (p) => p.phase === 'done' && process.stderr.write(`cell ${p.cell}/${p.cells} (N = ${p.setSize}) done\n`),
  });
  console.log(table.markdown);
}

/** Trains a run spec and evaluates it on held-out episodes; returns the metrics and the seconds taken. */
async function trainAndEvaluate(label: string, spec: ReturnType<typeof resolveRunSpec>, episodes: number) {
  const startedMs = Date.now();
  const instance = instantiate(spec);
  const outcome = await train(spec, instance, sink(label));
  if (outcome.status !== 'FINISHED') throw new Error(`${label}: ${outcome.status} ${outcome.status === 'FAILED' ? outcome.error : ''}`);
  const metrics = evaluate(instance, { episodes, seed: spec.seed, batchSize: 16 });
  return { instance, metrics, seconds: (Date.now() - startedMs) / 1000 };
}

/** The Kanerva Machine against the same encoder/decoder without memory, on MNIST with block occlusion. */
async function kanervaVersusAblation(steps: number, episodes: number): Promise<void> {
  const rows: string[] = [];
  const variants = args.includes('--memory-only') ? (['bayesian'] as const) : (['bayesian', 'none'] as const);
  for (const memory of variants) {
    const spec = resolveRunSpec({
      model: 'kanerva-machine',
      task: 'image-recall',
      set: { memory, budgetFloats: 4224, hidden: 256, noiseStd: option('noiseStd', 1), setSize: 16, corruption: 'block', steps, batchSize: 8, evalEvery: 0, evalEpisodes: 8 },
      seed: 1,
    });
    const { instance, metrics, seconds } = await trainAndEvaluate(`kanerva ${memory}`, spec, episodes);
    rows.push(`| ${memory} | ${instance.memoryFloats} | ${metrics.error_bits!.toFixed(1)} | ${metrics.block_error_bits!.toFixed(1)} | ${steps} | ${seconds.toFixed(0)} |`);
    instance.model.dispose();
  }
  console.log(
    [
      `Kanerva Machine on MNIST (binary, 16 images per episode, 14×14 block), ${episodes} held-out episodes:`,
      '',
      '| memory | floats | error_bits | block_error_bits | steps | seconds |',
      '|---|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
}

/** The Dynamic Kanerva Machine's denoising error after each read iteration, on MNIST. */
async function dynamicKanervaCurve(steps: number, episodes: number): Promise<void> {
  const corruption = args.includes('--block') ? 'block' : 'salt-pepper';
  const spec = resolveRunSpec({
    model: 'dynamic-kanerva',
    task: 'image-recall',
    set: { budgetFloats: 4224, hidden: 256, noiseStd: option('noiseStd', 1), setSize: 16, corruption, noise: 0.2, iterations: 8, steps, batchSize: 8, evalEvery: 0, evalEpisodes: 8 },
    seed: 1,
  });
  const { instance, seconds } = await trainAndEvaluate('dynamic kanerva', spec, 8);
  const curve = readIterationCurve(instance, { episodes, seed: spec.seed, batchSize: 16 });
  const names = Object.keys(curve[0]!.metrics);
  console.log(
    [
      `Dynamic Kanerva Machine on MNIST (binary, 16 per episode, ${corruption}), trained ${steps} steps (${seconds.toFixed(0)} s); ${episodes} held-out episodes.`,
      'Iteration 0 is the corrupted query itself.',
      '',
      `| iteration | ${names.join(' | ')} |`,
      `|---|${names.map(() => '---').join('|')}|`,
      ...curve.map((c) => `| ${c.iteration} | ${names.map((n) => c.metrics[n]!.toFixed(2)).join(' | ')} |`),
    ].join('\n'),
  );
  instance.model.dispose();
}

async function main(): Promise<void> {
  await selectBackend(backend);
  const startedMs = Date.now();
  switch (check) {
    case 'hopfield':
      await hopfieldRows(option('episodes', 48));
      break;
    case 'table':
      await defaultTable(option('episodes', 64), option('steps', 1500));
      break;
    case 'slot':
      await slotScale(option('steps', 500), option('episodes', 64));
      break;
    case 'kanerva':
      await kanervaVersusAblation(option('steps', 1000), option('episodes', 64));
      break;
    case 'dkm':
      await dynamicKanervaCurve(option('steps', 1000), option('episodes', 64));
      break;
    default:
      console.log('usage: memory-checks.ts hopfield|table|slot|kanerva|dkm [--steps N] [--episodes N] [--noiseStd σ] [--backend wasm|cpu] [--block] [--untrained-only] [--memory-only]');
      return;
  }
  console.log(`\n(${check}: ${((Date.now() - startedMs) / 1000).toFixed(0)} s on the ${backend} backend)`);
}

void main();
