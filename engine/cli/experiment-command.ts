// `engram experiment NAME`: reruns one of the papers' reference measurements, prints its table, and
// keeps every run it trains in the lab book (tagged `experiment:NAME`). CLI process.
import type { Command } from 'commander';
import { backendNames } from '../backend/names';
import type { LabStore } from '../lab/store/lab-store';
import { startLocalRun, type LocalRun } from './local-run';
import { stderrProgress } from './progress';

/** Parses `--option key=value`: numbers, true/false, comma lists (of those), or text. */
export function parseOptions(pairs: readonly string[], fail: (message: string) => never): Record<string, unknown> {
  const scalar = (text: string): unknown => {
    if (text === 'true' || text === 'false') return text === 'true';
    const n = Number(text);
    return text.trim() !== '' && Number.isFinite(n) ? n : text;
  };
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) fail(`--option expects key=value, got "${pair}"`);
    const value = pair.slice(eq + 1);
    out[pair.slice(0, eq)] = value.includes(',') ? value.split(',').map(scalar) : scalar(value);
  }
  return out;
}

export function registerExperimentCommand(
  program: Command,
  deps: { openStore: (db?: string) => LabStore; commandLine: () => string; fail: (message: string) => never },
): void {
  program
    .command('experiment <name>')
    .description('rerun a reference experiment (capacity, bloom-formula, bloom-space, fast-weights, plasticity, kanerva, dynamic-kanerva, ebmm-binary, ebmm-images); its runs are kept in the lab book')
    .option('--option <key=value>', "an option of the experiment's function (e.g. steps=500, setSizes=16,32); repeatable", (v: string, prev: string[]) => [...prev, v], [])
    .option('--backend <name>', `tfjs backend: ${backendNames.join(', ')} (default: ENGRAM_BACKEND, else the fastest that loads)`)
    .option('--db <path>', 'lab book file (default: ENGRAM_DB, else the app-data folder)')
    .option('--no-record', 'measure only: keep no runs in the lab book')
    .option('--json', 'machine-readable output: one JSON object on the last line of stdout')
    .action(async (name: string, opts: { option: string[]; backend?: string; db?: string; record: boolean; json?: boolean }) => {
      const [{ experiments }, { selectBackend }] = await Promise.all([import('../training/experiments'), import('../backend/select')]);
      const experiment = experiments[name];
      if (!experiment) deps.fail(`field "experiment" got "${name}"; allowed: ${Object.keys(experiments).join(' | ')}`);
      const options = parseOptions(opts.option, deps.fail);
      for (const key of Object.keys(options)) {
        if (!experiment.options.includes(key)) deps.fail(`experiment ${name}: field "${key}" got ${JSON.stringify(options[key])}; allowed: ${experiment.options.join(', ')}`);
        if (experiment.lists?.includes(key) && !Array.isArray(options[key])) options[key] = [options[key]];
      }
      const backend = await selectBackend(opts.backend ?? (process.env.ENGRAM_BACKEND || undefined));
      const store = opts.record ? deps.openStore(opts.db) : null;
      const open = new Set<LocalRun>();
      const runIds: number[] = [];
      let stopRequested = false;
      const onSigint = () => {
        if (stopRequested) process.exit(130);
        stopRequested = true;
        process.stderr.write('\nstopping the experiment at the next step (Ctrl-C again to quit at once)\n');
      };
      process.on('SIGINT', onSigint);
      const progress = stderrProgress(`experiment ${name}`);
      try {
        const result = await experiment.run(options, {
          shouldStop: () => stopRequested,
          onProgress: ({ done, total, label }) => progress.update(done, total, label),
          ...(store
            ? {
                record: ({ spec, instance }) => {
                  const local = startLocalRun({
                    store,
                    kind: spec.training.steps > 0 ? 'train' : 'eval',
                    spec,
                    instance,
                    backend,
                    command: deps.commandLine(),
                    name: `${name}: ${spec.model}`,
                    tags: [`experiment:${name}`],
                    progress: { update() {}, done() {} },
                    shouldStop: () => stopRequested,
                  });
                  open.add(local);
                  runIds.push(local.runId);
                  return {
                    sink: local.sink,
                    end: (outcome, metrics) => {
                      const now = Date.now();
                      if (metrics) local.sink.metrics(Object.entries(metrics).map(([key, value]) => ({ key, step: outcome.step, value, wallTimeMs: now })));
                      local.end(outcome.status, outcome.status === 'FAILED' ? outcome.error : null);
                      open.delete(local);
                    },
                  };
                },
              }
            : {}),
        });
        progress.done();
        if (opts.json) process.stdout.write(`${JSON.stringify({ experiment: name, backend: backend.name, complete: result.complete, runIds, rows: result.rows, markdown: result.markdown })}\n`);
        else process.stdout.write(`${result.markdown}\n\n(${backend.name} backend${runIds.length ? `; runs ${runIds[0]}–${runIds[runIds.length - 1]} tagged experiment:${name}` : ''}${result.complete ? '' : '; stopped early'})\n`);
        process.exitCode = result.complete ? 0 : 130;
      } finally {
        // A run the experiment trained but never reported on still ended well: close it as FINISHED.
        for (const local of open) local.end('FINISHED', null);
        process.off('SIGINT', onSigint);
        store?.close();
      }
    });
}
