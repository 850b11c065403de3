// The reference configurations `engram bench` times: one episode config per talk model (reference
// §19: binary recall at D = 128, N = 32; MNIST image recall; associative recall at K = 4; set
// membership), with the model's defaults unless a line says why not. CLI process.

/** One benchmarked configuration: a model on a task with `--set` style settings. */
export interface BenchReference {
  /** Row name in the table: the model id, with the variant when a model appears more than once. */
  readonly id: string;
  readonly model: string;
  readonly task: string;
  readonly set: Readonly<Record<string, string | number | boolean | null>>;
  /** Models without slow parameters are only evaluated. */
  readonly train: boolean;
  /** Why there is no PyTorch reference, when there is none. */
  readonly noTorch?: string;
  /** Why the config differs from the model's defaults, printed under the table. */
  readonly note?: string;
}

const binary = { dim: 128, setSize: 32 } as const;

export const benchReferences: readonly BenchReference[] = [
  { id: 'hopfield-hebb', model: 'hopfield', task: 'binary-recall', set: { ...binary, rule: 'hebb' }, train: false },
  { id: 'hopfield-storkey', model: 'hopfield', task: 'binary-recall', set: { ...binary, rule: 'storkey' }, train: false },
  { id: 'hopfield-pinv', model: 'hopfield', task: 'binary-recall', set: { ...binary, rule: 'pinv' }, train: false },
  { id: 'modern-hopfield', model: 'modern-hopfield', task: 'binary-recall', set: { ...binary }, train: false },
  { id: 'slot-memory', model: 'slot-memory', task: 'binary-recall', set: { ...binary }, train: true },
  { id: 'kanerva-machine', model: 'kanerva-machine', task: 'binary-recall', set: { ...binary }, train: true },
  { id: 'dynamic-kanerva', model: 'dynamic-kanerva', task: 'binary-recall', set: { ...binary }, train: true },
  {
    id: 'ebmm',
    model: 'ebmm',
    task: 'binary-recall',
    set: { ...binary, hidden: 256, batchSize: 4 },
    train: true,
    note: 'ebmm: hidden 256 and batch 4 (defaults 1 024 and 16): the exact third-order meta-gradient of the default keeps > 4 GB of tensors alive per step, more than the wasm heap holds (PyTorch needs 3.6 GB at batch 16)',
  },
  {
    id: 'fast-weights',
    model: 'fast-weights',
    task: 'binary-recall',
    set: { ...binary, hiddenSize: null },
    train: true,
    note: 'fast-weights, plasticity on binary recall: hidden size from the 8 256-float budget (R = N = 90), as reference §19.1',
  },
  { id: 'plasticity', model: 'plasticity', task: 'binary-recall', set: { ...binary, hiddenSize: null }, train: true },
  { id: 'lstm', model: 'lstm', task: 'binary-recall', set: { ...binary }, train: true },
  { id: 'kanerva-machine/mnist', model: 'kanerva-machine', task: 'image-recall', set: {}, train: true },
  {
    id: 'ebmm-fc/mnist',
    model: 'ebmm-fc',
    task: 'image-recall',
    set: { batchSize: 1 },
    train: true,
    note: 'ebmm-fc, ebmm-conv: batch 1 (default 16), for the same reason as ebmm: through the conv encoder, the meta-gradient of a batch of 2 already needs more than the 4 GB wasm heap (ebmm-conv)',
  },
  { id: 'ebmm-conv/mnist', model: 'ebmm-conv', task: 'image-recall', set: { batchSize: 1 }, train: true },
  { id: 'fast-weights/assoc', model: 'fast-weights', task: 'associative-recall', set: { pairs: 4 }, train: true },
  { id: 'neural-bloom-filter', model: 'neural-bloom-filter', task: 'set-membership', set: {}, train: true },
  {
    id: 'bloom-filter',
    model: 'bloom-filter',
    task: 'set-membership',
    set: {},
    train: false,
    noTorch: 'a hashed bit array has no tensor computation to write in PyTorch',
  },
];

/** The references a `--models` list names (by id, or by model id for all its rows); every one when empty. */
export function selectReferences(names: readonly string[]): BenchReference[] {
  if (names.length === 0) return [...benchReferences];
  const picked = benchReferences.filter((r) => names.includes(r.id) || names.includes(r.model));
  const unknown = names.filter((n) => !benchReferences.some((r) => r.id === n || r.model === n));
  if (unknown.length) throw new Error(`unknown --models ${unknown.join(', ')}: choose from ${benchReferences.map((r) => r.id).join(', ')}`);
  return picked;
}

/**
 * A reference's validated config and memory size, which the PyTorch side must match; builds the model
 * on the current backend. The engine is loaded here, not at the top, so that the CLI's other commands
 * start without tfjs (see main.ts).
 */
export async function resolvedReference(reference: BenchReference) {
  const [{ resolveRunSpec }, { instantiate }] = await Promise.all([import('../training/run-spec'), import('../training/trainer')]);
  const spec = resolveRunSpec({ model: reference.model, task: reference.task, set: reference.set });
  const instance = instantiate(spec);
  instance.model.dispose();
  return { spec, memoryFloats: instance.memoryFloats };
}
