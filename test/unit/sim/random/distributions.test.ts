import { lognormal, normal, poisson, sampleWithoutReplacement, uniform, weightedIndex } from '../../../../src/sim/random/distributions';
import { createStream } from '../../../../src/sim/random/stream';

const N = 200_000;

function moments(xs: readonly number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, sd: Math.sqrt(variance) };
}

function draws(f: () => number, n = N): number[] {
  return Array.from({ length: n }, f);
}

describe('distributions (moments on a fixed seed)', () => {
  it('uniform(a, b): mean (a+b)/2, sd (b-a)/sqrt(12), inside [a, b)', () => {
    const s = createStream(1, 'uniform');
    const xs = draws(() => uniform(s, 5, 100));
    const m = moments(xs);
    expect(m.mean).toBeCloseTo(52.5, 0);
    expect(m.sd).toBeCloseTo(95 / Math.sqrt(12), 0);
    expect(xs.every((x) => x >= 5 && x < 100)).toBe(true);
  });

  it('normal(mean, sd): mean, sd, and the 1-sigma mass', () => {
    const s = createStream(1, 'normal');
    const xs = draws(() => normal(s, 43_200, 20_000));
    const m = moments(xs);
    expect(Math.abs(m.mean - 43_200)).toBeLessThan(200);
    expect(Math.abs(m.sd / 20_000 - 1)).toBeLessThan(0.01);
    const within = xs.filter((x) => Math.abs(x - 43_200) < 20_000).length / xs.length;
    expect(within).toBeCloseTo(0.6827, 2);
  });

  it.each([0.3, 2, 3.9, 75])('poisson(%p): integer draws with mean = variance = lambda', (lambda) => {
    const s = createStream(1, 'poisson', lambda * 10);
    const xs = draws(() => poisson(s, lambda));
    expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    const m = moments(xs);
    expect(Math.abs(m.mean / lambda - 1)).toBeLessThan(0.02);
    expect(Math.abs((m.sd * m.sd) / lambda - 1)).toBeLessThan(0.03);
  });

  it('poisson(0) is always 0 and poisson(1) puts e^-1 of its mass on 0', () => {
    const s = createStream(1, 'poisson-0');
    expect(draws(() => poisson(s, 0), 100).every((x) => x === 0)).toBe(true);
    const zeros = draws(() => poisson(s, 1)).filter((x) => x === 0).length / N;
    expect(zeros).toBeCloseTo(Math.exp(-1), 2);
  });

  it('lognormal(mu, sigma): median e^mu, log has sd sigma', () => {
    const s = createStream(1, 'lognormal');
    const xs = draws(() => lognormal(s, Math.log(20), 0.6));
    const sorted = [...xs].sort((a, b) => a - b);
    expect(Math.abs((sorted[N / 2] as number) / 20 - 1)).toBeLessThan(0.01);
    const logs = moments(xs.map(Math.log));
    expect(logs.mean).toBeCloseTo(Math.log(20), 2);
    expect(logs.sd).toBeCloseTo(0.6, 2);
    expect(moments(xs).mean).toBeCloseTo(20 * Math.exp(0.18), 0);
  });

  it('sampleWithoutReplacement: k distinct ascending values in [0, n), every value equally likely', () => {
    const s = createStream(1, 'sample');
    const counts = new Array<number>(10).fill(0);
    const trials = 50_000;
    let wellFormed = true;
    for (let i = 0; i < trials; i += 1) {
      const picked = sampleWithoutReplacement(s, 10, 3);
      const [a, b, c] = picked as [number, number, number];
      wellFormed &&= picked.length === 3 && a < b && b < c && a >= 0 && c < 10;
      for (const p of picked) counts[p] = (counts[p] ?? 0) + 1;
    }
    expect(wellFormed).toBe(true);
    for (const c of counts) expect(Math.abs(c / trials - 0.3)).toBeLessThan(0.01);
    expect(sampleWithoutReplacement(s, 5, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(sampleWithoutReplacement(s, 0, 0)).toEqual([]);
    expect(() => sampleWithoutReplacement(s, 2, 3)).toThrow('cannot sample 3 of 2 without replacement');
  });

  it('sampleWithoutReplacement: all pairs of 4 equally likely (a uniform subset)', () => {
    const s = createStream(2, 'pairs');
    const counts = new Map<string, number>();
    const trials = 60_000;
    for (let i = 0; i < trials; i += 1) {
      const key = sampleWithoutReplacement(s, 4, 2).join(',');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c / trials - 1 / 6)).toBeLessThan(0.01);
  });

  it('weightedIndex follows the weights', () => {
    const s = createStream(1, 'weighted');
    const counts = new Array<number>(3).fill(0);
    for (let i = 0; i < N; i += 1) {
      const k = weightedIndex(s, [1, 0, 3]);
      counts[k] = (counts[k] as number) + 1;
    }
    expect(counts[1]).toBe(0);
    expect((counts[0] as number) / N).toBeCloseTo(0.25, 2);
  });
});
