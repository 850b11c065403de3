// The `engram` command: serve browser mode, train and evaluate models in-process, list and export runs.
// From a checkout: `npm run --silent engram -- <command>`. CLI process.
import { createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type { RunId, RunSpecData } from '../api/schemas';
import { backendNames } from '../backend/names';
import { ConfigError } from '../core/config';
import { chromiumFigureRenderer, chromiumSpecRenderer } from '../lab/export/chromium-figure-renderer';
import { forkLauncher } from '../lab/kernel-host';
import { labBookPath } from '../lab/paths';
import { LabService } from '../lab/service';
import { LabStore, NotFoundError } from '../lab/store/lab-store';
import { ENGRAM_VERSION } from '../lab/version';
import { serve } from '../server/server';
import { benchCommand } from './bench-command';
import { exportCommand } from './export-command';
import { startLocalRun } from './local-run';
import { registerExperimentCommand } from './experiment-command';
import { CellFailure, registerNotebookCommands } from './notebook-command';
import { openBrowser } from './open-browser';
import { stderrProgress } from './progress';
import { formatTable, runsTable } from './tables';

/**
 * The engine (tfjs, models, trainer) is loaded only by the commands that use it, so listing or
 * exporting runs starts in a fraction of the time.
 */
async function engine() {
  const [catalog, runSpec, trainer, backend] = await Promise.all([
    import('../training/catalog'),
    import('../training/run-spec'),
    import('../training/trainer'),
    import('../backend/select'),
  ]);
  return { ...catalog, ...runSpec, ...trainer, ...backend };
}

/** A usage or input error: exit code 2 and one line. */
class UsageError extends Error {}

const repoRoot = resolve(__dirname, '..', '..');
const rendererDir = join(repoRoot, 'dist', 'renderer');

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Parses repeated `--set key=value` into a settings record (values stay text; the engine types them). */
function parseSets(sets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects key=value, got "${s}"`);
    out[s.slice(0, eq).trim()] = s.slice(eq + 1).trim();
  }
  return out;
}

function parseRunId(text: string): RunId {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`run id must be a positive integer, got "${text}"`);
  return n as RunId;
}

function intOption(name: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${name} must be an integer ≥ 0, got "${text}"`);
    return n;
  };
}

const dbOption = () => new Option('--db <path>', 'lab book file (default: ENGRAM_DB, else the app-data folder)');
const jsonOption = () => new Option('--json', 'machine-readable output: one JSON value on the last line of stdout');

