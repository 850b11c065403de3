// The demo notebook opened on first start ("Capacity of memories"), also written by
// `engram notebook new --demo FILE`. Small enough to run on a laptop CPU in under two minutes.
// Runs in the lab service process and the CLI.
import type { CellId, NotebookDoc } from '../../api/notebook';

const code = (id: string, source: string) => ({ id: id as CellId, kind: 'code' as const, source: source.trim() });
const markdown = (id: string, source: string) => ({ id: id as CellId, kind: 'markdown' as const, source: source.trim() });

export function demoNotebook(): NotebookDoc {
  return {
    title: 'Capacity of memories',
    cells: [
      markdown(
        'intro',
        `
# Capacity of memories

Random ±1 patterns of 128 bits are written into memories of one float budget (8,256 floats: the
size of a 128-unit Hopfield network), then read back from copies with 64 bits erased. The error is
the number of wrong bits per retrieved pattern (EBMM Table 1 protocol). Hopfield networks need no
training; slot memory is meta-trained briefly for each set size.`,
      ),
      code(
        'hopfield',
        `
// Classical Hopfield networks: evaluated, not trained.
const setSizes = [8, 16, 32, 48];
const hopfieldRuns: RunResult[] = [];
for (const rule of ['hebb', 'storkey', 'pinv']) {
  for (const setSize of setSizes) {
    hopfieldRuns.push(await lab.eval({ model: 'hopfield', task: 'binary-recall', set: { rule, setSize }, episodes: 16 }));
  }
}
lab.table(hopfieldRuns.map((r) => ({ rule: r.settings['model.rule'], setSize: r.settings['task.setSize'], error_bits: r.metrics.error_bits })));`,
      ),
      code(
        'slots',
        `
// Slot memory (End-to-End Memory Networks) at the same budget, meta-trained for a few hundred steps.
const slotRuns = await lab.sweep({
  model: 'slot-memory',
  task: 'binary-recall',
  set: { setSize: setSizes, evalEpisodes: 16, evalEvery: 0, learningRate: 0.003 },
  steps: 120,
});`,
      ),
      code(
        'capacity',
        `
// error_bits against set size, one line per memory.
await lab.plot({
  results: [...hopfieldRuns, ...slotRuns.runs],
  x: 'task.setSize',
  metric: 'error_bits',
  groupBy: (r) => (r.model === 'hopfield' ? \`Hopfield, \${r.settings['model.rule']} rule\` : 'slot memory'),
  title: 'Wrong bits per pattern vs patterns stored (8,256 floats)',
});`,
      ),
      markdown(
        'images-intro',
        `
## Recalling digits

A modern Hopfield network (Ramsauer et al. 2021) stores 16 MNIST digits and retrieves each from a
copy with a 14×14 block blanked out. Top: the occluded queries; bottom: what the memory returned.`,
      ),
      code(
        'images',
        `
const digits = await lab.eval({ model: 'modern-hopfield', task: 'image-recall', set: { beta: 8, setSize: 16 }, episodes: 8 });
const snap = await lab.snapshot(digits.runId);
const queries = snap.tensors['episode/queries']!;
const retrieved = snap.tensors['read/retrieved']!;
lab.images(Array.from({ length: 8 }, (_, i) => queries.values.slice(i * 784, (i + 1) * 784)), { title: 'queries' });
lab.images(Array.from({ length: 8 }, (_, i) => retrieved.values.slice(i * 784, (i + 1) * 784)), { title: 'retrieved' });
digits.metrics`,
      ),
    ],
  };
}
