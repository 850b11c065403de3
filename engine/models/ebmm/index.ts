/**
 * EBMM — Energy-Based Memory Models: memory as the weights of an energy network, written by
 * meta-learned gradient descent and read by descending the energy.
 *
 * Bartunov, Rae, Osindero, Lillicrap. "Meta-Learning Deep Energy-Based Memory Models." ICLR 2020.
 * https://arxiv.org/abs/1910.02720 (workshop version: NeurIPS 2019 Meta-Learning workshop, with the
 * appendix this file follows). Engine layer; runs in the kernel, the CLI and tests.
 *
 * Idea: a neural energy E(x; θ) is meant to have a low point at every stored pattern. Writing a set
 * X = {x₁…x_N} runs a few gradient steps on a slice of the network's weights, the writable "memory"
 * parameters, lowering the energy of the stored patterns and making them stationary points; those
 * weights are the memory and their count is the memory size. Reading starts at the corrupted query
 * and runs a few projected Nesterov steps down the energy. Everything that makes these few steps
 * work — the initial weights θ̄, the static weights, the write learning rates, the read step sizes
 * and momenta, α and β — is meta-learned across episodes through the whole write-then-read
 * computation, which needs third derivatives of E.
 *
 * Symbols (B batch, N items written, Q queries, D item width, T write steps, K read steps):
 *   | paper      | code                               | shape        |
 *   | θ_mem      | state (written memory parameters)  | [B, …] each  | e.g. memory.W [B, D, dyn]
 *   | θ̄          | init.* variables                   | […]          | meta-learned start of every write
 *   | θ_static   | energy.* variables                 | […]          | the rest of the network
 *   | E(x; θ)    | net.energy(x, statics, memory)     | [B, M]       | one energy per item
 *   | η⁽ᵗ⁾_{l,term} | write.rates (softplus)          | [L, 3]       | per writable layer l and term; [T, L, 3] per step t too
 *   | α, β       | write.alpha, write.beta (softplus) | []           |
 *   | γ⁽ᵏ⁾, ψ⁽ᵏ⁾ | read.step, read.stepDecay, read.momentum | [], [K−1], [K−1] |
 *   | x⁽ᵏ⁾       | iterates                           | [K+1, B, Q, D] | x⁽⁰⁾ is the query
 *
 * Equations (workshop §2–3, App. A and C):
 *   (W1) W(x, θ) = E(x; θ) + α ‖∇ₓE(x; θ)‖² + β ‖θ_mem − θ̄_mem‖²
 *   (W2) θ⁽⁰⁾ = θ̄,  θ⁽ᵗ⁺¹⁾ = θ⁽ᵗ⁾ − Σ_term η⁽ᵗ⁾_{l,term} ∇_θ (1/N) Σᵢ term(xᵢ, θ⁽ᵗ⁾),  write(X) = θ⁽ᵀ⁾,
 *        on the memory parameters only, each in its writable layer l
 *   (W3) first-order meta-gradient (option): ∇_θ E and ∇_θ ‖∇ₓE‖² in (W2) are constants to it
 *   (R1) x̂⁽ᵏ⁾ = proj(x⁽ᵏ⁾ + ψ⁽ᵏ⁾ v⁽ᵏ⁻¹⁾)                          proj: clip to the data's box
 *   (R2) v⁽ᵏ⁾ = ψ⁽ᵏ⁾ v⁽ᵏ⁻¹⁾ − γ⁽ᵏ⁾ ∇ₓE(x̂⁽ᵏ⁾; θ⁽ᵀ⁾),  v⁽⁰⁾ = 0
 *   (R3) x⁽ᵏ⁺¹⁾ = proj(x⁽ᵏ⁾ + v⁽ᵏ⁾),  x⁽⁰⁾ = query,  read = x⁽ᴷ⁾
 *   (R4) γ⁽¹⁾ learned, γ⁽ᵏ⁺¹⁾ = γ⁽ᵏ⁾ σ(η̃ₖ): non-increasing; ψ likewise
 *   (L)  L_K = Σ_{k=1..K} (1/N) Σᵢ ‖xᵢ − xᵢ⁽ᵏ⁾‖²      (the step-wise loss, one named term per step)
 *   (M)  min over θ̄, θ_static, η, γ, ψ, α, β of  E_X L_K(X, write(X))
 * The energy networks and their equations are in gated-rnn-energy.ts (binary patterns, App. B (a));
 * fc-energy.ts and conv-energy.ts (images, App. B (b), (c)).
 *
 * Deviations from the paper, and choices it leaves open:
 * - Write learning rates start at `writeRateInit` = 0.1, not the paper's 1e-4: at 1e-4 a write
 *   barely moves θ and the softplus-parametrised rates need thousands of Adam steps to grow. The
 *   paper trains for up to 2·10⁶ steps; a CPU here affords a few thousand. Measured on binary recall
 *   (N = 16, 150 steps of Adam at 3e-3): 32.1 error bits at 1e-4 (chance for the 64 erased bits), 15.0
 *   at 0.1, 15.3 at 0.3. The paper's value is one field away.
 * - θ̄_mem, the initial memory weights, start at zero rather than He-normal: a fresh write then holds
 *   only what it wrote (measured as above at 0.3: 15.3 error bits after 150 steps against 23.9 from
 *   a He-normal start).
 * - T (write steps) is not stated in the paper; the default is 3.
 * - γ⁽¹⁾ is kept positive by a softplus (the paper learns it "directly"); ψ⁽²⁾ is a sigmoid. The
 *   momentum of the first read step multiplies v⁽⁰⁾ = 0, so only K − 1 momenta exist.
 * - The appendix prints (R3) as x = proj(v); this is read as the usual Nesterov update proj(x + v).
 * - α, β start at 1 (the paper gives no values); each write term has its own rate as in App. C, so
 *   α and the gradient-norm rate only act through their product.
 * - A write starts from the state it is given; a fresh memory is θ̄ broadcast over the batch, which is
 *   (W2). Writing again continues from the written weights (the paper writes once, in one batch).
 * - tanh and σ are the same functions as the paper's, computed by custom-gradient ops
 *   (core/higher-order-ops.ts) so that their nested derivatives are right in tfjs.
 * - The first-order meta-gradient (W3) is an option of this implementation, not in the paper.
 *
 * Memory floats: the writable parameters, e.g. Linear(128 → 63) + bias = 8 127 at the default
 * budget of 8 256 (the Hopfield count of Table 1): the widest writable layer strictly below budget.
 */
