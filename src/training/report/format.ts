/** Shown wherever a number is undefined (NaN, null, missing). */
export const MISSING = '—';

/** A fraction with fixed decimals (default 3), e.g. 0.869; {@link MISSING} when not finite. */
export function formatFixed(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || !Number.isFinite(value) ? MISSING : value.toFixed(digits);
}

/** A signed difference, e.g. "+0.012" / "−0.034" (true minus sign); {@link MISSING} when not finite. */
export function formatSigned(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return MISSING;
  const text = Math.abs(value).toFixed(digits);
  if (Number(text) === 0) return `±${text}`;
  return value > 0 ? `+${text}` : `\u2212${text}`;
}

/** A fraction as a percentage, e.g. 0.0213 → "2.13%"; {@link MISSING} when undefined. */
export function formatPercent(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? MISSING : `${(value * 100).toFixed(digits)}%`;
}

/** A count with thousands separators, e.g. 1234567 → "1,234,567". */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : MISSING;
}

/** A power of ten for an axis label: 1, 10, 100, 1k, 10k, 100k, 1M, 10M, … */
export function formatPowerOfTen(exponent: number): string {
  const suffixes = ['', 'k', 'M', 'G', 'T'];
  const group = Math.min(Math.floor(exponent / 3), suffixes.length - 1);
  return `${10 ** (exponent - 3 * group)}${suffixes[group] as string}`;
}

/** An SVG coordinate rounded to 0.1 px (keeps documents small). */
export function px(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}
