// Checks a model's meta-gradient (the gradient of its loss w.r.t. its slow variables) against
// central finite differences along random directions, in float32. For EBMM's gradient tests.
import * as tf from '@tensorflow/tfjs';
import type { Episode, MemoryModel } from '../../engine/core/memory-model';
import { Rng } from '../../engine/core/random';

/** The meta-gradient of `loss` for every variable of the model, by name; the caller disposes the tensors. */
export function metaGradients(model: MemoryModel, loss: () => tf.Scalar): Record<string, tf.Tensor> {
  const variables = model.variables();
  const { value, grads } = tf.variableGrads(loss, Object.values(variables));
  value.dispose();
  return Object.fromEntries(Object.entries(variables).map(([name, v]) => [name, grads[v.name]!]));
}

/** One variable's directional derivative: from the meta-gradient, and by central differences. */
export interface DirectionalCheck {
  readonly name: string;
  readonly analytic: number;
  readonly numeric: number;
}

/**
 * Compares ⟨∇L, d⟩ with (L(v + h d) − L(v − h d)) / 2h for each named variable v of the model and a
 * random direction d, where L is `loss` (one fixed episode's meta-loss).
 */
export function checkMetaGradient(
  model: MemoryModel,
  loss: () => tf.Scalar,
  names: readonly string[],
  h: number,
  seed = 21,
): DirectionalCheck[] {
  const grads = metaGradients(model, loss);
  const rng = new Rng(seed);
  const lossNow = () => tf.tidy(() => loss().dataSync()[0]!);
  const out = names.map((name) => {
    const variable = model.variables()[name];
    if (!variable) throw new Error(`no variable "${name}"`);
    const direction = tf.tensor(rng.normals(variable.size), variable.shape);
    const original = variable.clone();
    const analytic = tf.tidy(() => grads[name]!.mul(direction).sum().dataSync()[0]!);
    const at = (t: number) => {
      tf.tidy(() => variable.assign(original.add(direction.mul(t))));
      return lossNow();
    };
    const numeric = (at(h) - at(-h)) / (2 * h);
    variable.assign(original);
    tf.dispose([original, direction]);
    return { name, analytic, numeric };
  });
  tf.dispose(Object.values(grads));
  return out;
}

/**
 * An episode whose items lie inside (center − spread, center + spread) and whose queries are
 * near them: with small read steps no projection is active, so the meta-loss is smooth around the
 * current parameters (a clipped coordinate would make central differences straddle a kink).
 */
export function smoothEpisode(seed: number, shape: readonly [number, number, number], center: number, spread: number, noise: number): Episode {
  const rng = new Rng(seed);
  const items = Array.from({ length: shape[0] * shape[1] * shape[2] }, () => center + spread * (2 * rng.uniform() - 1));
  const queries = items.map((x) => x + noise * rng.normal());
  const s: [number, number, number] = [...shape];
  return { items: tf.tensor3d(items, s), queries: tf.tensor3d(queries, s), targets: tf.tensor3d(items, s) };
}
