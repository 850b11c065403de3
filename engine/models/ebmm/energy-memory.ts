// The EBMM memory around any energy network: writing by truncated gradient descent on the writing
// loss, reading by projected Nesterov descent on the energy, and the step-wise meta-loss
// (equations in ./index.ts). Engine layer, any process.
import * as tf from '@tensorflow/tfjs';
import { choice, int, real, type ConfigOf } from '../../core/config';
import type { Episode, LossResult, MemoryModel, MemoryState, ReadResult, TaskSpec } from '../../core/memory-model';
import { stopGradient } from '../../core/higher-order-ops';
import { constantParam } from '../../core/layers';
import { tidy } from '../../core/tensors';
import { layerOf, memoryFloatsOf, type EnergyNetwork, type Params } from './energy-network';

/** The fields every EBMM variant shares: the write and read dynamics and the meta-gradient. */
export const dynamicsFields = {
  writeSteps: int(3, 'gradient steps T of the write on the writing loss (the paper does not state T)', { min: 1, max: 32 }),
  readSteps: int(5, 'projected Nesterov steps K of the read (paper: 5)', { min: 1, max: 32 }),
  metaGradient: choice(
    ['exact', 'first-order'] as const,
    'exact',
    'exact: back-propagate through the write steps (third derivatives of E); first-order: treat each write gradient as a constant',
  ),
  writeRates: choice(
    ['shared', 'per-step'] as const,
    'shared',
    'shared: one write learning rate per writable layer and term for all T steps (App. C); per-step: one per step too (the η⁽ᵗ⁾ schedule of §3)',
  ),
  writeRateInit: real(0.1, 'initial write learning rates, every layer and term (paper: 1e-4, untrainable at CPU scale: see the header)', {
    min: 1e-8,
    max: 10,
  }),
  readStepInit: real(1, 'initial first read step size γ⁽¹⁾', { min: 1e-6, max: 100 }),
};

export type DynamicsConfig = ConfigOf<typeof dynamicsFields>;

/**
 * The writing loss's three terms (W1), each with its own learning rate per writable layer (and per
 * write step, with writeRates = 'per-step'): the last axis of write.rates. App. C gives a rate per
 * layer and term; §3 writes them as a schedule η⁽ᵗ⁾. Measured at D = 32, N = 24, 1 000 steps of Adam
 * at 1e-3: 4.1 error bits shared, 3.9 per step.
 */
const WRITE_TERMS = ['energy', 'gradNorm', 'prior'] as const;
type WriteTerm = (typeof WRITE_TERMS)[number];
/** Initial α and β of the writing loss, and the initial ratio γ⁽ᵏ⁺¹⁾/γ⁽ᵏ⁾ and momentum ψ. */
const ALPHA_INIT = 1;
const BETA_INIT = 1;
const STEP_DECAY_INIT = 0.9;
const MOMENTUM_INIT = 0.5;

/** softplus⁻¹(y) = log(eʸ − 1), written to stay finite for small y. */
function inverseSoftplus(y: number): number {
  return y + Math.log(-Math.expm1(-y));
}

function logit(p: number): number {
  return Math.log(p / (1 - p));
}

function mapRecord<T, U>(record: Readonly<Record<string, T>>, fn: (value: T, name: string) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([name, value]) => [name, fn(value, name)]));
}

/**
 * ∂/∂x of Σ f(x) with everything else held fixed. The derivative is taken at a fresh copy of x:
 * inside meta-training the whole computation is on one tape, and written memory parameters that
 * were computed from these very items would otherwise let the gradient flow through them too (a
 * total derivative, silently wrong for the writing loss).
 */
function partialGrad(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): tf.Tensor {
  return tf.grad((y: tf.Tensor) => f(y).sum())(x.clone());
}

/** The box a read is projected onto: [−1, 1] for ±1 patterns, [0, 1] for pixels. */
function boxOf(spec: TaskSpec): readonly [number, number] {
  return spec.output === 'image' ? [0, 1] : [-1, 1];
}

/** EBMM over one energy network, bound to a task spec. The state is the written memory parameters. */
export class EnergyMemory implements MemoryModel {
  private readonly memoryNames: readonly string[];
  private readonly layerIndex: Readonly<Record<string, number>>;
  private readonly writeRates: tf.Variable; // [L, 3] softplus⁻¹ of η per writable layer and term; [T, L, 3] per step too
  private readonly alpha: tf.Variable; // [] softplus⁻¹ of α
  private readonly beta: tf.Variable; // [] softplus⁻¹ of β
  private readonly firstStep: tf.Variable; // [] softplus⁻¹ of γ⁽¹⁾
  private readonly stepDecay: tf.Variable | null; // [K − 1] logits of γ⁽ᵏ⁺¹⁾/γ⁽ᵏ⁾
  private readonly momentum: tf.Variable | null; // [K − 1] logits: ψ⁽²⁾ = σ(m₁), ψ⁽ᵏ⁺¹⁾/ψ⁽ᵏ⁾ = σ(m_k)
  private readonly box: readonly [number, number];

