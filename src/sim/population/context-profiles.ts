import { CHANNELS, type Channel } from '../../../features';
import { uniform, weightedIndex } from '../random/distributions';
import type { RandomStream } from '../random/stream';
import {
  CONTACTLESS_PROBABILITY_RANGE,
  FOREIGN_COUNTRIES,
  FOREIGN_MERCHANT_PROBABILITY,
  HOME_COUNTRIES,
  MCC_BY_CHANNEL,
  TERMINAL_CHANNELS,
  type Weighted,
} from './context-catalogue';

/** Context fields of each customer (index order). */
export interface CustomerContext {
  readonly country: readonly string[];
  /** Probability of paying contactless at a card_present terminal, in [0.1, 0.9). */
  readonly contactlessProbability: Float64Array;
}

/** Context fields of each terminal (index order). */
export interface TerminalContext {
  readonly country: readonly string[];
  /** Primary channel as its index in {@link CHANNELS}. */
  readonly channel: Uint8Array;
  readonly mcc: readonly string[];
}

function pick<T>(s: RandomStream, w: Weighted<T>): T {
  return w.values[weightedIndex(s, w.weights)] as T;
}

/** Draws each customer's home country and contactless habit (2 draws per customer, index order). */
export function drawCustomerContext(s: RandomStream, count: number): CustomerContext {
  const country: string[] = [];
  const contactlessProbability = new Float64Array(count);
  for (let i = 0; i < count; i += 1) {
    country.push(pick(s, HOME_COUNTRIES));
    contactlessProbability[i] = uniform(s, CONTACTLESS_PROBABILITY_RANGE[0], CONTACTLESS_PROBABILITY_RANGE[1]);
  }
  return { country, contactlessProbability };
}

/**
 * Draws each terminal's primary channel, an MCC consistent with it, and its country (the home
 * list, or a foreign one with the channel's probability). 4 draws per terminal, index order.
 */
export function drawTerminalContext(s: RandomStream, count: number): TerminalContext {
  const country: string[] = [];
  const mcc: string[] = [];
  const channel = new Uint8Array(count);
  for (let i = 0; i < count; i += 1) {
    const ch: Channel = pick(s, TERMINAL_CHANNELS);
    channel[i] = CHANNELS.indexOf(ch);
    mcc.push(pick(s, MCC_BY_CHANNEL[ch]));
    const foreign = s.uniform() < FOREIGN_MERCHANT_PROBABILITY[ch];
    country.push(pick(s, foreign ? FOREIGN_COUNTRIES : HOME_COUNTRIES));
  }
  return { country, channel, mcc };
}
