// The model and task catalog as plain data: ids, summaries, papers and config fields with defaults
// and ranges. Served to the UI (through the kernel) and printed by `engram models|tasks --json`.
import type { Catalog, RunRequest } from '../api/schemas';
import { describeFields } from '../core/config';
import { models } from '../models/registry';
import { tasks } from '../tasks/registry';
import { describeTrainingFields } from './run-spec';

/** The run the UI's "Start demo run" button and a bare `engram train` start: small and quick on a CPU. */
export const DEMO_RUN = {
  model: 'slot-memory',
  task: 'binary-recall',
  set: { setSize: 16, steps: 150, evalEvery: 50 },
  seed: 0,
  name: 'demo',
} as const satisfies RunRequest;

export function describeCatalog(): Catalog {
  return {
    models: models.map((m) => ({
      id: m.id,
      title: m.title,
      summary: m.summary,
      paper: m.paper,
      learned: m.learned,
      fields: describeFields(m.fields),
    })),
    tasks: tasks.map((t) => ({ id: t.id, title: t.title, summary: t.summary, fields: describeFields(t.fields) })),
    training: describeTrainingFields(),
    demo: DEMO_RUN,
  };
}