import { ConfigError, int, type ConfigOf } from '../../core/config';
import { defineModel, type Paper, type TaskSpec } from '../../core/memory-model';
import type { Rng } from '../../core/random';
import { ConvEnergy, convMemoryFloatsPerFilter } from './conv-energy';
import { dynamicsFields, EnergyMemory } from './energy-memory';
import { widthForBudget } from './energy-network';
import { FcEnergy } from './fc-energy';
import { GatedRnnEnergy } from './gated-rnn-energy';

export { EnergyMemory } from './energy-memory';

const paper: Paper = {
  title: 'Meta-Learning Deep Energy-Based Memory Models',
  authors: 'Bartunov, Rae, Osindero, Lillicrap',
  year: 2020,
  url: 'https://arxiv.org/abs/1910.02720',
};

/** The paper's meta-training recipe (App. D); users may change any of it. */
const trainingDefaults = { optimizer: 'adamw', learningRate: 5e-5, weightDecay: 1e-6, clipNorm: 0.05 };

function recallSupport(spec: TaskSpec, output: TaskSpec['output'], other: string): string | null {
  if (!spec.autoassociative || spec.inputDim !== spec.outputDim) return 'EBMM recalls stored items from corrupted copies (auto-association)';
  if (spec.sequential) return 'EBMM stores a set, not a sequence';
  if (spec.output !== output) return `this energy serves ${output} items; ${other}`;
  if (output === 'image' && !spec.image) return 'the image energies need the image geometry (spec.image)';
  return null;
}

/**
 * The writable width a budget gives, or a ConfigError naming the field to change. `room` is the
 * layer the writable units share with static ones, which must keep at least one static unit.
 */
function memoryWidth(
  owner: string,
  budgetFloats: number,
  floatsPerUnit: number,
  room: { field: string; value: number; units: (value: number) => number; allowed: (width: number) => string },
): number {
  const width = widthForBudget(budgetFloats, floatsPerUnit);
  if (width < 1) {
    throw new ConfigError(owner, 'budgetFloats', budgetFloats, `an integer > ${floatsPerUnit}, the floats of one writable unit`);
  }
  if (width >= room.units(room.value)) {
    throw new ConfigError(owner, room.field, room.value, `${room.allowed(width)}, since budgetFloats ${budgetFloats} gives ${width} writable units (or a smaller budget)`);
  }
  return width;
}

const gatedFields = {
  budgetFloats: int(8256, 'memory budget in floats; the writable Linear(D → dyn) gets the largest dyn with dyn·(D+1) < budgetFloats', {
    min: 2,
  }),
  hidden: int(1024, 'hidden width H of the gated-RNN energy (paper: 1 024); H − dyn units are static', { min: 2 }),
  hops: int(5, 'recurrent hops of the energy over its input (paper: 5)', { min: 1, max: 16 }),
  ...dynamicsFields,
};

export type EbmmConfig = ConfigOf<typeof gatedFields>;

/** Builds EBMM with the gated-RNN energy, sizing the writable layer from the budget. */
export function createGatedEbmm(config: EbmmConfig, spec: TaskSpec, rng: Rng): EnergyMemory {
  const dim = spec.inputDim;
  const width = memoryWidth('model ebmm', config.budgetFloats, dim + 1, {
    field: 'hidden',
    value: config.hidden,
    units: (hidden) => hidden,
    allowed: (w) => `an integer > ${w}`,
  });
  const net = new GatedRnnEnergy({ dim, hidden: config.hidden, memoryWidth: width, hops: config.hops }, rng);
  return new EnergyMemory('ebmm', spec, net, config);
}

