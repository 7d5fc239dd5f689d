import { Registry } from 'prom-client';
import { psi, referenceFrom, type DriftReference } from '../../../src/model/drift/drift-reference';
import { DriftMonitor, type DriftModel } from '../../../src/telemetry/drift-monitor';
import { seededRandom } from '../../support/seeded-random';

const NAMES = ['amount', 'channel'];
const T0 = 1_535_760_000; // 2018-09-01T00:00:00Z

/** A model whose reference is `n` draws of amount ~ U(0, 100), channel ∈ {0, 1, 2, 3} uniform, score ~ U(0, 0.1). */
function model(version: string, random: () => number, n = 20_000): DriftModel {
  const amount = Float32Array.from({ length: n }, () => random() * 100);
  const channel = Float32Array.from({ length: n }, () => Math.floor(random() * 4));
  const score = Float32Array.from({ length: n }, () => random() * 0.1);
  const drift: DriftReference = { version: 1, featureRows: n, scoreRows: n, features: { amount: referenceFrom(amount), channel: referenceFrom(channel) }, score: referenceFrom(score) };
  return { version, metadata: { featureNames: NAMES, drift } };
}

async function gauges(registry: Registry): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of await registry.getMetricsAsJSON()) {
    for (const v of m.values) out.set(`${m.name}${JSON.stringify(v.labels)}`, v.value);
  }
  return out;
}

describe('DriftMonitor', () => {
  it('exports a small PSI for traffic like the reference and a large one for a shifted feature and score, per window', async () => {
    const random = seededRandom(7);
    const registry = new Registry();
    const monitor = new DriftMonitor(registry);
    const m = model('v1', random);
    // One hour of ordinary traffic, then a second hour in which amounts are five times larger and scores higher.
    for (let i = 0; i < 6_000; i++) monitor.observe(m, [random() * 100, Math.floor(random() * 4)], random() * 0.1, T0 + i * 0.6);
    let g = await gauges(registry);
    expect(g.get('fraud_drift_window_rows{"window":"1h"}')).toBe(6_000);
    expect(g.get('fraud_feature_psi{"feature":"amount","window":"1h"}')).toBeLessThan(0.02);
    expect(g.get('fraud_feature_psi{"feature":"channel","window":"1h"}')).toBeLessThan(0.02);
    expect(g.get('fraud_score_psi{"window":"1h"}')).toBeLessThan(0.02);
    for (let i = 0; i < 6_000; i++) monitor.observe(m, [random() * 500, Math.floor(random() * 4)], 0.05 + random() * 0.2, T0 + 3_600 + i * 0.6);
    g = await gauges(registry);
    // The last hour is all shifted; the day holds both hours.
    expect(g.get('fraud_drift_window_rows{"window":"1h"}')).toBe(6_000);
    expect(g.get('fraud_drift_window_rows{"window":"24h"}')).toBe(12_000);
    expect(g.get('fraud_feature_psi{"feature":"amount","window":"1h"}')).toBeGreaterThan(1);
    expect(g.get('fraud_feature_psi{"feature":"channel","window":"1h"}')).toBeLessThan(0.02);
    expect(g.get('fraud_score_psi{"window":"1h"}')).toBeGreaterThan(1);
    const day = g.get('fraud_feature_psi{"feature":"amount","window":"24h"}') as number;
    expect(day).toBeGreaterThan(0.2);
    expect(day).toBeLessThan(g.get('fraud_feature_psi{"feature":"amount","window":"1h"}') as number);
  });

  it('agrees with psi() on the same counts, drops events older than the window, and restarts with a new champion', async () => {
    const random = seededRandom(11);
    const registry = new Registry();
    const monitor = new DriftMonitor(registry);
    const m = model('v1', random, 5_000);
    const amounts = [5, 15, 15, 95, Number.NaN, 250];
    amounts.forEach((a, i) => monitor.observe(m, [a, 1], 0.01, T0 + 7_200 + i));
    // An hour and a half older than the newest event: outside the hour, inside the day.
    monitor.observe(m, [50, 1], 0.01, T0 + 1_800);
    const g = await gauges(registry);
    const ref = m.metadata.drift as DriftReference;
    const counts = new Array<number>(ref.features.amount?.shares.length ?? 0).fill(0);
    for (const a of amounts) {
      const edges = ref.features.amount?.edges ?? [];
      const bin = Number.isNaN(a) ? edges.length + 1 : edges.filter((e) => e <= a).length;
      counts[bin] = (counts[bin] ?? 0) + 1;
    }
    expect(g.get('fraud_feature_psi{"feature":"amount","window":"1h"}')).toBeCloseTo(psi(ref.features.amount as never, counts), 12);
    expect(g.get('fraud_drift_window_rows{"window":"1h"}')).toBe(6);
    expect(g.get('fraud_drift_window_rows{"window":"24h"}')).toBe(7);

    monitor.observe(model('v2', random, 5_000), [5, 1], 0.01, T0 + 7_300);
    expect((await gauges(registry)).get('fraud_drift_window_rows{"window":"24h"}')).toBe(1);
    // A champion without a reference: nothing exported.
    monitor.observe({ version: 'v3', metadata: { featureNames: NAMES } }, [5, 1], 0.01, T0 + 7_400);
    const none = await gauges(registry);
    expect([...none.keys()].filter((k) => k.startsWith('fraud_feature_psi') || k.startsWith('fraud_drift_window_rows'))).toEqual([]);
  });
});
