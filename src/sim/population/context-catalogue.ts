import type { Channel } from '../../../features';

/**
 * The weighted catalogues the context fields (countries, channels, MCCs) are drawn from. These
 * fields decorate the handbook's world for the feature pipeline; they never change its fraud logic.
 * Weights are relative (they need not sum to 1).
 */
export interface Weighted<T> {
  readonly values: readonly T[];
  readonly weights: readonly number[];
}

function weighted<T>(pairs: readonly (readonly [T, number])[]): Weighted<T> {
  return { values: pairs.map(([v]) => v), weights: pairs.map(([, w]) => w) };
}

/**
 * Home countries of cardholders: one dominant home market (Belgium, where the handbook's data
 * partner operates) and its neighbours.
 */
export const HOME_COUNTRIES: Weighted<string> = weighted([
  ['BE', 80], ['FR', 6], ['NL', 5], ['DE', 4], ['LU', 2], ['ES', 1], ['IT', 1], ['PT', 1],
]);

/** Countries of foreign merchants (cross-border e-commerce and travel). */
export const FOREIGN_COUNTRIES: Weighted<string> = weighted([
  ['GB', 30], ['US', 25], ['CH', 10], ['IE', 10], ['CN', 8], ['TR', 5], ['AE', 4], ['SG', 4], ['MT', 4],
]);

/**
 * Probability that a terminal of a channel is registered abroad: a few % overall, most of it
 * e-commerce.
 */
export const FOREIGN_MERCHANT_PROBABILITY: Readonly<Record<Channel, number>> = { card_present: 0.02, contactless: 0.01, ecommerce: 0.15, atm: 0.01 };

/** A terminal's primary channel. */
export const TERMINAL_CHANNELS: Weighted<Channel> = weighted<Channel>([
  ['card_present', 55], ['contactless', 10], ['ecommerce', 27], ['atm', 8],
]);

/** ISO 18245 merchant category codes consistent with each primary channel (ATMs are always 6011). */
export const MCC_BY_CHANNEL: Readonly<Record<Channel, Weighted<string>>> = {
  card_present: weighted([
    ['5411', 30], // grocery stores, supermarkets
    ['5812', 15], // restaurants
    ['5541', 10], // service stations
    ['5912', 8], // pharmacies
    ['5311', 7], // department stores
    ['5651', 7], // family clothing
    ['5732', 5], // electronics
    ['5200', 5], // home supply
    ['5942', 3], // book stores
    ['7230', 3], // beauty and barber shops
    ['5999', 7], // miscellaneous retail
  ]),
  contactless: weighted([
    ['4111', 25], // commuter transport
    ['5814', 25], // fast food
    ['5499', 20], // convenience stores
    ['7523', 15], // parking
    ['5994', 15], // news dealers
  ]),
  ecommerce: weighted([
    ['5969', 25], // direct marketing, other
    ['5964', 15], // catalogue merchants
    ['5815', 15], // digital media
    ['5816', 10], // digital games
    ['4814', 10], // telecommunication services
    ['4722', 10], // travel agencies
    ['5735', 5], // record stores / music
    ['4899', 10], // cable and streaming services
  ]),
  atm: weighted([['6011', 1]]),
};

/** Per-customer probability of paying contactless at a card-present terminal: U(low, high). */
export const CONTACTLESS_PROBABILITY_RANGE: readonly [number, number] = [0.1, 0.9];
