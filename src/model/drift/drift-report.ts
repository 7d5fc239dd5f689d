import type { DecisionLog } from '../../records/decision-log';
import type { DecisionLogDrift } from './decision-log-drift';
import { PSI_MAJOR_ABOVE, PSI_STABLE_BELOW } from './drift-window';

/**
 * What `fraudctl drift` found: printed as one JSON object with `--json`, rendered as the HTML page.
 * `features` is ordered by decreasing PSI; a bin's `from`/`to` are null where unbounded and
 * `missing` marks the NaN bin; `observed` shares are null when the window had no rows.
 */
export interface DriftReport extends DecisionLogDrift {
  /** The model whose reference the window is compared with. */
  readonly model: string;
  /** The rows the reference was computed from (model.json's `drift`). */
  readonly reference: { readonly featureRows: number; readonly scoreRows: number };
  readonly log: DecisionLog['kind'];
  /** Event time [from, to), ISO 8601. */
  readonly window: { readonly from: string; readonly to: string };
  /** The conventional PSI readings: < stable = stable, > major = a major shift. */
  readonly thresholds: { readonly stable: number; readonly major: number };
  /** What exceeds the major threshold: the score, and the features (most shifted first). */
  readonly alerts: { readonly score: boolean; readonly features: readonly string[] };
  /** Where the HTML page was written. */
  readonly report: string;
}

/** The report of a counted window (see {@link DriftReport}). */
export function driftReport(
  figures: DecisionLogDrift,
  o: { readonly model: string; readonly reference: DriftReport['reference']; readonly log: DecisionLog['kind']; readonly from: number; readonly to: number; readonly report: string },
): DriftReport {
  const over = (psi: number | null): boolean => psi !== null && psi > PSI_MAJOR_ABOVE;
  return {
    model: o.model,
    reference: o.reference,
    log: o.log,
    window: { from: new Date(o.from * 1000).toISOString(), to: new Date(o.to * 1000).toISOString() },
    thresholds: { stable: PSI_STABLE_BELOW, major: PSI_MAJOR_ABOVE },
    ...figures,
    alerts: { score: over(figures.score.psi), features: Object.entries(figures.features).filter(([, f]) => over(f.psi)).map(([name]) => name) },
    report: o.report,
  };
}
