import type { LabelDelayModel } from '../options';
import { lognormal } from '../random/distributions';
import { createStream } from '../random/stream';

const DAY = 86_400;

/** The handbook's assumption: a fraud is known exactly 7 days after the transaction. */
export const FIXED_LABEL_DELAY_SECONDS = 7 * DAY;

/** Parameters of the `chargeback` model (days). */
export const CHARGEBACK_DELAY = Object.freeze({ medianDays: 20, sigma: 0.6, minDays: 2, maxDays: 120 });

/** Seconds from a fraud transaction to the arrival of its label, given its global index. */
export type LabelDelay = (transactionIndex: number) => number;

/**
 * The delay function of a model.
 *
 * - `fixed`: exactly 7 days (604,800 s).
 * - `chargeback`: realistic chargeback arrival. D ~ LogNormal(ln 20, 0.6) days (median 20 days,
 *   central 90% about 7.5 - 54 days), clipped to [2, 120] days; the label arrives ⌊D⌋ whole days
 *   plus a uniform jitter of 0 .. 86,399 s after the transaction (chargebacks come in batches at
 *   any time of day). Delay range: [2 d, 120 d + 86,399 s]. Each transaction's delay is drawn
 *   from its own stream `labels/<index>`, so it does not depend on which period was simulated.
 */
export function createLabelDelay(model: LabelDelayModel, seed: number): LabelDelay {
  switch (model) {
    case 'fixed':
      return () => FIXED_LABEL_DELAY_SECONDS;
    case 'chargeback':
      return (index) => {
        const s = createStream(seed, 'labels', index);
        const { medianDays, sigma, minDays, maxDays } = CHARGEBACK_DELAY;
        const days = Math.min(maxDays, Math.max(minDays, lognormal(s, Math.log(medianDays), sigma)));
        return Math.floor(days) * DAY + s.int(DAY);
      };
  }
}
