import { Histogram, Registry } from 'prom-client';
import { LeanHistogram } from '../../../src/telemetry/lean-histogram';

const BUCKETS = [0.00001, 0.0005, 0.001, 0.0025, 1];
const VALUES = [0, 0.00001, 0.000011, 0.0004, 0.001, 0.0024, 0.5, 1, 3];

describe('LeanHistogram', () => {
  it('exposes exactly what a prom-client Histogram exposes for the same observations', async () => {
    const lean = new Registry();
    const reference = new Registry();
    const h = new LeanHistogram('t_seconds', 'help text', ['route', 'status'], BUCKETS, lean);
    const p = new Histogram({ name: 't_seconds', help: 'help text', labelNames: ['route', 'status'], buckets: BUCKETS, registers: [reference] });
    const bound = h.child({ status: '200', route: '/v1/score' });
    for (const v of VALUES) {
      bound.observe(v);
      p.observe({ route: '/v1/score', status: '200' }, v);
      h.observe({ route: '/x', status: '404' }, v * 2);
      p.observe({ route: '/x', status: '404' }, v * 2);
    }
    expect(await lean.metrics()).toBe(await reference.metrics());
    expect(await lean.getMetricsAsJSON()).toEqual(await reference.getMetricsAsJSON());
  });

  it('without labels exposes its one series, zeros before the first observation', async () => {
    const lean = new Registry();
    const reference = new Registry();
    const child = new LeanHistogram('u_seconds', 'h', [], BUCKETS, lean).child();
    const p = new Histogram({ name: 'u_seconds', help: 'h', buckets: BUCKETS, registers: [reference] });
    expect(await lean.metrics()).toBe(await reference.metrics());
    child.observe(0.002);
    p.observe(0.002);
    expect(await lean.metrics()).toBe(await reference.metrics());
    expect(await lean.getSingleMetricAsString('u_seconds')).toContain('u_seconds_bucket{le="0.0025"} 1');
  });

  it('ignores non-finite values and refuses unknown or missing labels', async () => {
    const registry = new Registry();
    const h = new LeanHistogram('v_seconds', 'h', ['stage'], BUCKETS, registry);
    const c = h.child({ stage: 'model' });
    c.observe(Number.NaN);
    c.observe(Number.POSITIVE_INFINITY);
    expect(await registry.metrics()).toContain('v_seconds_count{stage="model"} 0');
    expect(() => h.child({})).toThrow('v_seconds: label "stage" is missing');
    expect(() => h.child({ stage: 'x', other: 'y' })).toThrow('v_seconds: unknown label "other"');
  });
});
