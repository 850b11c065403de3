// Exponential moving average smoothing of a metric series, debiased at the start the way TensorBoard
// and W&B smooth, so that the first points are not pulled towards zero. Pure. Renderer process.

/**
 * `weight` in [0, 1): 0 returns the values unchanged, 0.9 averages over roughly the last ten points.
 * Non-finite values pass through and do not disturb the average.
 */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  if (!(weight >= 0 && weight < 1)) throw new Error(`smoothing weight must be in [0, 1), got ${weight}`);
  if (weight === 0) return values.slice();
  let last = 0;
  let debias = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    debias = debias * weight + (1 - weight);
    return last / debias;
  });
}