  constructor(
    readonly id: string,
    readonly spec: TaskSpec,
    readonly net: EnergyNetwork,
    readonly dynamics: DynamicsConfig,
  ) {
    this.memoryNames = Object.keys(net.memoryInit);
    const layers = [...new Set(this.memoryNames.map(layerOf))];
    this.layerIndex = Object.fromEntries(this.memoryNames.map((n) => [n, layers.indexOf(layerOf(n))]));
    this.writeRates = constantParam([...(dynamics.writeRates === 'per-step' ? [dynamics.writeSteps] : []), layers.length, WRITE_TERMS.length], inverseSoftplus(dynamics.writeRateInit));
    this.alpha = constantParam([], inverseSoftplus(ALPHA_INIT));
    this.beta = constantParam([], inverseSoftplus(BETA_INIT));
    this.firstStep = constantParam([], inverseSoftplus(dynamics.readStepInit));
    const later = dynamics.readSteps - 1;
    this.stepDecay = later > 0 ? constantParam([later], logit(STEP_DECAY_INIT)) : null;
    this.momentum = later > 0 ? constantParam([later], logit(MOMENTUM_INIT)) : null;
    this.box = boxOf(spec);
  }

  /** θ̄ broadcast over the batch: every episode starts from the meta-learned initialisation. */
  initialState(batchSize: number): MemoryState {
    return tidy(() =>
      mapRecord(this.net.memoryInit, (v) => tf.broadcastTo(v, [batchSize, ...v.shape])), // [B, …]
    );
  }

  /** T steps of gradient descent on the writing loss over the written items, from `state`. */
  write(state: MemoryState, items: tf.Tensor): MemoryState {
    return tidy(() => {
      const rates = tf.softplus(this.writeRates); // [L, 3] or [T, L, 3]
      const perStep = this.dynamics.writeRates === 'per-step';
      const rate = (t: number, name: string, term: WriteTerm) => {
        const at = [...(perStep ? [t] : []), this.layerIndex[name]!, WRITE_TERMS.indexOf(term)];
        return rates.slice(at, at.map(() => 1)).reshape([]); // []
      };
      const alpha = tf.softplus(this.alpha); // []
      const beta = tf.softplus(this.beta); // []
      let theta: Params = state;
      for (let t = 0; t < this.dynamics.writeSteps; t++) {
        const { energy, gradNorm } = this.writingGradients(theta, items);
        theta = mapRecord(theta, (th, name) => {
          const prior = th.sub(this.net.memoryInit[name]!).mul(beta.mul(2)); // [B, …]  ∇ β‖θ − θ̄‖²  (W1)
          return th
            .sub(energy[name]!.mul(rate(t, name, 'energy')))
            .sub(gradNorm[name]!.mul(alpha).mul(rate(t, name, 'gradNorm')))
            .sub(prior.mul(rate(t, name, 'prior'))); // [B, …]  (W2)
        });
      }
      return theta;
    });
  }

  read(state: MemoryState, queries: tf.Tensor): ReadResult {
    return tidy(() => {
      const iterates = this.descend(state, queries);
      const energies = iterates.map((x) => this.net.energy(x, this.net.statics, state)); // K+1 × [B, Q]
      return {
        retrieved: iterates[iterates.length - 1]!.clone(), // [B, Q, D]
        iterates: tf.stack(iterates), // [K+1, B, Q, D]
        energies: tf.stack(energies), // [K+1, B, Q]
      };
    });
  }

  /** The step-wise loss (L): squared error of every read iterate after the query, one term per step. */
  loss(episode: Episode): LossResult {
    return tidy(() => {
      const initial = this.initialState(episode.items.shape[0]!);
      const written = this.write(initial, episode.items);
      const iterates = this.descend(written, episode.queries);
      const terms: Record<string, tf.Scalar> = {};
      iterates.slice(1).forEach((x, k) => {
        terms[`step${k + 1}`] = x.squaredDifference(episode.targets).sum(-1).mean() as tf.Scalar; // []  (L)
      });
      return {
        total: tf.addN(Object.values(terms)) as tf.Scalar,
        terms,
        read: { retrieved: iterates[iterates.length - 1]!.clone(), iterates: tf.stack(iterates) },
      };
    });
  }

