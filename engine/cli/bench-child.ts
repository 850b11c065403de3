// One measurement of `engram bench` on one tfjs backend, in a process of its own so that no kernel
// registration, wasm heap or crash of one model reaches another: a reference config's training
// steps/s and evaluation episodes/s, matrix-product GFLOP/s, or the op table. Reads its job as JSON
// from argv and prints its result as one JSON line. CLI child process.
import { benchNetworks, benchTrainingStep } from '../backend/step-bench';
import { dispatchMs, matMulGflops, opTimings, shippedWasmMatMul, type OpTiming } from '../backend/op-bench';
import { selectBackend } from '../backend/select';
import { evaluationThroughput, trainingStepProfile, trainingThroughput, type StepProfile } from '../training/throughput';
import type { BenchReference } from './bench-references';

export type ChildJob =
  | { readonly kind: 'model'; readonly backend: string; readonly reference: BenchReference; readonly budgetSeconds: number }
  | { readonly kind: 'matmul'; readonly backend: string; readonly sizes: readonly number[]; readonly repeats: number }
  | { readonly kind: 'ops'; readonly backend: string };

export type ChildResult =
  | {
      readonly kind: 'model';
      readonly backend: string;
      readonly backendDetail: string;
      /** Absent for models that learn nothing. */
      readonly stepsPerSec?: number;
      readonly trainWindows?: number;
      /** The kernels of one training step with their time, and the fixed cost of one kernel (a tiny add), in ms. */
      readonly profile?: StepProfile;
      readonly dispatchMs?: number;
      readonly evalEpisodesPerSec: number;
      readonly evalWindows: number;
    }
  | { readonly kind: 'matmul'; readonly backend: string; readonly backendDetail: string; readonly gflops: Readonly<Record<string, number>> }
  | { readonly kind: 'ops'; readonly backend: string; readonly ops: readonly OpTiming[] }
  | { readonly kind: 'error'; readonly backend: string; readonly error: string };

export async function runChildJob(job: ChildJob): Promise<ChildResult> {
  // The op table compares Engram's wasm BatchMatMul with the one tfjs ships, taken before it is replaced.
  const shipped = job.kind === 'ops' && job.backend === 'wasm' ? await shippedWasmMatMul() : null;
  const info = await selectBackend(job.backend);
  switch (job.kind) {
    case 'matmul':
      return { kind: 'matmul', backend: info.name, backendDetail: info.detail, gflops: Object.fromEntries(job.sizes.map((n) => [String(n), matMulGflops(n, job.repeats)])) };
    case 'ops': {
      const steps = benchNetworks.map((network) => {
        const step = benchTrainingStep({ network, warmupSteps: 2, timedSteps: 7 });
        return { op: `training step of the machine-probe ${network} network (§3 b, c)`, engramMs: Math.round(step.medianMs * 1000) / 1000 };
      });
      return { kind: 'ops', backend: info.name, ops: [...opTimings(shipped), ...steps] };
    }
    case 'model': {
      const input = { model: job.reference.model, task: job.reference.task, set: job.reference.set };
      const budgetMs = job.budgetSeconds * 1000;
      const training = job.reference.train ? await trainingThroughput(input, budgetMs) : null;
      const profile = job.reference.train ? await trainingStepProfile(input) : null;
      const evaluation = evaluationThroughput(input, training ? budgetMs / 2 : budgetMs);
      return {
        kind: 'model',
        backend: info.name,
        backendDetail: info.detail,
        ...(training ? { stepsPerSec: training.perSec, trainWindows: training.windows } : {}),
        ...(profile !== null ? { profile, dispatchMs: dispatchMs() } : {}),
        evalEpisodesPerSec: evaluation.perSec,
        evalWindows: evaluation.windows,
      };
    }
  }
}

if (require.main === module) {
  const job = JSON.parse(process.argv[2] ?? '{}') as ChildJob;
  runChildJob(job).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (err: unknown) => {
      const text = err instanceof Error ? err.message : String(err);
      process.stdout.write(`${JSON.stringify({ kind: 'error', backend: job.backend, error: text.split('\n')[0] })}\n`);
      process.exitCode = 1;
    },
  );
}
