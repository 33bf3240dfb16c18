// Medians, ranges and run-by-run ratios.
export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export function summary(values) {
  const v = values.filter((x) => Number.isFinite(x));
  return { median: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length };
}

/** Ratio of run i of `a` to run i of `b`, for each run both have. */
export function ratios(a, b) {
  return a.map((x, i) => x / b[i]).filter((x) => Number.isFinite(x));
}

export function fmt(x, digits = 0) {
  if (!Number.isFinite(x)) return 'n/a';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "median (min-max)". */
export function cell(values, digits = 0) {
  const s = summary(values);
  if (s.n === 0) return 'n/a';
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}-${fmt(s.max, digits)})`;
}
