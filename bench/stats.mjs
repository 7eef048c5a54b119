// Summary statistics shared by node and the browser pages (no imports for that reason).

/** Rounded to 0.01. */
export const round = (x) => Math.round(x * 100) / 100;

/** p50, p99 and max of a list of numbers (nearest rank), rounded to 0.01. */
export function percentiles(values) {
  const sorted = Float64Array.from(values).sort();
  const rank = (p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  return { p50: round(rank(0.5)), p99: round(rank(0.99)), max: round(sorted[sorted.length - 1]) };
}

/** The median, rounded to 0.01. */
export function median(values) {
  const s = Float64Array.from(values).sort();
  const mid = s.length >> 1;
  return round(s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2);
}
