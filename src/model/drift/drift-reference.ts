/**
 * Reference distributions for drift monitoring, stored in a model's metadata at training time and
 * compared with served traffic online (`fraud_feature_psi`, `fraud_score_psi`) and offline
 * (`fraudctl drift`). Pure: the same binning and the same PSI everywhere.
 */

/** How many bins a reference has at most (besides the missing-value bin). */
export const MAX_BINS = 10;

/**
 * Fixed bins of one variable and the share of reference rows in each. `edges` are increasing;
 * a finite value `v` falls in bin `i` = the number of edges `<= v` (so `edges.length + 1` value
 * bins); NaN (a missing feature) falls in the last bin, `edges.length + 1`. `shares` has
 * `edges.length + 2` entries summing to 1.
 */
export interface BinnedReference {
  readonly edges: readonly number[];
  readonly shares: readonly number[];
}

/** The reference of a model: every feature's (training rows) and the score's (validation rows). */
export interface DriftReference {
  readonly version: 1;
  /** Rows the feature references were computed from (the training window). */
  readonly featureRows: number;
  /** Rows the score reference was computed from (the validation window, which the model did not fit). */
  readonly scoreRows: number;
  /** By feature name, every feature of the spec. */
  readonly features: Readonly<Record<string, BinnedReference>>;
  readonly score: BinnedReference;
}

const binnedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['edges', 'shares'],
  properties: {
    edges: { type: 'array', items: { type: 'number' }, maxItems: 64 },
    shares: { type: 'array', items: { type: 'number', minimum: 0, maximum: 1 }, minItems: 2, maxItems: 66 },
  },
} as const;

/** JSON Schema of {@link DriftReference} (the `drift` property of model.json). */
export const driftReferenceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'featureRows', 'scoreRows', 'features', 'score'],
  properties: {
    version: { const: 1 },
    featureRows: { type: 'integer', minimum: 0 },
    scoreRows: { type: 'integer', minimum: 0 },
    features: { type: 'object', additionalProperties: binnedSchema },
    score: binnedSchema,
  },
} as const;

/** The bin of `v` under `edges` (see {@link BinnedReference}); binary search, no allocation. */
export function binIndex(edges: readonly number[], v: number): number {
  if (Number.isNaN(v)) return edges.length + 1;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The fixed bins of a sample and its shares in them. Few distinct values (at most `maxBins`,
 * e.g. a count or a code): one bin per value. Otherwise edges at the distinct `j / maxBins`
 * quantiles. Values are read as float32 would store them only if the caller passes them so;
 * NaN counts as missing. An empty sample gives no edges and all-zero shares.
 */
export function referenceFrom(values: ArrayLike<number>, maxBins = MAX_BINS): BinnedReference {
  const present: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isNaN(v)) present.push(v);
  }
  present.sort((a, b) => a - b);
  const distinct: number[] = [];
  for (const v of present) if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v);
  let edges: number[];
  // Infinite values are binned (bin 0 or the top value bin) but never become an edge: JSON, where
  // the reference is stored, has no infinity.
  if (distinct.length <= maxBins) edges = distinct.slice(1).filter(Number.isFinite);
  else {
    edges = [];
    for (let j = 1; j < maxBins; j++) {
      const q = present[Math.min(present.length - 1, Math.floor((j * present.length) / maxBins))] as number;
      // An edge equal to the minimum would leave its first bin empty by construction.
      if (Number.isFinite(q) && q > (present[0] as number) && (edges.length === 0 || q > (edges[edges.length - 1] as number))) edges.push(q);
    }
  }
  const counts = new Array<number>(edges.length + 2).fill(0);
  for (let i = 0; i < values.length; i++) (counts[binIndex(edges, values[i] as number)] as number) += 1;
  // `+= 1` above on a tuple element: TypeScript needs the index assertion; the array is dense.
  const total = values.length;
  return { edges, shares: counts.map((c) => (total === 0 ? 0 : c / total)) };
}

/** Floor of a share in the PSI: an empty bin on either side would otherwise make it infinite. */
export const PSI_EPSILON = 1e-4;

/**
 * Population stability index of `counts` (observed rows per bin of `reference`) against the
 * reference shares: Σ (o − r) · ln(o / r), each share floored at {@link PSI_EPSILON}. 0 for
 * identical distributions; by convention < 0.1 stable, 0.1–0.2 a moderate shift, > 0.2 a major
 * one. NaN when nothing was observed.
 */
export function psi(reference: BinnedReference, counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i] as number;
  if (total === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < reference.shares.length; i++) {
    const r = Math.max(reference.shares[i] as number, PSI_EPSILON);
    const o = Math.max(((counts[i] as number | undefined) ?? 0) / total, PSI_EPSILON);
    sum += (o - r) * Math.log(o / r);
  }
  return sum;
}
