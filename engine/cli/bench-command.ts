// `engram bench`: every talk model's reference config timed on every tfjs backend here and in
// PyTorch, the machine's matrix-product GFLOP/s, the lab book's ingest and read speed, the app's
// render times in Chromium and the parallel sweep's wall time; a Markdown report, and with --json one
// JSON object on the last line of stdout. CLI process (each timing runs in a child process).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { BackendName } from '../backend/names';
import type { ChildJob, ChildResult } from './bench-child';
import { resolvedReference, selectReferences, type BenchReference } from './bench-references';
import { storeFigures, type StoreFigures } from './bench-store';
import { sweepFigures, type SweepFigures } from './bench-sweep';
import { startTorch, type TorchRunner } from './bench-torch';

const repoRoot = resolve(__dirname, '..', '..');
const benchScripts = join(repoRoot, 'test', 'bench');
const childEntry = join(__dirname, 'bench-child.ts');

export interface BenchOptions {
  readonly models: readonly string[];
  readonly backends: readonly string[];
  readonly quick: boolean;
  readonly torch: boolean;
  readonly torchThreads: number;
  readonly ops: boolean;
  readonly store: boolean;
  readonly ui: boolean;
  readonly sweep: boolean;
  readonly json: boolean;
}

export interface ModelRow {
  /** The reference config's name (bench-references.ts). */
  readonly reference: string;
  readonly model: string;
  readonly task: string;
  readonly backend: string;
  readonly stepsPerSec: number | null;
  readonly pytorchStepsPerSec: number | null;
  /** Engram / PyTorch training steps per second; null where either side is missing. */
  readonly ratio: number | null;
  /** tfjs kernels one training step dispatches. */
  readonly kernelsPerStep: number | null;
  /**
   * The share of a training step's time that dispatching its kernels costs at the fixed per-op cost
   * (kernels × the time of a tiny add × steps/s): near 1, the step is bound by op count, not arithmetic.
   */
  readonly dispatchShare: number | null;
  /** The share of a training step's time spent inside kernels (their time per step, profiled after warm-up, × steps/s); the rest is outside them. */
  readonly kernelShare: number | null;
  /** The share of a training step's time spent drawing its episode (the task's sampler, outside any kernel). */
  readonly sampleShare: number | null;
  /** The kernels that take most of a step: name, count per step, share of the step's time. */
  readonly topKernels: readonly { readonly name: string; readonly count: number; readonly share: number }[];
  readonly evalEpisodesPerSec: number | null;
  readonly pytorchEvalEpisodesPerSec: number | null;
  readonly evalRatio: number | null;
  /** Why a figure is missing (a crash, a timeout, no PyTorch reference). */
  readonly notes: readonly string[];
}

export interface BenchReport {
  readonly machine: Record<string, unknown>;
  readonly matmulGflops: Record<string, Record<string, number> | string>;
  readonly models: readonly ModelRow[];
  readonly store: StoreFigures | { skipped: string };
  readonly ui: Record<string, unknown>;
  readonly sweep: SweepFigures | { skipped: string };
  readonly ops?: Record<string, unknown>;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Kernels named per model in the report's time breakdown. */
const TOP_KERNELS = 3;

/** Runs one child job in a fresh Node process; a crash or overrun becomes an error result. */
function runChild(job: ChildJob, timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<ChildResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childEntry, JSON.stringify(job)], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        if (last.startsWith('{')) return done(JSON.parse(last) as ChildResult);
      } catch {
        // Not a result line: reported below.
      }
      const why = signal === 'SIGKILL' ? `took longer than ${Math.round(timeoutMs / 1000)} s` : crashLine(stderr, code);
      done({ kind: 'error', backend: job.backend, error: why });
    });
  });
}

/** The telling line of a dead child's stderr (the wasm runtime prints its whole source before an abort). */
function crashLine(stderr: string, code: number | null): string {
  const lines = stderr.split('\n').filter((l) => l.trim() && l.length < 400);
  const telling = lines.find((l) => /Aborted|out of memory|Error|XNN status/.test(l)) ?? lines.pop();
  return `crashed (exit ${code}): ${telling?.trim() ?? 'no message'}`;
}