  variables(): Readonly<Record<string, tf.Variable>> {
    const out: Record<string, tf.Variable> = {};
    for (const [name, v] of Object.entries(this.net.statics)) out[`energy.${name}`] = v;
    for (const [name, v] of Object.entries(this.net.memoryInit)) out[`init.${name}`] = v;
    out['write.rates'] = this.writeRates;
    out['write.alpha'] = this.alpha;
    out['write.beta'] = this.beta;
    out['read.step'] = this.firstStep;
    if (this.stepDecay) out['read.stepDecay'] = this.stepDecay;
    if (this.momentum) out['read.momentum'] = this.momentum;
    return out;
  }

  memoryFloats(): number {
    return memoryFloatsOf(this.net);
  }

  dispose(): void {
    for (const v of Object.values(this.variables())) v.dispose();
  }

  /**
   * ∇_θ of the writing loss's energy term and gradient-norm term, each averaged over an episode's
   * items, per episode. In first-order mode both are computed from copies of θ and of the static
   * parameters that are cut from the tape, so the meta-gradient treats them as constants (W3).
   */
  private writingGradients(theta: Params, items: tf.Tensor): { energy: Params; gradNorm: Params } {
    const firstOrder = this.dynamics.metaGradient === 'first-order';
    const statics: Params = firstOrder ? mapRecord(this.net.statics, (v) => stopGradient(v)) : this.net.statics;
    const start = this.memoryNames.map((n) => (firstOrder ? stopGradient(theta[n]!) : theta[n]!));
    const asMemory = (ps: tf.Tensor[]): Params => Object.fromEntries(this.memoryNames.map((n, i) => [n, ps[i]!]));
    // Episodes are independent, so the gradient of the sum over episodes is every episode's own gradient.
    const perEpisodeMean = (perItem: tf.Tensor) => perItem.mean(1).sum() as tf.Scalar; // [B, N] → []
    const energy = tf.grads((...ps: tf.Tensor[]) => perEpisodeMean(this.net.energy(items, statics, asMemory(ps))))(start);
    const gradNorm = tf.grads((...ps: tf.Tensor[]) => {
      const memory = asMemory(ps);
      const dEdx = partialGrad((x) => this.net.energy(x, statics, memory), items); // [B, N, D]
      return perEpisodeMean(dEdx.square().sum(-1)); // ‖∇ₓE‖²
    })(start);
    return { energy: asMemory(energy), gradNorm: asMemory(gradNorm) };
  }

  /** The read iterates x⁽⁰⁾ = query, …, x⁽ᴷ⁾ of projected Nesterov descent on E (R1–R4). */
  private descend(state: MemoryState, queries: tf.Tensor): tf.Tensor[] {
    const [lo, hi] = this.box;
    const project = (x: tf.Tensor) => tf.clipByValue(x, lo, hi);
    const dEdx = (x: tf.Tensor) => partialGrad((y) => this.net.energy(y, this.net.statics, state), x); // [B, Q, D]
    const decay = this.stepDecay ? tf.sigmoid(this.stepDecay) : null; // [K − 1] γ⁽ᵏ⁺¹⁾/γ⁽ᵏ⁾
    const growth = this.momentum ? tf.sigmoid(this.momentum) : null; // [K − 1] ψ⁽²⁾, then ψ⁽ᵏ⁺¹⁾/ψ⁽ᵏ⁾
    let gamma = tf.softplus(this.firstStep); // [] γ⁽¹⁾  (R4)
    let psi: tf.Tensor = tf.scalar(1); // [] ψ⁽ᵏ⁾, the product of the ratios so far  (R4)
    let x: tf.Tensor = queries; // [B, Q, D]
    let v: tf.Tensor = tf.zerosLike(queries); // [B, Q, D]  v⁽⁰⁾ = 0
    const iterates = [queries];
    for (let k = 0; k < this.dynamics.readSteps; k++) {
      let lookAhead = x; // [B, Q, D]
      if (k > 0) {
        gamma = gamma.mul(decay!.slice(k - 1, 1).reshape([])); // (R4)
        psi = psi.mul(growth!.slice(k - 1, 1).reshape([])); // (R4)
        v = v.mul(psi); // [B, Q, D]  ψ⁽ᵏ⁾ v⁽ᵏ⁻¹⁾
        lookAhead = project(x.add(v)); // [B, Q, D]  (R1)
      }
      v = v.sub(dEdx(lookAhead).mul(gamma)); // [B, Q, D]  (R2)
      x = project(x.add(v)); // [B, Q, D]  (R3)
      iterates.push(x);
    }
    return iterates;
  }
}
