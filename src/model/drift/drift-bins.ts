/** What one bin of a `BinnedReference` (drift-reference.ts) holds: [from, to) of values, or the missing values. */
export interface BinBounds {
  /** Lower bound (inclusive); null = no lower bound (or the missing bin). */
  readonly from: number | null;
  /** Upper bound (exclusive); null = no upper bound (or the missing bin). */
  readonly to: number | null;
  /** True for the last bin: NaN, a feature the service could not compute. */
  readonly missing: boolean;
}

/** The bounds of every bin of a reference with these edges, in bin order (the missing bin last). */
export function binBounds(edges: readonly number[]): BinBounds[] {
  const bins: BinBounds[] = [];
  for (let i = 0; i <= edges.length; i++) bins.push({ from: i === 0 ? null : (edges[i - 1] as number), to: i === edges.length ? null : (edges[i] as number), missing: false });
  bins.push({ from: null, to: null, missing: true });
  return bins;
}

/** A bound for display: integers as such, others with 4 significant digits (float32 edges are long). */
export function formatBound(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

/** A bin for display: `< 10`, `10 – 25.5`, `≥ 80`, `all values`, `missing`. */
export function binLabel(b: BinBounds): string {
  if (b.missing) return 'missing';
  if (b.from === null && b.to === null) return 'all values';
  if (b.from === null) return `< ${formatBound(b.to as number)}`;
  if (b.to === null) return `≥ ${formatBound(b.from)}`;
  return `${formatBound(b.from)} – ${formatBound(b.to)}`;
}
