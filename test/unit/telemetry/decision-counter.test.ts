import { createServiceMetrics, initializeSeries } from '../../../src/telemetry/metrics';

describe('fraud_decisions_total', () => {
  it('shows every increment when the registry is read, each series from 0', async () => {
    const metrics = createServiceMetrics({ defaultMetrics: false });
    initializeSeries(metrics);
    const text = () => metrics.registry.getSingleMetricAsString('fraud_decisions_total');
    expect(await text()).toContain('fraud_decisions_total{decision="challenge"} 0');
    metrics.decisions.approve.inc();
    metrics.decisions.approve.inc();
    metrics.decisions.decline.inc(3);
    const once = await text();
    expect(once).toContain('fraud_decisions_total{decision="approve"} 2');
    expect(once).toContain('fraud_decisions_total{decision="decline"} 3');
    expect(once).toContain('fraud_decisions_total{decision="challenge"} 0');
    // Reading again adds nothing twice; later increments add on.
    metrics.decisions.approve.inc();
    expect(await text()).toContain('fraud_decisions_total{decision="approve"} 3');
    expect(await metrics.registry.metrics()).toContain('fraud_decisions_total{decision="approve"} 3');
  });

  it('refuses what a counter cannot add', () => {
    const metrics = createServiceMetrics({ defaultMetrics: false });
    expect(() => metrics.decisions.approve.inc(-1)).toThrow(TypeError);
    expect(() => metrics.decisions.approve.inc(Number.NaN)).toThrow(TypeError);
  });
});
