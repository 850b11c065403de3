// The BatchMatMul kernels Engram installs: on the native BLAS (wasm and cpu backends) and on XNNPACK
// (wasm, when the BLAS is missing), each checked against float64 products on random inputs —
// transpose flags, batches, broadcast operands, empty inner dimensions — and through gradients
// (where tfjs has them: its BatchMatMul gradient does not take broadcast batches). Batches that
// broadcast on both sides ([2,1,…]·[1,3,…]) are left out: tfjs's own kernels do not compute them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it, type TestContext } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { nativeBlas } from '../../../engine/backend/native-blas';
import { nativeBatchMatMulKernel } from '../../../engine/backend/native-mat-mul-kernel';
import { selectBackend } from '../../../engine/backend/select';
import { wasmBatchMatMulKernel } from '../../../engine/backend/wasm-mat-mul-kernel';
import { repoRoot } from '../../helpers/engram';
import { expectClose } from '../../helpers/tensors';
import { randomValues, wasmHere } from './on-backends';

/** [shape of a, shape of b, transposeA, transposeB] */
type Case = [number[], number[], boolean, boolean];

const cases: Case[] = [
  [[5, 7], [7, 3], false, false],
  [[7, 5], [7, 3], true, false],
  [[5, 7], [3, 7], false, true],
  [[7, 5], [3, 7], true, true],
  [[4, 5, 7], [4, 7, 3], false, false],
  [[4, 7, 5], [4, 3, 7], true, true],
  [[4, 5, 7], [7, 3], false, false], // one b for the whole batch
  [[4, 7, 5], [7, 3], true, false],
  [[5, 7], [4, 7, 3], false, false], // one a for the whole batch
  [[2, 3, 5, 7], [2, 3, 7, 4], false, false],
  [[2, 3, 5, 7], [7, 4], false, false],
  [[3, 0], [0, 4], false, false], // empty inner dimension: zeros
  [[3, 40, 60], [3, 60, 50], false, false], // big enough for XNNPACK's per-element products
  [[3, 60, 40], [3, 50, 60], true, true],
  [[96, 80], [80, 70], false, false],
];

/** op(a)·op(b) in float64, broadcasting batch dimensions as tf.matMul does. */
function reference(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean): { values: number[]; shape: number[] } {
  const av = a.dataSync();
  const bv = b.dataSync();
  const ra = a.rank;
  const rb = b.rank;
  const m = ta ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = ta ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const n = tb ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = tf.util.sizeFromShape(outer);
  const index = (shape: number[], outerIndex: number) => {
    // The flat batch index of an operand whose outer shape broadcasts to `outer`.
    const own = shape.slice(0, -2);
    const padded = [...new Array(outer.length - own.length).fill(1), ...own];
    let rest = outerIndex;
    let flat = 0;
    let stride = 1;
    for (let d = outer.length - 1; d >= 0; d--) {
      const coord = rest % outer[d]!;
      rest = Math.floor(rest / outer[d]!);
      flat += (padded[d] === 1 ? 0 : coord) * stride;
      stride *= padded[d]!;
    }
    return flat;
  };
  const values: number[] = [];
  for (let i = 0; i < batch; i++) {
    const ao = index(a.shape, i) * m * k;
    const bo = index(b.shape, i) * k * n;
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < n; c++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += av[ao + (ta ? j * m + r : r * k + j)]! * bv[bo + (tb ? c * k + j : j * n + c)]!;
        values.push(s);
      }
    }
  }
  return { values, shape: [...outer, m, n] };
}

/** Runs every case with `config` registered as the backend's BatchMatMul, against float64. */
async function checkKernel(backend: 'wasm' | 'cpu', config: (current: tf.KernelConfig) => tf.KernelConfig): Promise<void> {
  await selectBackend(backend);
  const current = tf.getKernel('BatchMatMul', backend)!;
  tf.unregisterKernel('BatchMatMul', backend);
  tf.registerKernel(config(current));
  try {
    cases.forEach(([sa, sb, ta, tb], i) => {
      tf.tidy(() => {
        const a = tf.tensor(randomValues(10 + i, sa), sa);
        const b = tf.tensor(randomValues(50 + i, sb), sb);
        const want = reference(a, b, ta, tb);
        const got = tf.matMul(a, b, ta, tb);
        const what = `${backend} [${sa}]${ta ? 'ᵀ' : ''}·[${sb}]${tb ? 'ᵀ' : ''}`;
        assert.deepEqual(got.shape, want.shape, what);
        expectClose(got.dataSync(), want.values, 1e-4 * Math.max(1, ...want.values.map(Math.abs)), what);
        // tfjs's own BatchMatMul gradient does not sum over broadcast batches, whatever the kernel.
        if (sa.slice(0, -2).join() !== sb.slice(0, -2).join()) return;
        // L = Σ W ⊙ op(a)op(b) is linear in each operand, so ⟨∂L/∂a, D⟩ = Σ W ⊙ op(D)op(b) exactly.
        const w = randomValues(90 + i, want.shape);
        const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, ta, tb).mul(tf.tensor(w, want.shape)).sum())([a, b]);
        const da = tf.tensor(randomValues(130 + i, sa), sa);
        const db = tf.tensor(randomValues(170 + i, sb), sb);
        const along = (g: tf.Tensor, d: tf.Tensor) => g.mul(d).sum().dataSync()[0]!;
        const weighted = (p: { values: number[] }) => p.values.reduce((s, v, j) => s + v * w[j]!, 0);
        const expectA = weighted(reference(da, b, ta, tb));
        const expectB = weighted(reference(a, db, ta, tb));
        expectClose([along(ga!, da)], [expectA], 1e-3 * Math.max(1, Math.abs(expectA)), `${what}: ∂L/∂a`);
        expectClose([along(gb!, db)], [expectB], 1e-3 * Math.max(1, Math.abs(expectB)), `${what}: ∂L/∂b`);
      });
    });
  } finally {
    tf.unregisterKernel('BatchMatMul', backend);
    tf.registerKernel(current);
    await selectBackend('cpu');
  }
}

function nativeHere(t: TestContext): boolean {
  const blas = nativeBlas();
  if ('gemm' in blas) return true;
  t.skip(`no native BLAS here (${blas.problem}), so there is no native kernel to check`);
  return false;
}

describe('BatchMatMul kernels', () => {
  it('native BLAS on wasm matches float64 products and gradients', async (t) => {
    if (!(await wasmHere(t)) || !nativeHere(t)) return;
    const blas = nativeBlas();
    assert.ok('gemm' in blas);
    await checkKernel('wasm', (current) => nativeBatchMatMulKernel('wasm', blas.gemm, current));
  });

  it('native BLAS on cpu matches float64 products and gradients', async (t) => {
    if (!nativeHere(t)) return;
    const blas = nativeBlas();
    assert.ok('gemm' in blas);
    await checkKernel('cpu', (current) => nativeBatchMatMulKernel('cpu', blas.gemm, current));
  });

  it('XNNPACK per batch element on wasm matches float64 products and gradients', async (t) => {
    if (!(await wasmHere(t))) return;
    await checkKernel('wasm', (current) => wasmBatchMatMulKernel(current));
  });

  it('is turned off by ENGRAM_NATIVE_BLAS=0, saying so', () => {
    const script = "const { nativeBlas } = require('./engine/backend/native-blas'); process.stdout.write(JSON.stringify(nativeBlas()));";
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ENGRAM_NATIVE_BLAS: '0' } });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { problem: 'turned off by ENGRAM_NATIVE_BLAS=0' });
  });
});