function openStore(db: string | undefined): LabStore {
  const store = new LabStore(labBookPath(db));
  store.sweepStaleRuns();
  return store;
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function buildProgram(): Command {
  const program = new Command('engram')
    .description('Engram: a lab notebook for neural memory models')
    .version(ENGRAM_VERSION, '-v, --version')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') });

  program
    .command('serve')
    .description('serve the app to a browser (prints its URL with an access token)')
    .addOption(dbOption())
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', intOption('--port'), 0)
    .option('--no-open', 'do not open a browser')
    .action(async (opts: { db?: string; host: string; port: number; open: boolean }) => {
      const service = new LabService({ dbPath: labBookPath(opts.db), launcher: forkLauncher(), figureRenderer: chromiumFigureRenderer({ rendererDir }), notebookFigures: () => chromiumSpecRenderer({ rendererDir }) });
      const server = await serve({ service, staticDir: rendererDir, host: opts.host, port: opts.port });
      process.stdout.write(`Engram is running at ${server.url}\n`);
      if (opts.open) openBrowser(server.url);
      void service.kernel.start();
      await new Promise<void>((done) => {
        const stop = () => done();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      await service.close();
    });

  const runs = program.command('runs').description('list, show and export runs of the lab book');
  runs
    .command('list')
    .description('list runs, newest first')
    .addOption(dbOption())
    .addOption(jsonOption())
    .option('--status <status...>', 'only these statuses (PENDING RUNNING FINISHED FAILED KILLED CRASHED)')
    .option('--model <id>', 'only this model')
    .option('--task <id>', 'only this task')
    .option('--tag <tag>', 'only runs with this tag')
    .option('--text <text>', 'only runs whose name, model, task, config, note or tags contain this text')
    .option('--limit <n>', 'at most this many runs', intOption('--limit'))
    .action((opts: { db?: string; json?: boolean; status?: string[]; model?: string; task?: string; tag?: string; text?: string; limit?: number }) => {
      const store = openStore(opts.db);
      const list = store.listRuns({
        ...(opts.status ? { status: opts.status.map((s) => s.toUpperCase()) as never } : {}),
        ...(opts.model ? { model: opts.model } : {}),
        ...(opts.task ? { task: opts.task } : {}),
        ...(opts.tag ? { tag: opts.tag } : {}),
        ...(opts.text ? { text: opts.text } : {}),
        ...(opts.limit ? { limit: opts.limit } : {}),
      });
      store.close();
      if (opts.json) printJson(list);
      else process.stdout.write(runsTable(list));
    });
  runs
    .command('show <id>')
    .description('show one run: config, provenance, metrics, snapshots')
    .addOption(dbOption())
    .addOption(jsonOption())
    .action((id: string, opts: { db?: string; json?: boolean }) => {
      const store = openStore(opts.db);
      const run = store.getRun(parseRunId(id));
      store.close();
      if (opts.json) return printJson(run);
      const lines = [
        `run ${run.id} ${run.name}: ${run.model} on ${run.task}, ${run.status}${run.error ? ` (${run.error})` : ''}`,
        `backend ${run.backend ?? '-'}, memory ${run.memoryFloats ?? '-'} floats, step ${run.step}/${run.totalSteps}, seed ${run.seed}`,
        ...Object.entries(flattenForShow(run.spec)).map(([k, v]) => `  ${k} = ${JSON.stringify(v)}`),
        'metrics:',
        formatTable(
          ['key', 'points', 'last step', 'last', 'min', 'max'],
          run.metrics.map((m) => [m.key, String(m.count), String(m.lastStep), fmt(m.lastValue), fmt(m.min), fmt(m.max)]),
        ),
        `snapshots: ${run.snapshots.map((s) => `${s.kind}@${s.step}`).join(', ') || 'none'}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  runs
    .command('export <id>')
    .description("write a run's metric series as CSV (key,step,value,wall_time_ms)")
    .addOption(dbOption())
    .option('--keys <keys>', 'comma-separated metric keys (default: all)')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (id: string, opts: { db?: string; keys?: string; out?: string }) => {
      const store = openStore(opts.db);
      const runId = parseRunId(id);
      const run = store.getRun(runId);
      const keys = opts.keys ? opts.keys.split(',').map((k) => k.trim()) : run.metrics.map((m) => m.key);
      const out = opts.out ? createWriteStream(opts.out) : process.stdout;
      out.write('key,step,value,wall_time_ms\n');
      for (const key of keys) {
        const series = store.readMetrics(runId, key, { maxPoints: Number.MAX_SAFE_INTEGER });
        if (!series) throw new UsageError(`run ${runId} has no metric "${key}"; it has ${run.metrics.map((m) => m.key).join(', ')}`);
        const csvKey = /[",\n]/.test(key) ? `"${key.replace(/"/g, '""')}"` : key;
        for (let i = 0; i < series.steps.length; i++) {
          out.write(`${csvKey},${series.steps[i]},${series.values[i]},${series.wallTimesMs[i]}\n`);
        }
      }
      store.close();
      if (out !== process.stdout) await new Promise<void>((done) => (out as NodeJS.WritableStream).end(done));
    });

  program
    .command('models')
    .description('list the memory models with their papers and config fields')
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const { models } = (await engine()).describeCatalog();
      if (opts.json) return printJson(models);
      process.stdout.write(formatTable(['id', 'model', 'paper'], models.map((m) => [m.id, m.summary, `${m.paper.authors} ${m.paper.year}`])));
    });
  program
    .command('tasks')
    .description('list the tasks with their config fields')
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const { tasks } = (await engine()).describeCatalog();
      if (opts.json) return printJson(tasks);
      process.stdout.write(formatTable(['id', 'task'], tasks.map((t) => [t.id, t.summary])));
    });

  program
    .command('train')
    .description('meta-train a model on a task in this process, recorded as a run (no --model/--task: the demo run)')
    .option('--model <id>', 'model id (engram models)')
    .option('--task <id>', 'task id (engram tasks)')
    .option('--set <key=value>', 'a model, task or training field; repeatable (model.x / task.x / training.x when ambiguous)', collect, [])
    .option('--steps <n>', 'training steps', intOption('--steps'))
    .option('--seed <n>', 'random seed', intOption('--seed'))
    .option('--name <name>', 'run name')
    .addOption(new Option('--backend <name>', 'tfjs backend (default: ENGRAM_BACKEND, else the fastest that loads)').choices(backendNames))
    .addOption(dbOption())
    .addOption(jsonOption())
    .action(async (opts: { model?: string; task?: string; set: string[]; steps?: number; seed?: number; name?: string; backend?: string; db?: string; json?: boolean }) => {
      const { DEMO_RUN, resolveRunSpec, selectBackend, instantiate, train } = await engine();
      const demo = !opts.model && !opts.task;
      if (!demo && (!opts.model || !opts.task)) throw new UsageError('train needs both --model and --task (or neither, for the demo run)');
      const set: Record<string, unknown> = { ...(demo ? DEMO_RUN.set : {}), ...parseSets(opts.set) };
      if (opts.steps !== undefined) set.steps = opts.steps;
      const spec = resolveRunSpec({
        model: opts.model ?? DEMO_RUN.model,
        task: opts.task ?? DEMO_RUN.task,
        set,
        seed: opts.seed ?? (demo ? DEMO_RUN.seed : 0),
      });
      const backend = await selectBackend(opts.backend ?? (process.env.ENGRAM_BACKEND || undefined));
      const instance = instantiate(spec);
      const store = openStore(opts.db);
      const local = startLocalRun({
        store,
        kind: 'train',
        spec,
        instance,
        backend,
        command: commandLine(),
        ...(opts.name || demo ? { name: opts.name ?? DEMO_RUN.name } : {}),
        progress: stderrProgress(`training ${spec.model} on ${spec.task}`),
      });
      const outcome = await train(spec, instance, local.sink);
      local.end(outcome.status, outcome.status === 'FAILED' ? outcome.error : null);
      store.close();
      instance.model.dispose();
      const result = { runId: local.runId, model: spec.model, task: spec.task, config: spec, memoryFloats: instance.memoryFloats, backend: backend.name, status: outcome.status, metrics: outcome.metrics };
      if (opts.json) printJson(result);
      else process.stdout.write(`run ${local.runId} ${outcome.status}${outcome.status === 'FAILED' ? `: ${outcome.error}` : ''} after ${outcome.step} steps; ${formatMetrics(outcome.metrics)}\n`);
      process.exitCode = outcome.status === 'FINISHED' ? 0 : outcome.status === 'KILLED' ? 130 : 1;
    });

  program
    .command('eval')
    .description("evaluate a model on held-out episodes, recorded as a run (an untrained model, or a trained run's checkpoint)")
    .option('--model <id>', 'model id (default: the model of --from-run)')
    .option('--task <id>', 'task id (default: the task of --from-run)')
    .option('--set <key=value>', 'a model or task field; repeatable', collect, [])
    .option('--episodes <n>', 'held-out episodes', intOption('--episodes'), 64)
    .option('--seed <n>', 'random seed of the evaluation episodes', intOption('--seed'))
    .option('--from-run <id>', "load this run's trained variables (its latest checkpoint) and config")
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(backendNames))
    .addOption(dbOption())
    .addOption(jsonOption())
    .action(async (opts: { model?: string; task?: string; set: string[]; episodes: number; seed?: number; fromRun?: string; backend?: string; db?: string; json?: boolean }) => {
      const { resolveRunSpec, selectBackend, instantiate, loadCheckpoint, evaluate, memorySnapshot } = await engine();
      const store = openStore(opts.db);
      const source = opts.fromRun ? store.getRun(parseRunId(opts.fromRun)) : null;
      const model = opts.model ?? source?.model;
      const task = opts.task ?? source?.task;
      if (!model || !task) throw new UsageError('eval needs --model and --task, or --from-run');
      if (source && model !== source.model) throw new UsageError(`--model ${model} differs from the model of run ${source.id} (${source.model})`);
      const inherited = source ? scopedSettings(source.spec, task === source.task) : {};
      const set = { ...inherited, ...parseSets(opts.set), evalEpisodes: opts.episodes, steps: 0 };
      const spec = resolveRunSpec({ model, task, set, seed: opts.seed ?? source?.seed ?? 0 });
      const backend = await selectBackend(opts.backend ?? (process.env.ENGRAM_BACKEND || undefined));
      const instance = instantiate(spec);
      let step = 0;
      if (source) {
        const checkpoint = [...source.snapshots].reverse().find((s) => s.kind === 'checkpoint');
        if (!checkpoint) throw new UsageError(`run ${source.id} has no checkpoint to evaluate`);
        loadCheckpoint(instance.model, store.snapshotTensors(checkpoint.id));
        step = checkpoint.step;
      }
      const progress = stderrProgress(`evaluating ${spec.model} on ${spec.task}`);
      const local = startLocalRun({ store, kind: 'eval', spec, instance, backend, command: commandLine(), progress });
      const metrics = evaluate(instance, { episodes: opts.episodes, seed: spec.seed, batchSize: Math.min(spec.training.batchSize, 32) }, (done) => progress.update(done, opts.episodes));
      const now = Date.now();
      local.sink.metrics(Object.entries(metrics).map(([key, value]) => ({ key, step, value, wallTimeMs: now })));
      local.sink.snapshot({ step, kind: 'memory', tensors: memorySnapshot(instance, spec.seed) });
      local.end('FINISHED', null);
      store.close();
      instance.model.dispose();
      const result = { runId: local.runId, model: spec.model, task: spec.task, config: spec, memoryFloats: instance.memoryFloats, backend: backend.name, status: 'FINISHED', metrics };
      if (opts.json) printJson(result);
      else process.stdout.write(`run ${local.runId} evaluated ${opts.episodes} episodes; ${formatMetrics(metrics)}\n`);
    });

  registerExperimentCommand(program, {
    openStore,
    commandLine,
    fail: (message) => {
      throw new UsageError(message);
    },
  });
  registerNotebookCommands(program, {
    notebookFigures: () =>
      chromiumSpecRenderer({ rendererDir, onUnavailable: (why) => process.stderr.write(`engram: figures are exported without PNG images: ${why}\n`) }),
  });

  program.addCommand(exportCommand(rendererDir));
  program.addCommand(benchCommand());

  return program;
}

