import type { Transaction } from '../../features';
import { LatencySamples } from '../../src/bench/latency-samples';
import { LoadSource, loadPeriod } from '../../src/bench/load-source';

const txn = (id: string, timestamp: string): Transaction => ({ transactionId: id, timestamp, userId: 'c00001', merchantId: 'm00002', amountMinor: 1234, currency: 'EUR' });

describe('LoadSource', () => {
  it('hands out the period in order, then reuses it under new ids and later timestamps', () => {
    const source = new LoadSource({ transactions: [txn('tx1', '2018-06-01T00:00:10Z'), txn('tx2', '2018-06-01T00:00:20Z')], spanSeconds: 86_400 });
    const bodies = Array.from({ length: 5 }, () => JSON.parse(source.body()) as Transaction);
    expect(bodies.map((b) => b.transactionId)).toEqual(['tx1', 'tx2', 'tx1.r1', 'tx2.r1', 'tx1.r2']);
    expect(bodies.map((b) => b.timestamp)).toEqual(['2018-06-01T00:00:10Z', '2018-06-01T00:00:20Z', '2018-06-02T00:00:10Z', '2018-06-02T00:00:20Z', '2018-06-03T00:00:10Z']);
    expect(bodies[2]).toEqual(expect.objectContaining({ userId: 'c00001', merchantId: 'm00002', amountMinor: 1234 }));
    expect(source.used).toBe(5);
    expect(source.reused).toBe(3);
  });

  it('simulates the days after the history: the world’s users and merchants, distinct ids, later times', () => {
    const period = loadPeriod({ seed: 0, customers: 50, terminals: 100, historyDays: 10, loadDays: 2 });
    expect(period.transactions.length).toBeGreaterThan(50);
    expect(new Set(period.transactions.map((t) => t.transactionId)).size).toBe(period.transactions.length);
    const first = period.transactions[0] as Transaction;
    expect(first.timestamp >= '2018-04-11T00:00:00Z').toBe(true);
    expect(first.userId).toMatch(/^c000[0-4]\d$/);
    expect(first).not.toHaveProperty('type');
  });
});

describe('LatencySamples', () => {
  it('gives nearest-rank quantiles of every sample', () => {
    const s = new LatencySamples();
    for (let i = 100_000; i >= 1; i--) s.add(i / 100);
    expect(s.count).toBe(100_000);
    expect(s.quantile(0.5)).toBe(500);
    expect(s.quantile(0.99)).toBe(990);
    expect(s.quantile(0.999)).toBe(999);
    expect(s.max()).toBe(1000);
    expect(new LatencySamples().quantile(0.5)).toBeNaN();
  });
});
