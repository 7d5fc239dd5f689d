/**
 * The reason-code catalogue: what a feature that pushed a score towards fraud means, in words a
 * card holder understands. Codes are stable (clients, analysts' dashboards and the confirmation
 * app key on them); several features may share one code when they say the same thing to a user.
 * A code is never reused for another meaning: retire it and add a new one.
 */
export interface ReasonEntry {
  /** Stable, upper snake case. */
  readonly code: string;
  /** One short phrase, lower case, no final stop. */
  readonly text: string;
  /**
   * Said instead of `text` when the feature's value is missing (NaN) and that means something
   * (a first payment). A missing value of a feature without it is never a reason.
   */
  readonly whenMissing?: { readonly code: string; readonly text: string };
}

const FIRST_PAYMENT = { code: 'NEW_CUSTOMER', text: 'first payment we have seen from you' } as const;
const MERCHANT_FRAUD = { code: 'MERCHANT_RECENT_FRAUD', text: 'merchant with recent confirmed fraud' } as const;
const ABOVE_USUAL = { code: 'AMOUNT_ABOVE_USUAL', text: 'much larger than your usual payments' } as const;
const ACTIVITY = { code: 'UNUSUAL_ACCOUNT_ACTIVITY', text: 'unusual activity on your card lately' } as const;
const SPENDING = { code: 'UNUSUAL_SPENDING', text: 'unusual spending on your card lately' } as const;
const MERCHANT_ACTIVITY = { code: 'MERCHANT_UNUSUAL_ACTIVITY', text: 'unusual activity at this merchant' } as const;

/**
 * One entry per feature of the spec, by feature name (a test checks the catalogue covers exactly
 * the spec's features). Missing-value variants only where a missing value has a meaning of its own.
 */
export const REASON_CATALOGUE: Readonly<Record<string, ReasonEntry>> = {
  amount: { code: 'AMOUNT_LARGE', text: 'a large amount' },
  tx_local_hour: { code: 'UNUSUAL_TIME', text: 'an unusual time of day for this payment' },
  tx_is_weekend: { code: 'UNUSUAL_DAY', text: 'an unusual day of the week for this payment' },
  tx_is_night: { code: 'NIGHT_TIME', text: 'paid during the night' },
  tx_channel: { code: 'RISKY_CHANNEL', text: 'a payment channel often used in fraud' },
  tx_mcc: { code: 'RISKY_MERCHANT_CATEGORY', text: 'a kind of merchant often targeted by fraud' },
  tx_country_mismatch: { code: 'FOREIGN_MERCHANT', text: 'merchant in another country than yours' },
  user_count_1h: { code: 'RAPID_PAYMENTS', text: 'several payments within the last hour' },
  user_amount_1h: { code: 'RAPID_SPENDING', text: 'a lot spent within the last hour' },
  user_count_1d: ACTIVITY,
  user_avg_amount_1d: SPENDING,
  user_count_7d: ACTIVITY,
  user_avg_amount_7d: SPENDING,
  user_count_30d: ACTIVITY,
  user_avg_amount_30d: SPENDING,
  user_amount_to_avg_30d: ABOVE_USUAL,
  user_avg_amount_30d_delay7: SPENDING,
  user_amount_to_avg_30d_delay7: ABOVE_USUAL,
  user_known_frauds_30d: { code: 'CARD_RECENT_FRAUD', text: 'confirmed fraud on your card recently' },
  user_seconds_since_last: { code: 'SOON_AFTER_LAST_PAYMENT', text: 'very soon after your previous payment', whenMissing: FIRST_PAYMENT },
  user_merchant_new: { code: 'NEW_MERCHANT', text: 'first payment at this merchant' },
  user_channel_new: { code: 'NEW_CHANNEL', text: 'first payment of this kind (online, contactless, …) on your card' },
  user_country_new: { code: 'NEW_COUNTRY', text: 'first payment in this country' },
  merchant_count_1h: MERCHANT_ACTIVITY,
  merchant_count_1d: MERCHANT_ACTIVITY,
  merchant_count_7d: MERCHANT_ACTIVITY,
  merchant_count_30d: { code: 'LITTLE_KNOWN_MERCHANT', text: 'a merchant with few payments' },
  merchant_avg_amount_30d: { code: 'UNUSUAL_AMOUNT_FOR_MERCHANT', text: 'an amount unusual at this merchant' },
  merchant_risk_1d_delay7: MERCHANT_FRAUD,
  merchant_risk_7d_delay7: MERCHANT_FRAUD,
  merchant_risk_30d_delay7: MERCHANT_FRAUD,
  merchant_known_frauds_7d: MERCHANT_FRAUD,
  merchant_known_frauds_30d: MERCHANT_FRAUD,
  merchant_risk_30d: MERCHANT_FRAUD,
  merchant_days_since_known_fraud: MERCHANT_FRAUD,
  merchant_days_since_first_known_fraud: MERCHANT_FRAUD,
};

/** A reason a score was high: the feature, its value (null when missing) and its contribution in log-odds. */
export interface Reason {
  readonly code: string;
  readonly text: string;
  readonly feature: string;
  readonly value: number | null;
  readonly contribution: number;
}

/**
 * The `limit` largest positive contributions (towards fraud), largest first, one per code (a
 * code's largest feature names it). `contributions` holds one value per feature of `names` (a
 * trailing bias is ignored); features without an entry in the catalogue are skipped, and so are
 * missing values, except those with a `whenMissing` meaning while `missingIsMeaningful` (false
 * when a profile could not be read: its features are missing for another reason). Pure.
 */
export function topReasons(names: readonly string[], values: ArrayLike<number>, contributions: ArrayLike<number>, limit: number, missingIsMeaningful = true): Reason[] {
  const order: number[] = [];
  for (let i = 0; i < names.length; i++) if ((contributions[i] as number) > 0) order.push(i);
  order.sort((a, b) => (contributions[b] as number) - (contributions[a] as number) || a - b);
  const out: Reason[] = [];
  const seen = new Set<string>();
  for (const i of order) {
    if (out.length === limit) break;
    const feature = names[i] as string;
    const entry = REASON_CATALOGUE[feature];
    if (entry === undefined) continue;
    const value = values[i] as number;
    const missing = Number.isNaN(value);
    const said = missing ? (missingIsMeaningful ? entry.whenMissing : undefined) : entry;
    if (said === undefined) continue;
    const { code, text } = said;
    if (seen.has(code)) continue;
    seen.add(code);
    out.push({ code, text, feature, value: missing ? null : value, contribution: contributions[i] as number });
  }
  return out;
}