/** A run's model and task settings as `--set` input (task settings only when the task is the same). */
function scopedSettings(spec: { modelConfig: Record<string, unknown>; taskConfig: Record<string, unknown> }, sameTask: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec.modelConfig)) out[`model.${k}`] = v;
  if (sameTask) for (const [k, v] of Object.entries(spec.taskConfig)) out[`task.${k}`] = v;
  return out;
}

function flattenForShow(spec: RunSpecData): Record<string, unknown> {
  const out: Record<string, unknown> = { seed: spec.seed };
  for (const [scope, values] of [['model', spec.modelConfig], ['task', spec.taskConfig], ['training', spec.training]] as const) {
    for (const [k, v] of Object.entries(values)) out[`${scope}.${k}`] = v;
  }
  return out;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

function formatMetrics(metrics: Record<string, number>): string {
  return Object.entries(metrics).map(([k, v]) => `${k} ${fmt(v)}`).join(', ') || 'no metrics';
}

function commandLine(): string {
  return ['engram', ...process.argv.slice(2)].join(' ');
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, successfully; usage errors were already printed.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`engram: ${err.message}\n`);
      return 2;
    }
    if (err instanceof CellFailure) {
      process.stderr.write(`engram: ${err.message}\n`);
      return 1;
    }
    if (err instanceof NotFoundError) {
      process.stderr.write(`engram: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`engram: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/**
 * Runs the command and exits with its code once stdout and stderr have handed everything to the
 * system. The exit is explicit because loaded backends can keep the process alive; but writes to a
 * pipe are asynchronous, and process.exit at once would cut off what a slow reader had not yet taken.
 */
export async function runAndExit(argv: readonly string[]): Promise<void> {
  const code = await main(argv);
  const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

if (require.main === module) void runAndExit(process.argv.slice(2));
