// Medians and spreads. Every figure is a median of repeated runs; spread is min–max of the same runs.
// Ratios are paired: run i of A divided by run i of B, where A and B ran side by side in the same round.

export function summary(samples) {
  const values = samples.filter((v) => typeof v === 'number' && Number.isFinite(v));
  if (values.length === 0) return { n: 0, median: NaN, min: NaN, max: NaN, samples: [] };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { n: values.length, median, min: sorted[0], max: sorted[sorted.length - 1], samples: values };
}

export function pairedRatio(a, b) {
  const ratios = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (Number.isFinite(a[i]) && b[i] > 0) ratios.push(a[i] / b[i]);
  return summary(ratios);
}

/** Total length of the union of [start, end] intervals (ms). */
export function unionLength(intervals) {
  const sorted = intervals.filter((i) => i.end > i.start).sort((x, y) => x.start - y.start);
  let total = 0;
  let start = -Infinity;
  let end = -Infinity;
  for (const i of sorted) {
    if (i.start > end) {
      if (end > start) total += end - start;
      start = i.start;
      end = i.end;
    } else end = Math.max(end, i.end);
  }
  if (end > start) total += end - start;
  return total;
}