/** Seconds of timed windows per model and side (the cpu backend gets half), which keep the bench within 15 minutes. */
const BUDGET_SECONDS = { full: 8, quick: 3 };

/**
 * Why the cpu backend is not timed for a model, or null: it is 10–30× slower than wasm (measured),
 * so a model whose wasm step takes more than a quarter second would take minutes of warm-up alone.
 */
function tooSlowForCpu(wasm: ChildResult | undefined): string | null {
  if (!wasm) return null;
  if (wasm.kind === 'error') return 'not timed: it failed on wasm, and the cpu backend is 10–30× slower';
  if (wasm.kind !== 'model') return null;
  const slow = (wasm.stepsPerSec !== undefined && wasm.stepsPerSec < 4) || wasm.evalEpisodesPerSec < 20;
  return slow ? 'not timed: on wasm it takes over 0.25 s a step (or 50 ms an episode), and the cpu backend is 10–30× slower' : null;
}

function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  return a && b ? a / b : null;
}

/** A Markdown (GitHub) table; cells must not hold `|`. */
function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}

const fmt = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined ? '–' : Number(v.toPrecision(digits)).toString());

async function modelRows(
  references: readonly BenchReference[],
  backends: readonly BackendName[],
  options: BenchOptions,
  torch: () => Promise<TorchRunner | { reason: string }>,
): Promise<ModelRow[]> {
  const rows: ModelRow[] = [];
  const digitsDir = dirname(createRequire(__filename).resolve('mnist/src/digits/0.json'));
  for (const reference of references) {
    const engram = new Map<string, ChildResult>();
    for (const backend of backends) {
      const budgetSeconds = (options.quick ? BUDGET_SECONDS.quick : BUDGET_SECONDS.full) * (backend === 'cpu' ? 0.5 : 1);
      const why = backend === 'cpu' ? tooSlowForCpu(engram.get('wasm')) : null;
      if (why) {
        engram.set(backend, { kind: 'error', backend, error: why });
        continue;
      }
      log(`bench: ${reference.id} on ${backend}`);
      engram.set(backend, await runChild({ kind: 'model', backend, reference, budgetSeconds }, (budgetSeconds * 5 + 60) * 1000));
    }
    let pytorch: { stepsPerSec?: number; evalEpisodesPerSec?: number } = {};
    const torchNotes: string[] = [];
    if (!options.torch) torchNotes.push('PyTorch: --no-torch');
    else if (reference.noTorch) torchNotes.push(`PyTorch: ${reference.noTorch}`);
    else {
      const runner = await torch();
      if ('reason' in runner) torchNotes.push(`PyTorch skipped: ${runner.reason}`);
      else {
        log(`bench: ${reference.id} in PyTorch`);
        const { spec, memoryFloats } = await resolvedReference(reference);
        const budgetSeconds = options.quick ? BUDGET_SECONDS.quick : BUDGET_SECONDS.full;
        const result = await runner.run(
          {
            kind: 'model',
            model: spec.model,
            task: spec.task,
            modelConfig: spec.modelConfig,
            taskConfig: spec.taskConfig,
            training: spec.training,
            memoryFloats,
            train: reference.train,
            warmupSteps: 2,
            budgetSeconds,
            maxWindows: 7,
            evalBatch: Math.min(spec.training.batchSize, 32),
            digitsDir,
          },
          (budgetSeconds * 5 + 90) * 1000,
        );
        if (result.error) torchNotes.push(`PyTorch: ${result.error}`);
        else pytorch = result;
      }
    }
    for (const backend of backends) {
      const r = engram.get(backend)!;
      const ok = r.kind === 'model' ? r : null;
      const stepsPerSec = ok?.stepsPerSec ?? null;
      const evalEpisodesPerSec = ok?.evalEpisodesPerSec ?? null;
      rows.push({
        reference: reference.id,
        model: reference.model,
        task: reference.task,
        backend,
        stepsPerSec,
        pytorchStepsPerSec: pytorch.stepsPerSec ?? null,
        ratio: ratio(stepsPerSec, pytorch.stepsPerSec),
        kernelsPerStep: ok?.profile?.kernels ?? null,
        dispatchShare: ok?.profile && ok.dispatchMs !== undefined && stepsPerSec !== null ? (ok.profile.kernels * ok.dispatchMs * stepsPerSec) / 1000 : null,
        kernelShare: ok?.profile && stepsPerSec !== null ? (ok.profile.kernelMs * stepsPerSec) / 1000 : null,
        sampleShare: ok?.profile && stepsPerSec !== null ? (ok.profile.sampleMs * stepsPerSec) / 1000 : null,
        topKernels:
          ok?.profile && stepsPerSec !== null
            ? ok.profile.byKernel.slice(0, TOP_KERNELS).map((k) => ({ name: k.name, count: k.count, share: (k.ms * stepsPerSec) / 1000 }))
            : [],
        evalEpisodesPerSec,
        pytorchEvalEpisodesPerSec: pytorch.evalEpisodesPerSec ?? null,
        evalRatio: ratio(evalEpisodesPerSec, pytorch.evalEpisodesPerSec),
        notes: [...(r.kind === 'error' ? [`${backend}: ${r.error}`] : []), ...torchNotes],
      });
    }
  }
  return rows;
}

