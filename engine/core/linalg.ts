// Small batched linear algebra that tfjs lacks: Cholesky factorisation and solves of symmetric
// positive-definite systems, built from differentiable ops. Engine layer, any process.
import * as tf from '@tensorflow/tfjs';

/**
 * Lower-triangular L with L Lᵀ = A for a batch of symmetric positive-definite matrices.
 *
 * Right-looking (outer-product) Cholesky: step j takes column j of the trailing matrix divided by
 * the square root of its pivot, then subtracts that column's outer product. Each step is a handful
 * of whole-batch tensor ops, so the factorisation is differentiable and costs K steps for K×K
 * matrices. No pivoting is needed for positive-definite input; callers that may pass a
 * semi-definite matrix add a ridge first (the Hopfield Gram matrix, the Kanerva ridge regression).
 */
export function cholesky(a: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const k = a.shape[1];
    const rows = tf.range(0, k, 1, 'int32');
    let trailing: tf.Tensor3D = a; // [B, K, K]
    const columns: tf.Tensor2D[] = [];
    for (let j = 0; j < k; j++) {
      const column = trailing.slice([0, 0, j], [-1, -1, 1]).squeeze([2]) as tf.Tensor2D; // [B, K]
      const pivot = column.slice([0, j], [-1, 1]); // [B, 1]
      // Rows above j are already eliminated (zero up to rounding); the mask keeps L exactly triangular.
      const below = tf.greaterEqual(rows, j).cast('float32'); // [K]
      const l = column.mul(below).div(tf.sqrt(pivot)) as tf.Tensor2D; // [B, K]
      columns.push(l);
      trailing = trailing.sub(l.expandDims(2).mul(l.expandDims(1))) as tf.Tensor3D; // [B, K, K]
    }
    return tf.stack(columns, 2) as tf.Tensor3D; // [B, K, K]
  });
}

/** Solves L Y = Rhs for lower-triangular L [B, K, K] and Rhs [B, K, M] (forward substitution). */
export function solveLower(l: tf.Tensor3D, rhs: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const k = l.shape[1];
    let rest: tf.Tensor3D = rhs; // [B, K, M]
    const out: tf.Tensor3D[] = [];
    for (let j = 0; j < k; j++) {
      const lj = l.slice([0, 0, j], [-1, -1, 1]); // [B, K, 1] column j of L
      const ljj = lj.slice([0, j, 0], [-1, 1, 1]); // [B, 1, 1]
      const yj = rest.slice([0, j, 0], [-1, 1, -1]).div(ljj) as tf.Tensor3D; // [B, 1, M]
      out.push(yj);
      rest = rest.sub(lj.mul(yj)) as tf.Tensor3D; // [B, K, M]  (rows ≤ j of lj·yj touch only solved rows)
    }
    return tf.concat(out, 1) as tf.Tensor3D; // [B, K, M]
  });
}

/** Solves Lᵀ X = Rhs for lower-triangular L [B, K, K] and Rhs [B, K, M] (back substitution). */
export function solveUpperTransposed(l: tf.Tensor3D, rhs: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const k = l.shape[1];
    let rest: tf.Tensor3D = rhs; // [B, K, M]
    const out: tf.Tensor3D[] = new Array(k);
    for (let j = k - 1; j >= 0; j--) {
      // Column j of Lᵀ is row j of L.
      const uj = l.slice([0, j, 0], [-1, 1, -1]).transpose([0, 2, 1]); // [B, K, 1]
      const ujj = uj.slice([0, j, 0], [-1, 1, 1]); // [B, 1, 1]
      const xj = rest.slice([0, j, 0], [-1, 1, -1]).div(ujj) as tf.Tensor3D; // [B, 1, M]
      out[j] = xj;
      rest = rest.sub(uj.mul(xj)) as tf.Tensor3D; // [B, K, M]
    }
    return tf.concat(out, 1) as tf.Tensor3D; // [B, K, M]
  });
}

/** The kernel name of choleskySolve, for backends that register a kernel for the whole solve. */
export const CHOLESKY_SOLVE_KERNEL = 'EngramCholeskySolve';

/** The solve as tensor ops: for backends without the kernel, and the reference its tests compare with. */
export function choleskySolveOps(a: tf.Tensor3D, rhs: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const l = cholesky(a); // [B, K, K]
    return solveUpperTransposed(l, solveLower(l, rhs)); // [B, K, M]
  });
}

/**
 * X with A X = Rhs for symmetric positive-definite A [B, K, K] and Rhs [B, K, M], through the
 * Cholesky factor (two triangular solves, no inverse); A is read from its lower triangle.
 * Differentiable in A and Rhs. Where the backend has the EngramCholeskySolve kernel (engine/backend:
 * wasm and cpu) one call solves the batch; elsewhere the solve is ~10·K tensor ops.
 */
export function choleskySolve(a: tf.Tensor3D, rhs: tf.Tensor3D): tf.Tensor3D {
  if (!tf.getKernel(CHOLESKY_SOLVE_KERNEL, tf.getBackend())) return choleskySolveOps(a, rhs);
  return tf.engine().runKernel(CHOLESKY_SOLVE_KERNEL, { a, rhs }) as tf.Tensor3D;
}

// With X = A⁻¹R: ∂R = A⁻¹ ∂X (A is symmetric) and, for the entries A is read from (its lower
// triangle), ∂A = tril(G + Gᵀ) − diag(G) with G = −∂R Xᵀ. X is solved again from the saved inputs
// rather than saved, so that the gradient can itself be differentiated.
tf.registerGradient({
  kernelName: CHOLESKY_SOLVE_KERNEL,
  inputsToSave: ['a', 'rhs'],
  gradFunc: (dy, saved) => {
    const [a, rhs] = saved as [tf.Tensor3D, tf.Tensor3D];
    const dRhs = (): tf.Tensor => choleskySolve(a, dy as tf.Tensor3D);
    const dA = (): tf.Tensor => {
      const k = a.shape[1];
      const g = tf.matMul(dRhs(), choleskySolve(a, rhs), false, true).neg(); // [B, K, K]
      const lower = tf.tensor2d(Float32Array.from({ length: k * k }, (_, i) => (Math.floor(i / k) >= i % k ? 1 : 0)), [k, k]); // [K, K] 1 on and below the diagonal
      return g.add(g.transpose([0, 2, 1])).mul(lower).sub(g.mul(tf.eye(k))); // [B, K, K]
    };
    return { a: dA, rhs: dRhs };
  },
});
