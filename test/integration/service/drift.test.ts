import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transaction } from '../../../features';
import { DEFAULT_BENCH_WORLD } from '../../../src/bench/bench-world';
import { historySnapshot } from '../../../src/bench/history-snapshot';
import { loadPeriod } from '../../../src/bench/load-source';
import { startTestService, type TestService } from '../../support/service';

/** The figures a Prometheus scrape shows, by series. */
async function scrape(url: string): Promise<Map<string, number>> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('fraud_feature_psi') && !line.startsWith('fraud_score_psi') && !line.startsWith('fraud_drift_window_rows')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** Sends every transaction (64 at a time); every answer must be a 200. */
async function stream(url: string, txns: readonly Transaction[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < txns.length) {
      const body = JSON.stringify(txns[next++]);
      const res = await fetch(`${url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.text();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

/*
 * The default world (the population the champion was trained on) with 60 days of history in the
 * profiles: a day of its ordinary traffic stays close to the champion's reference distributions;
 * the next day with every amount five times larger drifts, in the amount features and in the
 * score, past the 0.2 the alerts use (k8s/tests/prometheus-rules.test.yaml tests the alert itself).
 */
describe('drift of served traffic (default world)', () => {
  let svc: TestService;
  let days: Transaction[][];
  beforeAll(async () => {
    const world = { ...DEFAULT_BENCH_WORLD, loadDays: 2 };
    const snapshot = await historySnapshot(world, join(__dirname, '../../../data/bench'));
    const period = loadPeriod(world);
    const split = snapshot.endEpochSeconds + 86_400;
    const at = (t: Transaction) => Date.parse(t.timestamp) / 1000;
    days = [period.transactions.filter((t) => at(t) < split), period.transactions.filter((t) => at(t) >= split)];
    svc = await startTestService({
      PROFILE_SNAPSHOT: snapshot.path,
      DECISION_EVENTS: 'off',
      DECISION_DURABILITY: 'async',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'drift-')),
      RULES_FILE: 'none',
    });
  }, 300_000);
  afterAll(async () => {
    await svc?.close();
  });

  it('serves a champion with a reference for every feature and the score', () => {
    const drift = svc.models.champion()?.metadata.drift;
    expect(Object.keys(drift?.features ?? {}).sort()).toEqual([...(svc.models.champion()?.metadata.featureNames ?? [])].sort());
    expect(drift?.score.shares.length).toBeGreaterThan(2);
  });

  it('a day of ordinary traffic stays below the alerts\' 0.2 on the score and every feature; a day of five-fold amounts goes past it', async () => {
    await stream(svc.url, days[0] as Transaction[]);
    const ordinary = await scrape(svc.url);
    expect(ordinary.get('fraud_drift_window_rows{window="24h"}')).toBeGreaterThan(8_000);
    const score = ordinary.get('fraud_score_psi{window="24h"}') as number;
    const features = [...ordinary].filter(([k]) => k.startsWith('fraud_feature_psi') && k.includes('window="24h"'));
    const worst = features.reduce((a, b) => (b[1] > a[1] ? b : a));
    console.log(`drift: ordinary day score PSI ${score.toFixed(4)}, worst feature ${worst[0]} ${worst[1].toFixed(4)}`);
    expect(score).toBeLessThan(0.2);
    expect(worst[1]).toBeLessThan(0.2);
    // Calendar features are not exported: a single day holds no weekend, which is no drift.
    expect(features.map(([k]) => k).filter((k) => /tx_is_weekend|tx_local_hour|tx_is_night/.test(k))).toEqual([]);

    await stream(svc.url, (days[1] as Transaction[]).map((t) => ({ ...t, amountMinor: t.amountMinor * 5 })));
    const shifted = await scrape(svc.url);
    const shiftedScore = shifted.get('fraud_score_psi{window="24h"}') as number;
    const amount = shifted.get('fraud_feature_psi{feature="amount",window="24h"}') as number;
    console.log(`drift: five-fold day score PSI ${shiftedScore.toFixed(3)}, amount ${amount.toFixed(3)}`);
    expect(shiftedScore).toBeGreaterThan(0.2);
    expect(amount).toBeGreaterThan(0.2);
    // The hour window tells the same, on the last hour alone.
    expect(shifted.get('fraud_feature_psi{feature="amount",window="1h"}')).toBeGreaterThan(0.2);
  });
});