async function matmulFigures(backends: readonly BackendName[], torch: () => Promise<TorchRunner | { reason: string }>, options: BenchOptions) {
  const out: Record<string, Record<string, number> | string> = {};
  const details: Record<string, string> = {};
  const rows: [string, BackendName, NodeJS.ProcessEnv][] = backends.map((b) => [b, b, process.env]);
  // The same wasm backend with its products left on XNNPACK, the WebAssembly the native BLAS replaces.
  if (backends.includes('wasm')) rows.splice(1, 0, ['wasm, XNNPACK products (ENGRAM_NATIVE_BLAS=0)', 'wasm', { ...process.env, ENGRAM_NATIVE_BLAS: '0' }]);
  for (const [label, backend, env] of rows) {
    // The cpu backend without the native BLAS runs a 1024² product in seconds; 256 and 512 tell its rate as well.
    const sizes = backend === 'cpu' ? [256, 512] : [512, 1024];
    log(`bench: matMul GFLOP/s on ${label}`);
    const r = await runChild({ kind: 'matmul', backend, sizes, repeats: options.quick ? 3 : 7 }, 300_000, env);
    out[label] = r.kind === 'matmul' ? { ...r.gflops } : r.kind === 'error' ? r.error : 'no result';
    if (r.kind === 'matmul') details[label] = r.backendDetail;
  }
  if (options.torch) {
    const runner = await torch();
    if ('reason' in runner) out['pytorch'] = `skipped: ${runner.reason}`;
    else {
      const figures: Record<string, number> = {};
      for (const size of [512, 1024]) {
        const r = await runner.run({ kind: 'matmul', size, repeats: options.quick ? 5 : 15 }, 120_000);
        if (r.gflops) figures[String(size)] = r.gflops;
      }
      out['pytorch'] = figures;
    }
  }
  return { gflops: out, details };
}

/** The app's render times in Chromium, from test/bench/ui-timing.ts in a process of its own. */
function uiFigures(): Promise<Record<string, unknown>> {
  return new Promise((done) => {
    const script = join(benchScripts, 'ui-timing.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        return done(JSON.parse(last) as Record<string, unknown>);
      } catch {
        done({ skipped: `the UI timing failed (exit ${code}): ${stderr.trim().split('\n').pop() ?? 'no message'}` });
      }
    });
  });
}

