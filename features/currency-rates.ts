import { CURRENCY_EXPONENTS } from './currency';

/**
 * The dated reference-rate table amounts are converted with, online and offline alike: profile
 * sums and amount features are in the reference currency, so a customer paying in several
 * currencies has one "usual amount". An entry applies from its date (UTC) until the next one's;
 * a transaction is converted at the entry of its own event date (before the first entry: the
 * first). Rates are units of a currency per one unit of the reference currency (the ECB's
 * convention).
 *
 * Contract: entries are only ever appended (a new date with its rates); an existing entry never
 * changes, so a replay of old events gives the features they were served with. `version` is part
 * of the feature spec hash: it changes only when an existing entry must be corrected, which
 * changes earlier features, so models are then retrained; appending a date leaves it alone. The figures below
 * are close to the ECB's euro reference rates on those days (BHD, which the ECB does not publish,
 * through its US dollar peg), for illustration: a bank replaces the table with its treasury's own
 * (the same file serves scoring and training).
 */
export const CURRENCY_RATES = {
  version: 1,
  reference: 'EUR',
  entries: [
    {
      from: '2018-01-01',
      perReference: {
        AUD: 1.5372, BGN: 1.95583, BHD: 0.4536, BRL: 3.9729, CAD: 1.5128, CHF: 1.1702, CNY: 7.83, CZK: 25.535, DKK: 7.4454,
        GBP: 0.88953, HKD: 9.4275, HUF: 309.53, ILS: 4.1725, INR: 76.606, JPY: 135.35, KRW: 1280.0, MXN: 23.6612,
        NOK: 9.8283, NZD: 1.6885, PLN: 4.1771, RON: 4.6545, SEK: 9.8438, SGD: 1.6075, TRY: 4.5464, USD: 1.2065,
        ZAR: 14.8054,
      },
    },
    {
      from: '2022-01-01',
      perReference: {
        AUD: 1.5673, BGN: 1.95583, BHD: 0.4269, BRL: 6.3348, CAD: 1.4378, CHF: 1.0338, CNY: 7.2231, CZK: 24.803, DKK: 7.4373,
        GBP: 0.8394, HKD: 8.8546, HUF: 369.28, ILS: 3.5188, INR: 84.4155, JPY: 130.93, KRW: 1352.13, MXN: 23.2138,
        NOK: 10.0025, NZD: 1.6598, PLN: 4.5797, RON: 4.9488, SEK: 10.2863, SGD: 1.5328, TRY: 15.3215, USD: 1.1355,
        ZAR: 18.0764,
      },
    },
    {
      from: '2025-01-01',
      perReference: {
        AUD: 1.6633, BGN: 1.95583, BHD: 0.3881, BRL: 6.3652, CAD: 1.4852, CHF: 0.9392, CNY: 7.5337, CZK: 25.175, DKK: 7.4591,
        GBP: 0.8285, HKD: 8.0227, HUF: 412.05, ILS: 3.7623, INR: 88.3875, JPY: 162.49, KRW: 1521.04, MXN: 21.4074,
        NOK: 11.7538, NZD: 1.8374, PLN: 4.2695, RON: 4.9743, SEK: 11.4935, SGD: 1.4118, TRY: 36.4578, USD: 1.0321,
        ZAR: 19.4146,
      },
    },
  ],
} as const;

/** The reference currency profile sums and amount features are kept in. */
export const REFERENCE_CURRENCY: string = CURRENCY_RATES.reference;

interface Entry {
  readonly from: number;
  readonly date: string;
  readonly rates: ReadonlyMap<string, number>;
}

const ENTRIES: readonly Entry[] = CURRENCY_RATES.entries.map((e) => ({
  from: Date.parse(`${e.from}T00:00:00Z`) / 1000,
  date: e.from,
  rates: new Map<string, number>([[CURRENCY_RATES.reference, 1], ...Object.entries(e.perReference)]),
}));

/** The table entry in force at `epochSeconds` (the first one before it starts). */
function entryAt(epochSeconds: number): Entry {
  let k = ENTRIES.length - 1;
  while (k > 0 && (ENTRIES[k] as Entry).from > epochSeconds) k--;
  return ENTRIES[k] as Entry;
}

/** The date (YYYY-MM-DD) of the table entry in force at `epochSeconds`. */
export function rateTableDate(epochSeconds: number): string {
  return entryAt(epochSeconds).date;
}

/** Whether the table has a rate for `currency` at `epochSeconds`. */
export function hasReferenceRate(currency: string, epochSeconds: number): boolean {
  return entryAt(epochSeconds).rates.has(currency);
}

/**
 * An amount in minor units of `currency`, at event time `epochSeconds`, in hundredths of the
 * reference currency (the scale profile sums are kept in, integers so stores can add them
 * atomically): converted at that day's rate and rounded half away from zero to the cent. The
 * reference currency itself is not converted (exactly its minor units for a 2-decimal one).
 * Throws RangeError for a currency without a rate then (validation refuses those first).
 */
export function referenceCents(amountMinor: number, currency: string, epochSeconds: number): number {
  const exponent = CURRENCY_EXPONENTS[currency];
  if (exponent === undefined) throw new RangeError(`unknown currency ${currency}`);
  const rate = entryAt(epochSeconds).rates.get(currency);
  if (rate === undefined) throw new RangeError(`no reference rate for ${currency} on ${rateTableDate(epochSeconds)}`);
  const cents = rate === 1 && exponent === 2 ? amountMinor : (amountMinor * 10 ** (2 - exponent)) / rate;
  return cents >= 0 ? Math.round(cents) : -Math.round(-cents);
}
