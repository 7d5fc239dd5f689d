import { binBounds, type BinBounds } from './drift-bins';
import { binIndex, psi, type BinnedReference, type DriftReference } from './drift-reference';

/** Below this PSI a distribution is stable. */
export const PSI_STABLE_BELOW = 0.1;
/** Above this PSI a distribution has shifted a lot (between the two: a moderate shift). */
export const PSI_MAJOR_ABOVE = 0.2;

/** The conventional reading of a PSI; `none` when nothing was observed. */
export type PsiLevel = 'stable' | 'moderate' | 'major' | 'none';

/** The {@link PsiLevel} of a PSI (null or NaN: nothing observed). */
export function psiLevel(value: number | null): PsiLevel {
  if (value === null || Number.isNaN(value)) return 'none';
  return value < PSI_STABLE_BELOW ? 'stable' : value > PSI_MAJOR_ABOVE ? 'major' : 'moderate';
}

/** One bin of a variable: its bounds, the reference share and the observed share (null when nothing was observed). */
export interface DriftBin extends BinBounds {
  readonly reference: number;
  readonly observed: number | null;
}

/** One variable (a feature or the score) over a window, against its reference. */
export interface VariableDrift {
  /** Population stability index; null when nothing was observed. */
  readonly psi: number | null;
  /** Observed rows. */
  readonly rows: number;
  readonly bins: readonly DriftBin[];
}

/** What a window looks like against a model's drift reference (JSON-ready: no NaN). */
export interface DriftFigures {
  /** Vectors counted (rows of every feature). */
  readonly rows: number;
  readonly score: VariableDrift;
  /** By feature name, in decreasing PSI (features never observed last). */
  readonly features: Readonly<Record<string, VariableDrift>>;
  /** The features of largest PSI, most shifted first (at most `top` of them). */
  readonly top: readonly { readonly feature: string; readonly psi: number }[];
}

const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;

function variableDrift(reference: BinnedReference, counts: Float64Array): VariableDrift {
  let rows = 0;
  for (const c of counts) rows += c;
  const value = psi(reference, counts);
  return {
    psi: Number.isNaN(value) ? null : round(value, 6),
    rows,
    bins: binBounds(reference.edges).map((b, i) => ({ ...b, reference: round(reference.shares[i] ?? 0, 6), observed: rows === 0 ? null : round((counts[i] as number) / rows, 6) })),
  };
}

/**
 * Counts a window of served traffic into the bins of a model's drift reference: vectors (in the
 * order of `featureNames`, the model's) and scores, one at a time, in O(bins) memory. Features of
 * `featureNames` without a reference are not counted (nor listed). Not thread-safe; no I/O.
 */
export class DriftCounter {
  private readonly slots: { readonly name: string; readonly index: number; readonly reference: BinnedReference; readonly counts: Float64Array }[];
  private readonly scoreCounts: Float64Array;
  private vectors = 0;

  constructor(
    private readonly reference: DriftReference,
    readonly featureNames: readonly string[],
  ) {
    this.slots = featureNames.flatMap((name, index) => {
      const r = reference.features[name];
      return r === undefined ? [] : [{ name, index, reference: r, counts: new Float64Array(r.shares.length) }];
    });
    this.scoreCounts = new Float64Array(reference.score.shares.length);
  }

  /** Counts one served vector (float32 values, NaN = missing, `featureNames` order). */
  addVector(vector: ArrayLike<number>): void {
    for (const s of this.slots) (s.counts[binIndex(s.reference.edges, vector[s.index] as number)] as number)++;
    this.vectors++;
  }

  /** Counts one score of the model. */
  addScore(score: number): void {
    (this.scoreCounts[binIndex(this.reference.score.edges, score)] as number)++;
  }

  /** The figures so far; `top` = how many features {@link DriftFigures.top} lists. */
  figures(top = 10): DriftFigures {
    const features = this.slots.map((s) => ({ name: s.name, drift: variableDrift(s.reference, s.counts) }));
    // Decreasing PSI, unobserved last, then by name: a stable order for equal values.
    features.sort((a, b) => (b.drift.psi ?? -1) - (a.drift.psi ?? -1) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return {
      rows: this.vectors,
      score: variableDrift(this.reference.score, this.scoreCounts),
      features: Object.fromEntries(features.map((f) => [f.name, f.drift])),
      top: features.filter((f) => f.drift.psi !== null).slice(0, top).map((f) => ({ feature: f.name, psi: f.drift.psi as number })),
    };
  }
}
