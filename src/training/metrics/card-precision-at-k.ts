import { assertBinaryScores, type Labels, type Scores } from './binary-scores';
import { denseIndex } from './dense-index';

/** Card identifiers, one per transaction: strings or numbers (compared as described below). */
export type CardIds = ArrayLike<string | number>;

/** Per-transaction inputs of {@link cardPrecisionAtK}; all arrays have one entry per row. */
export interface CardPrecisionInput {
  readonly scores: Scores;
  readonly labels: Labels;
  readonly cardIds: CardIds;
  /** Day index of each transaction (e.g. whole days since the dataset start); grouped by exact value. */
  readonly days: ArrayLike<number>;
}

/** One test day of Card Precision@k. */
export interface CardPrecisionDay {
  readonly day: number;
  /** Fraudulent cards in the day's top k divided by k, in [0, 1]. */
  readonly precision: number;
  /** Distinct cards still under watch (not detected on an earlier day) that transacted that day. */
  readonly cards: number;
  /** Of those, cards with at least one fraudulent transaction that day. */
  readonly compromisedCards: number;
  /** Compromised cards found in the top k; they are excluded from all later days. */
  readonly detectedCards: number;
}

/** Card Precision@k: the mean daily precision and the per-day detail, days in increasing order. */
export interface CardPrecisionResult {
  readonly k: number;
  /** Mean of the daily precisions; NaN when there are no rows. */
  readonly mean: number;
  readonly perDay: readonly CardPrecisionDay[];
}

/**
 * Card Precision@k as defined by the handbook *Reproducible Machine Learning for Credit Card Fraud
 * Detection* (Le Borgne et al., `card_precision_top_k`). For each day in increasing order:
 * transactions of cards detected on earlier days are dropped; the rest are grouped by card, taking
 * the maximum score and the maximum label; cards are ranked by that score, descending; the top k
 * are "alerted"; precision = (compromised cards among them) / k, dividing by k even when the day
 * has fewer cards; the compromised cards alerted become detected. The result is the mean over days
 * that have at least one transaction.
 *
 * Tie rule (the handbook leaves it to pandas' unstable sort): equal maximum scores are ordered by
 * card id ascending, numerically when both ids are numbers and by UTF-16 code units otherwise.
 *
 * Throws RangeError when the arrays differ in length, a score or day is NaN, a label is not 0/1,
 * or `k` is not a positive integer.
 */
export function cardPrecisionAtK(input: CardPrecisionInput, k = 100): CardPrecisionResult {
  const { scores, labels, cardIds, days } = input;
  if (!(Number.isInteger(k) && k > 0)) throw new RangeError(`k must be a positive integer, got ${k}`);
  assertBinaryScores(scores, labels);
  const n = scores.length;
  if (cardIds.length !== n || days.length !== n) {
    throw new RangeError(`cardIds (${cardIds.length}) and days (${days.length}) must have ${n} entries like scores`);
  }

  const { indexOf: cardOf, keys } = denseIndex(cardIds);
  const { dayValues, rowsByDay, dayStart } = rowsGroupedByDay(days);

  const cardCount = keys.length;
  const detected = new Uint8Array(cardCount);
  const stamp = new Int32Array(cardCount).fill(-1);
  const maxScore = new Float64Array(cardCount);
  const maxLabel = new Uint8Array(cardCount);
  const scratch = new Float64Array(cardCount);
  const byRank = (a: number, b: number): number =>
    (maxScore[b] as number) - (maxScore[a] as number) || compareIds(keys[a] as string | number, keys[b] as string | number);

  const perDay: CardPrecisionDay[] = [];
  for (let d = 0; d < dayValues.length; d += 1) {
    const dayCards: number[] = [];
    for (let r = dayStart[d] as number; r < (dayStart[d + 1] as number); r += 1) {
      const row = rowsByDay[r] as number;
      const card = cardOf[row] as number;
      if (detected[card] === 1) continue;
      const s = scores[row] as number;
      const l = labels[row] as number;
      if (stamp[card] !== d) {
        stamp[card] = d;
        maxScore[card] = s;
        maxLabel[card] = l;
        dayCards.push(card);
      } else {
        if (s > (maxScore[card] as number)) maxScore[card] = s;
        if (l > (maxLabel[card] as number)) maxLabel[card] = l;
      }
    }
    let compromised = 0;
    for (const card of dayCards) compromised += maxLabel[card] as number;
    const top = topK(dayCards, k, maxScore, scratch, byRank);
    let hits = 0;
    for (const card of top) {
      if (maxLabel[card] === 1) {
        hits += 1;
        detected[card] = 1;
      }
    }
    perDay.push({
      day: dayValues[d] as number,
      precision: hits / k,
      cards: dayCards.length,
      compromisedCards: compromised,
      detectedCards: hits,
    });
  }
  const mean = perDay.length === 0 ? Number.NaN : perDay.reduce((sum, p) => sum + p.precision, 0) / perDay.length;
  return { k, mean, perDay };
}

/**
 * The first k cards under `byRank`. Only cards scoring at least the k-th largest score can make
 * it, so those few are found with a native numeric sort and only they meet the comparator.
 */
function topK(
  cards: number[],
  k: number,
  maxScore: Float64Array,
  scratch: Float64Array,
  byRank: (a: number, b: number) => number,
): number[] {
  if (cards.length > k) {
    const scores = scratch.subarray(0, cards.length);
    for (let i = 0; i < cards.length; i += 1) scores[i] = maxScore[cards[i] as number] as number;
    scores.sort();
    const kth = scores[cards.length - k] as number;
    cards = cards.filter((c) => (maxScore[c] as number) >= kth);
  }
  return cards.sort(byRank).slice(0, k);
}

function compareIds(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Row indices bucketed by day (counting sort): rows of day d are rowsByDay[dayStart[d] .. dayStart[d+1]). */
function rowsGroupedByDay(days: ArrayLike<number>): { dayValues: number[]; rowsByDay: Uint32Array; dayStart: Uint32Array } {
  const n = days.length;
  const { indexOf, keys } = denseIndex(days);
  const nan = keys.findIndex((day) => Number.isNaN(day));
  if (nan >= 0) throw new RangeError(`day at row ${indexOf.indexOf(nan)} is NaN`);
  const dayValues = [...keys].sort((a, b) => a - b);
  const rank = new Uint32Array(keys.length);
  const position = new Map(dayValues.map((day, d) => [day, d]));
  keys.forEach((day, i) => {
    rank[i] = position.get(day) as number;
  });
  const dayOf = new Uint32Array(n);
  const dayStart = new Uint32Array(dayValues.length + 1);
  for (let i = 0; i < n; i += 1) {
    const d = rank[indexOf[i] as number] as number;
    dayOf[i] = d;
    dayStart[d + 1] = (dayStart[d + 1] as number) + 1;
  }
  for (let d = 0; d < dayValues.length; d += 1) dayStart[d + 1] = (dayStart[d + 1] as number) + (dayStart[d] as number);
  const fill = dayStart.slice(0, dayValues.length);
  const rowsByDay = new Uint32Array(n);
  for (let i = 0; i < n; i += 1) {
    const d = dayOf[i] as number;
    rowsByDay[fill[d] as number] = i;
    fill[d] = (fill[d] as number) + 1;
  }
  return { dayValues, rowsByDay, dayStart };
}
