import { DEFAULT_OPTIONS, DEFAULT_SEED } from '../../../src/sim/options';
import { simulate } from '../../../src/sim/simulation';
import { summarize } from '../../../src/sim/summary';

/**
 * The handbook's published data set (Le Borgne et al., "Reproducible Machine Learning for Credit
 * Card Fraud Detection", chapter "Transaction data simulator"): 1,754,155 transactions, 14,681
 * frauds; the generator prints 978 / 9,099 / 4,604 frauds added by scenarios 1 / 2 / 3, which the
 * issue rounds to shares of about 7% / 62% / 31%.
 */
const BOOK = { transactions: 1_754_155, frauds: 14_681, scenarioFrauds: { 1: 978, 2: 9_099, 3: 4_604 } } as const;
const ROUNDED_SHARES = { 1: 0.07, 2: 0.62, 3: 0.31 } as const;
const TOLERANCE = 0.05;

const within = (actual: number, expected: number) => Math.abs(actual / expected - 1);

describe('the default simulation (full handbook-sized run, in memory)', () => {
  const started = Date.now();
  const r = simulate();
  const s = summarize(r);
  const seconds = (Date.now() - started) / 1000;

  it('uses the handbook settings and the default seed', () => {
    expect(DEFAULT_OPTIONS).toMatchObject({ seed: DEFAULT_SEED, customers: 5000, terminals: 10_000, days: 183, startDate: '2018-04-01', radius: 5 });
    expect(r.firstIndex).toBe(0);
    console.log(`default run: ${JSON.stringify(s)} in ${seconds.toFixed(1)} s`);
  });

  it('lands within ±5% of the book on transactions, frauds and fraud rate', () => {
    expect(within(s.transactions, BOOK.transactions)).toBeLessThan(TOLERANCE);
    expect(within(s.frauds, BOOK.frauds)).toBeLessThan(TOLERANCE);
    expect(within(s.fraudRate, BOOK.frauds / BOOK.transactions)).toBeLessThan(TOLERANCE);
    expect(s.labels).toBe(s.frauds);
  });

  it.each([1, 2, 3] as const)("lands within ±5% of the book's share of scenario %p", (k) => {
    const share = (s.byScenario[String(k)] as number) / s.frauds;
    expect(within(share, BOOK.scenarioFrauds[k] / BOOK.frauds)).toBeLessThan(TOLERANCE);
    expect(within(share, ROUNDED_SHARES[k])).toBeLessThan(TOLERANCE);
  });
});
