// The gated-RNN energy against a plain-JS transcription of App. B (a), with per-episode memory
// parameters, so that a swapped axis or a mixed-up episode shows.
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../../engine/core/random';
import { GatedRnnEnergy } from '../../../../engine/models/ebmm/gated-rnn-energy';
import { backendsHere } from '../../../helpers/backends';
import { expectClose, values } from '../../../helpers/tensors';

// Distinct sizes: B episodes, M items, D width, H hidden, dyn writable units, L hops.
const [B, M, D, H, DYN, L] = [2, 3, 5, 7, 4, 3];

/** x·W for a row vector x and a row-major [rows, cols] matrix. */
function rowTimes(x: number[], w: ArrayLike<number>, cols: number, offset = 0): number[] {
  return Array.from({ length: cols }, (_, j) => x.reduce((acc, xi, i) => acc + xi * w[offset + i * cols + j]!, 0));
}

describe('GatedRnnEnergy', () => {
  before(async () => {
    await backendsHere();
  });

  it('computes E(x; θ) of App. B (a) per item, each episode with its own memory', () => {
    const net = new GatedRnnEnergy({ dim: D, hidden: H, memoryWidth: DYN, hops: L }, new Rng(2));
    const rng = new Rng(6);
    const xs = Array.from({ length: B * M * D }, () => rng.sign() * rng.uniform());
    const memW = rng.normals(B * D * DYN, 0.5);
    const memB = rng.normals(B * DYN, 0.5);
    const p = Object.fromEntries(Object.entries(net.statics).map(([k, v]) => [k, v.dataSync()]));
    const logistic = (z: number) => 1 / (1 + Math.exp(-z));
    const expected: number[] = [];
    for (let b = 0; b < B; b++) {
      for (let m = 0; m < M; m++) {
        const x = xs.slice((b * M + m) * D, (b * M + m + 1) * D);
        const dynamic = rowTimes(x, memW, DYN, b * D * DYN).map((z, j) => z + memB[b * DYN + j]!);
        const staticX = rowTimes(x, p['static.Wx']!, H - DYN).map((z, j) => z + p['static.b']![j]!);
        const gateX = rowTimes(x, p['gate.Wx']!, H).map((z, j) => z + p['gate.b']![j]!);
        let s = new Array<number>(H).fill(0);
        for (let hop = 0; hop < L; hop++) {
          const sStatic = hop === 0 ? staticX : rowTimes(s, p['static.Ws']!, H - DYN).map((z, j) => z + staticX[j]!);
          const sGate = hop === 0 ? gateX : rowTimes(s, p['gate.Ws']!, H).map((z, j) => z + gateX[j]!);
          const c = [...dynamic, ...sStatic].map(Math.tanh);
          const u = sGate.map(logistic);
          s = s.map((si, j) => u[j]! * c[j]! + (1 - u[j]!) * si);
        }
        expected.push(rowTimes(s, p['out.w']!, 1)[0]!);
      }
    }
    tf.tidy(() => {
      const energy = net.energy(tf.tensor3d(xs, [B, M, D]), net.statics, {
        'memory.W': tf.tensor3d(memW, [B, D, DYN]),
        'memory.b': tf.tensor2d(memB, [B, DYN]),
      });
      expectClose(values(energy), expected, 1e-5, 'E');
    });
    for (const v of [...Object.values(net.statics), ...Object.values(net.memoryInit)]) v.dispose();
  });
});