function machine(load: readonly number[], torchInfo: string): Record<string, unknown> {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    pytorch: torchInfo,
    loadAverageBefore: load.map((l) => Math.round(l * 100) / 100),
    loadAverageAfter: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** The report as Markdown: machine, matrix products, the model table with its notes, lab book, UI, sweep. */
export function reportMarkdown(report: BenchReport, references: readonly BenchReference[]): string {
  const m = report.machine;
  const out: string[] = [];
  out.push('## engram bench', '');
  out.push(`Machine: ${m['cpu']}, ${m['cores']} cores, ${m['memoryGiB']} GiB, Node ${m['node']} (${m['platform']}); PyTorch ${m['pytorch']}.`);
  out.push(`Load average (1, 5, 15 min) before: ${(m['loadAverageBefore'] as number[]).join(', ')}; after: ${(m['loadAverageAfter'] as number[]).join(', ')}; the bench took ${m['benchSeconds']} s.`, '');
  for (const [label, detail] of Object.entries((m['backends'] ?? {}) as Record<string, string>)) out.push(`- ${label}: ${detail}`);
  out.push('');
  out.push('Matrix product n×n·n×n, GFLOP/s:', '');
  out.push(
    markdownTable(
      ['backend', 'GFLOP/s'],
      Object.entries(report.matmulGflops).map(([b, v]) => [b, typeof v === 'string' ? v : Object.entries(v).map(([n, g]) => `${fmt(g)} (n = ${n})`).join(', ')]),
    ),
  );
  out.push(
    `Training steps/s and evaluation episodes/s (median of timed windows after warm-up); ratio = Engram / PyTorch; kernels/step = the tfjs kernels one training step dispatches; in kernels = the share of a step spent inside them (each kernel timed by the backend); dispatch share = kernels/step × the time of one tiny op × steps/s, the share of a step that the fixed per-op cost alone accounts for. PyTorch runs as many threads as --torch-threads (default 1: one core, as one Engram run; a sweep runs one per core):`,
    '',
  );
  out.push(
    markdownTable(
      ['model', 'task', 'backend', 'steps/s', 'PyTorch', 'ratio', 'kernels/step', 'in kernels', 'dispatch share', 'eval ep/s', 'PyTorch', 'ratio'],
      report.models.map((r) => [
        r.reference,
        r.task,
        r.backend,
        fmt(r.stepsPerSec),
        fmt(r.pytorchStepsPerSec),
        fmt(r.ratio, 2),
        fmt(r.kernelsPerStep, 6),
        fmt(r.kernelShare, 2),
        fmt(r.dispatchShare, 2),
        fmt(r.evalEpisodesPerSec),
        fmt(r.pytorchEvalEpisodesPerSec),
        fmt(r.evalRatio, 2),
      ]),
    ),
  );
  const notes = [
    ...new Set([
      ...references.filter((r) => r.note && report.models.some((row) => row.reference === r.id)).map((r) => r.note!),
      ...report.models.flatMap((r) => r.notes.map((n) => `${r.reference}: ${n}`)),
    ]),
  ];
  if (notes.length) out.push('Notes:', '', ...notes.map((n) => `- ${n}`), '');
  const profiled = report.models.filter((r) => r.topKernels.length);
  if (profiled.length) {
    out.push(
      `Where a training step's time goes, as shares of the step: inside kernels; drawing the episode (the task's sampler); the rest (tfjs's per-op bookkeeping, the gradient tape, the training loop); and the ${TOP_KERNELS} kernels that take most (count per step, share):`,
      '',
    );
    out.push(
      markdownTable(
        ['model', 'backend', 'in kernels', 'sampling', 'rest', 'top kernels'],
        profiled.map((r) => [
          r.reference,
          r.backend,
          fmt(r.kernelShare, 2),
          fmt(r.sampleShare, 2),
          fmt(r.kernelShare === null || r.sampleShare === null ? null : 1 - r.kernelShare - r.sampleShare, 2),
          r.topKernels.map((k) => `${k.name} ×${fmt(k.count, 4)} ${fmt(k.share, 2)}`).join(', '),
        ]),
      ),
    );
  }
  out.push(`Lab book: ${JSON.stringify(report.store)}`, '');
  out.push(`UI (Chromium): ${JSON.stringify(report.ui)}`, '');
  out.push(`Parallel sweep: ${JSON.stringify(report.sweep)}`, '');
  if (report.ops) {
    out.push('Single ops, ms per call (replaced: the kernel Engram replaces on that backend):', '');
    for (const [backend, rows] of Object.entries(report.ops)) {
      if (!Array.isArray(rows)) {
        out.push(`${backend}: ${String(rows)}`, '');
        continue;
      }
      out.push(`${backend}:`, '');
      out.push(markdownTable(['op', 'Engram ms', 'replaced ms'], rows.map((o: { op: string; engramMs: number; replacedMs?: number }) => [o.op, fmt(o.engramMs), fmt(o.replacedMs)])));
    }
  }
  return out.join('\n');
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const loadBefore = loadavg();
  const startedMs = Date.now();
  const { availableBackends, selectBackend } = await import('../backend/select');
  const here = await availableBackends();
  await selectBackend('cpu');
  const backends = (options.backends.length ? options.backends : here).filter((b): b is BackendName => {
    if (here.includes(b as BackendName)) return true;
    log(`bench: backend ${b} does not load here; skipped`);
    return false;
  });
  const references = selectReferences(options.models);
  let torchRunner: Promise<TorchRunner | { reason: string }> | null = null;
  const torch = async () => {
    const current = await (torchRunner ??= startTorch(benchScripts, options.torchThreads));
    // A runner stopped after a job overran is started afresh for the next job.
    if (!('reason' in current) && !current.alive) torchRunner = startTorch(benchScripts, options.torchThreads);
    return torchRunner;
  };
  const { gflops: matmulGflops, details: backendDetails } = await matmulFigures(backends, torch, options);
  const models = await modelRows(references, backends, options, torch);
  const torchState = options.torch ? await torch() : { reason: '--no-torch' };
  const torchInfo = 'reason' in torchState ? `skipped (${torchState.reason})` : `${torchState.version}, ${torchState.threads} thread(s)`;
  if (!('reason' in torchState)) await torchState.close();
  let ops: Record<string, unknown> | undefined;
  if (options.ops) {
    ops = {};
    for (const backend of backends) {
      log(`bench: single ops on ${backend}`);
      const r = await runChild({ kind: 'ops', backend }, 600_000);
      ops[backend] = r.kind === 'ops' ? r.ops : r.kind === 'error' ? r.error : 'no result';
    }
  }
  log('bench: lab book');
  const store = options.store ? storeFigures(options.quick ? 200_000 : 1_000_000) : { skipped: '--no-store' };
  log('bench: parallel sweep');
  const sweep = options.sweep ? await sweepFigures({ quick: options.quick }) : { skipped: '--no-sweep' };
  log('bench: UI in Chromium');
  const ui = options.ui ? await uiFigures() : { skipped: '--no-ui' };
  const report: BenchReport = {
    machine: { ...machine(loadBefore, torchInfo), backends: backendDetails, benchSeconds: Math.round((Date.now() - startedMs) / 1000) },
    matmulGflops,
    models,
    store,
    ui,
    sweep,
    ...(ops ? { ops } : {}),
  };
  return report;
}

function list(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The `bench` command for the program in main.ts. */
export function benchCommand(): Command {
  return new Command('bench')
    .description('time every talk model on every backend here and in PyTorch, the lab book and the UI; Markdown, or --json')
    .option('--models <ids>', 'comma-separated reference configs or model ids (default: all)', list, [])
    .addOption(new Option('--backends <names>', 'comma-separated tfjs backends (default: every one that loads)').argParser(list).default([]))
    .option('--quick', 'short budgets and smaller figures (a few minutes)')
    .option('--no-torch', 'skip the PyTorch references')
    .option('--torch-threads <n>', 'PyTorch and OpenBLAS threads (1: one core, as one Engram run uses)', (v) => Number(v), 1)
    .option('--ops', 'also time single ops (dispatch cost, transposed and batched matMul, gradient kernels)')
    .option('--no-store', 'skip the lab book figures')
    .option('--no-ui', 'skip the Chromium figures')
    .option('--no-sweep', 'skip the parallel sweep figure')
    .option('--json', 'machine-readable output: one JSON object on the last line of stdout')
    .action(async (opts: { models: string[]; backends: string[]; quick?: boolean; torch: boolean; torchThreads: number; ops?: boolean; store: boolean; ui: boolean; sweep: boolean; json?: boolean }) => {
      const options: BenchOptions = {
        models: opts.models,
        backends: opts.backends,
        quick: Boolean(opts.quick),
        torch: opts.torch,
        torchThreads: opts.torchThreads,
        ops: Boolean(opts.ops),
        store: opts.store,
        ui: opts.ui,
        sweep: opts.sweep,
        json: Boolean(opts.json),
      };
      const report = await runBench(options);
      process.stdout.write(`${reportMarkdown(report, selectReferences(options.models))}\n`);
      if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    });
}
