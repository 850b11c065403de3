// Runs the EBMM experiments of engine/training/ebmm-experiments.ts and prints their Markdown (rows
// as JSON with --out). Developer script (Node); run it with `nice`, the experiments take a while.
//   node --import tsx scripts/ebmm-experiments.ts binary [--backend wasm] [--steps 1000] [--set-sizes 16,32,48,64,96] [--train-at each|96] [--episodes 256]
//   node --import tsx scripts/ebmm-experiments.ts image [--backend wasm] [--steps 300] [--budgets 2048,4096] [--side 14] [--episodes 64]
//   node --import tsx scripts/ebmm-experiments.ts throughput [--backends wasm,cpu]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { selectBackend } from '../engine/backend/select';
import {
  cpuBinaryEbmm,
  cpuImageEntries,
  ebmmBinaryTable,
  ebmmImageTable,
  ebmmThroughput,
  throughputColumns,
  type ThroughputRow,
} from '../engine/training/ebmm-experiments';
import { markdownTable } from '../engine/training/experiment-table';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    backend: { type: 'string', default: 'wasm' },
    backends: { type: 'string', default: 'wasm,cpu' },
    steps: { type: 'string' },
    'set-sizes': { type: 'string' },
    'train-at': { type: 'string', default: 'each' },
    budgets: { type: 'string' },
    side: { type: 'string' },
    'set-size': { type: 'string' },
    episodes: { type: 'string' },
    seed: { type: 'string', default: '0' },
    out: { type: 'string' },
  },
});

const numbers = (text: string | undefined) => (text ? text.split(',').map(Number) : undefined);
let lastReport = 0;
const onProgress = ({ done, total, label }: { done: number; total: number; label: string }) => {
  const now = Date.now();
  if (now - lastReport < 10_000 && done < total) return;
  lastReport = now;
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${done}/${total} ${label}\n`);
};

async function main(): Promise<void> {
  const seed = Number(values.seed);
  const episodes = values.episodes ? Number(values.episodes) : undefined;
  const steps = values.steps ? Number(values.steps) : undefined;
  const experiment = positionals[0];
  let markdown: string;
  let rows: unknown;
  if (experiment === 'binary' || experiment === 'image') {
    const backend = await selectBackend(values.backend);
    process.stderr.write(`backend: ${backend.detail}\n`);
    if (experiment === 'binary') {
      const ebmm = steps === undefined ? cpuBinaryEbmm : { ...cpuBinaryEbmm, training: { ...cpuBinaryEbmm.training, steps } };
      const trainAt = values['train-at'] === 'each' ? 'each' : Number(values['train-at']);
      const result = await ebmmBinaryTable({ ebmm, trainAt, setSizes: numbers(values['set-sizes']), episodes, seed, onProgress });
      ({ markdown, rows } = result);
    } else {
      const entries = cpuImageEntries.map((e) => (steps !== undefined && e.model.startsWith('ebmm') ? { ...e, training: { ...e.training, steps } } : e));
      const task = {
        ...(values.side ? { side: Number(values.side) } : {}),
        ...(values['set-size'] ? { setSize: Number(values['set-size']) } : {}),
      };
      const result = await ebmmImageTable({ entries, budgets: numbers(values.budgets), task, episodes, seed, onProgress });
      ({ markdown, rows } = result);
    }
  } else if (experiment === 'throughput') {
    const measured: ThroughputRow[] = [];
    for (const backend of (values.backends ?? '').split(',')) {
      await selectBackend(backend);
      for (const metaGradient of ['exact', 'first-order']) {
        const entry = { ...cpuBinaryEbmm, modelConfig: { ...cpuBinaryEbmm.modelConfig, metaGradient } };
        measured.push(await ebmmThroughput({ entry, task: 'binary-recall', taskConfig: { setSize: 96 }, seed }));
        process.stderr.write(`${JSON.stringify(measured[measured.length - 1])}\n`);
      }
    }
    rows = measured;
    markdown = markdownTable<ThroughputRow>(throughputColumns, measured);
  } else {
    throw new Error(`experiment must be binary, image or throughput, got ${experiment}`);
  }
  process.stdout.write(`${markdown}\n`);
  if (values.out) writeFileSync(values.out, JSON.stringify(rows, null, 2));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