export const ebmm = defineModel({
  id: 'ebmm',
  title: 'EBMM, gated-RNN energy (Energy-Based Memory Model)',
  summary: 'Writes by meta-learned gradient steps on the weights of an energy network; reads by projected descent on the energy.',
  paper,
  fields: gatedFields,
  learned: true,
  trainingDefaults,
  supports: (spec) => recallSupport(spec, 'bipolar', 'use ebmm-fc or ebmm-conv for images'),
  create: (config, spec, rng) => createGatedEbmm(config, spec, rng),
  example: {
    task: 'binary-recall',
    taskConfig: { dim: 7, setSize: 3, corruptBits: 2 },
    modelConfig: { budgetFloats: 20, hidden: 5, hops: 2, writeSteps: 2, readSteps: 3 },
  },
});

const fcFields = {
  budgetFloats: int(8192, 'memory budget in floats; the writable Linear(code → dyn) gets the largest dyn with dyn·(code+1) < budgetFloats', {
    min: 2,
  }),
  channels: int(32, 'encoder channels c: residual blocks of c, 2c, 3c channels (paper: 32)', { min: 1 }),
  code: int(256, 'encoder output width (paper: 256)', { min: 1 }),
  hidden: int(512, 'recurrent hidden width (paper: 512); dyn of its inputs are written', { min: 2 }),
  readout: int(1024, 'width of the layer before the energy (paper: 1 024)', { min: 1 }),
  hops: int(3, 'recurrent hops (paper: 3)', { min: 1, max: 16 }),
  ...dynamicsFields,
};

export type EbmmFcConfig = ConfigOf<typeof fcFields>;

/** Builds EBMM with the FC image energy (App. B (b)). */
export function createFcEbmm(config: EbmmFcConfig, spec: TaskSpec, rng: Rng): EnergyMemory {
  const width = memoryWidth('model ebmm-fc', config.budgetFloats, config.code + 1, {
    field: 'hidden',
    value: config.hidden,
    units: (hidden) => hidden,
    allowed: (w) => `an integer > ${w}`,
  });
  const net = new FcEnergy({ image: spec.image!, ...config, memoryWidth: width }, rng);
  return new EnergyMemory('ebmm-fc', spec, net, config);
}

export const ebmmFc = defineModel({
  id: 'ebmm-fc',
  title: 'EBMM FC, image energy with a fully-connected memory',
  summary: 'EBMM for images: a residual conv encoder, a writable fully-connected layer and gated recurrent hops form the energy.',
  paper,
  fields: fcFields,
  learned: true,
  trainingDefaults,
  supports: (spec) => recallSupport(spec, 'image', 'use ebmm for ±1 patterns'),
  create: (config, spec, rng) => createFcEbmm(config, spec, rng),
  example: {
    task: 'image-recall',
    taskConfig: { setSize: 3, side: 12 },
    modelConfig: { budgetFloats: 20, channels: 2, code: 5, hidden: 7, readout: 3, hops: 2, writeSteps: 2, readSteps: 3 },
  },
});

const convFields = {
  budgetFloats: int(8192, 'memory budget in floats; both bottleneck blocks get the largest dyn writable 3×3 filters with 2·dyn·(18c+1) < budgetFloats', {
    min: 2,
  }),
  channels: int(32, 'base channels c: residual blocks of c and 2c, bottleneck blocks of 4c with a 2c bottleneck (paper: 32)', { min: 1 }),
  readout: int(1024, 'width of the layer before the energy (paper: 1 024)', { min: 1 }),
  hops: int(3, 'recurrent hops on the final grid (paper: 3)', { min: 1, max: 16 }),
  ...dynamicsFields,
};

export type EbmmConvConfig = ConfigOf<typeof convFields>;

/** Builds EBMM with the convolutional image energy (App. B (c)). */
export function createConvEbmm(config: EbmmConvConfig, spec: TaskSpec, rng: Rng): EnergyMemory {
  const perFilter = convMemoryFloatsPerFilter(config.channels);
  const width = memoryWidth('model ebmm-conv', config.budgetFloats, perFilter, {
    field: 'channels',
    value: config.channels,
    units: (c) => 4 * c,
    allowed: (w) => `an integer > ${w / 4} (the 4c filters of a bottleneck block must outnumber the writable ones)`,
  });
  const net = new ConvEnergy({ image: spec.image!, ...config, memoryWidth: width }, rng);
  return new EnergyMemory('ebmm-conv', spec, net, config);
}

export const ebmmConv = defineModel({
  id: 'ebmm-conv',
  title: 'EBMM conv, image energy with convolutional memory filters',
  summary: 'EBMM for images: part of the 3×3 filters of two residual bottleneck blocks are written; a conv-GRU reads the energy.',
  paper,
  fields: convFields,
  learned: true,
  trainingDefaults,
  supports: (spec) => recallSupport(spec, 'image', 'use ebmm for ±1 patterns'),
  create: (config, spec, rng) => createConvEbmm(config, spec, rng),
  example: {
    task: 'image-recall',
    taskConfig: { setSize: 3, side: 12 },
    modelConfig: { budgetFloats: 160, channels: 2, readout: 3, hops: 2, writeSteps: 2, readSteps: 3 },
  },
});
