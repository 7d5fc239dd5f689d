import Ajv from 'ajv';
import { buildDriftReference } from '../../../src/model/drift/build-reference';
import { binBounds, binLabel } from '../../../src/model/drift/drift-bins';
import { binIndex, driftReferenceSchema, MAX_BINS, psi, PSI_EPSILON, referenceFrom, type BinnedReference } from '../../../src/model/drift/drift-reference';
import { DriftCounter, psiLevel } from '../../../src/model/drift/drift-window';
import { seededRandom } from '../../support/seeded-random';

/** A deterministic stream in [0, 1). */
const uniform = seededRandom;

/** `n` log-normal-ish amounts (EUR), as float32 stores them, scaled by `factor`. */
function amounts(n: number, seed: number, factor = 1): Float32Array {
  const next = uniform(seed);
  return Float32Array.from({ length: n }, () => Math.exp(3 + 1.2 * (next() + next() + next() - 1.5)) * factor);
}

/** Observed counts of `values` in the bins of `r`. */
function countsOf(r: BinnedReference, values: ArrayLike<number>): number[] {
  const counts = new Array<number>(r.shares.length).fill(0);
  for (let i = 0; i < values.length; i++) counts[binIndex(r.edges, values[i] as number)]! += 1;
  return counts;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const ajv = new Ajv({ strict: false });
const validReference = ajv.compile(driftReferenceSchema);
const validBins = ajv.compile(driftReferenceSchema.properties.score);

describe('binIndex', () => {
  it('counts the edges at or below the value; NaN goes to the missing bin after them', () => {
    const edges = [1, 2, 5];
    expect([-Infinity, 0, 1, 1.5, 2, 4.99, 5, 1e9, Infinity].map((v) => binIndex(edges, v))).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 3]);
    expect(binIndex(edges, Number.NaN)).toBe(4);
    expect(binIndex([], 3)).toBe(0);
    expect(binIndex([], Number.NaN)).toBe(1);
  });
});

describe('referenceFrom', () => {
  it('gives one bin per value when there are few distinct values (a code, a flag)', () => {
    const r = referenceFrom([0, 1, 1, 3, 3, 3, Number.NaN, 1], MAX_BINS);
    expect(r.edges).toEqual([1, 3]);
    // 0 | 1 | 3 | missing
    expect(r.shares).toEqual([1 / 8, 3 / 8, 3 / 8, 1 / 8]);
  });

  it('puts edges at the deciles of many distinct values, each bin holding about a tenth', () => {
    const values = amounts(20_000, 3);
    const r = referenceFrom(values);
    expect(r.edges).toHaveLength(MAX_BINS - 1);
    expect([...r.edges].sort((a, b) => a - b)).toEqual(r.edges);
    expect(r.shares).toHaveLength(MAX_BINS + 1);
    for (const share of r.shares.slice(0, MAX_BINS)) expect(share).toBeCloseTo(0.1, 3);
    expect(r.shares[MAX_BINS]).toBe(0);
    expect(sum(r.shares)).toBeCloseTo(1, 12);
    // float32 values give float32 edges: a served float32 value equal to an edge falls in the bin above it.
    for (const e of r.edges) expect(Math.fround(e)).toBe(e);
    expect(validBins(r)).toBe(true);
  });

  it('keeps the first bin non-empty and edges strictly increasing under a heavy mass at one value', () => {
    const values = [...new Array<number>(700).fill(0), ...Array.from({ length: 300 }, (_, i) => 1 + i)];
    const r = referenceFrom(values);
    expect(r.edges[0]).toBeGreaterThan(0);
    for (let i = 1; i < r.edges.length; i++) expect(r.edges[i]).toBeGreaterThan(r.edges[i - 1]!);
    expect(r.shares[0]).toBeGreaterThanOrEqual(0.7);
    expect(sum(r.shares)).toBeCloseTo(1, 12);
  });

  it('has only the missing bin filled for an all-NaN sample, and all-zero shares for an empty one', () => {
    expect(referenceFrom([Number.NaN, Number.NaN])).toEqual({ edges: [], shares: [0, 1] });
    expect(referenceFrom([])).toEqual({ edges: [], shares: [0, 0] });
    expect(referenceFrom([7, 7, 7])).toEqual({ edges: [], shares: [1, 0] });
  });

  it('never makes an infinite edge (JSON has none): infinities fall in the outer bins', () => {
    const few = referenceFrom([1, 2, Infinity, -Infinity]);
    expect(few.edges).toEqual([1, 2]);
    expect(JSON.parse(JSON.stringify(few))).toEqual(few);
    const many = referenceFrom([...Array.from({ length: 100 }, (_, i) => i), ...new Array<number>(50).fill(Infinity)]);
    expect(many.edges.every(Number.isFinite)).toBe(true);
    expect(many.shares[many.edges.length]).toBeGreaterThanOrEqual(50 / 150);
    expect(validBins(JSON.parse(JSON.stringify(many)))).toBe(true);
  });
});

describe('psi', () => {
  const reference = referenceFrom(amounts(50_000, 5));

  it('is about 0 for another sample of the same distribution, and large for a shifted one', () => {
    const same = psi(reference, countsOf(reference, amounts(20_000, 9)));
    const shifted = psi(reference, countsOf(reference, amounts(20_000, 9, 5)));
    expect(same).toBeGreaterThanOrEqual(0);
    expect(same).toBeLessThan(0.01);
    expect(shifted).toBeGreaterThan(1);
    expect(psi(reference, reference.shares.map((s) => s * 1000))).toBeCloseTo(0, 12);
  });

  it('is NaN when nothing was observed, and finite when a side has an empty bin (shares floored)', () => {
    expect(psi(reference, new Array<number>(reference.shares.length).fill(0))).toBeNaN();
    const allMissing = new Array<number>(reference.shares.length).fill(0);
    allMissing[reference.shares.length - 1] = 10;
    const value = psi(reference, allMissing);
    expect(Number.isFinite(value)).toBe(true);
    // Observed all in the missing bin (reference 0, floored at PSI_EPSILON), nothing elsewhere.
    const expected = (1 - PSI_EPSILON) * Math.log(1 / PSI_EPSILON) + sum(reference.shares.slice(0, -1).map((r) => (PSI_EPSILON - r) * Math.log(PSI_EPSILON / r)));
    expect(value).toBeCloseTo(expected, 9);
  });
});

describe('binBounds and binLabel', () => {
  it('names each bin of the edges, the missing one last', () => {
    expect(binBounds([10, 25.5]).map(binLabel)).toEqual(['< 10', '10 – 25.5', '≥ 25.5', 'missing']);
    expect(binBounds([]).map(binLabel)).toEqual(['all values', 'missing']);
    expect(binLabel({ from: 0.0123456789, to: null, missing: false })).toBe('≥ 0.01235');
  });
});

describe('buildDriftReference', () => {
  it('bins every feature column of the rows and the scores; each feature\'s shares sum to 1', () => {
    const names = ['amount', 'tx_channel', 'user_seconds_since_last'];
    const rows = 5_000;
    const a = amounts(rows, 1);
    const next = uniform(2);
    const vectors = new Float32Array(rows * 3);
    for (let r = 0; r < rows; r++) {
      vectors[r * 3] = a[r]!;
      vectors[r * 3 + 1] = Math.floor(next() * 4);
      vectors[r * 3 + 2] = next() < 0.2 ? Number.NaN : next() * 86_400;
    }
    const scores = Float32Array.from({ length: 1_000 }, () => next() ** 4);
    const d = buildDriftReference({ featureNames: names, vectors, scores });
    expect(validReference(d)).toBe(true);
    expect(Object.keys(d.features)).toEqual(names);
    expect([d.featureRows, d.scoreRows]).toEqual([rows, 1_000]);
    for (const f of Object.values(d.features)) expect(sum(f.shares)).toBeCloseTo(1, 12);
    expect(d.features.tx_channel!.edges).toEqual([1, 2, 3]);
    expect(d.features.user_seconds_since_last!.shares.at(-1)).toBeCloseTo(0.2, 1);
    expect(d.features.amount).toEqual(referenceFrom(a));
    expect(d.score).toEqual(referenceFrom(scores));
    expect(() => buildDriftReference({ featureNames: names, vectors: new Float32Array(4), scores })).toThrow('4 values are not rows of 3 features');
  });
});

describe('DriftCounter', () => {
  const names = ['amount', 'tx_channel'];
  const rows = 20_000;
  const sample = (seed: number, factor: number) => {
    const a = amounts(rows, seed, factor);
    const next = uniform(seed + 100);
    const vectors = new Float32Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      vectors[r * 2] = a[r]!;
      vectors[r * 2 + 1] = Math.floor(next() * 4);
    }
    return vectors;
  };
  const reference = buildDriftReference({ featureNames: names, vectors: sample(1, 1), scores: amounts(rows, 4).map((v) => v / 1000) });

  it('gives a small PSI for the reference distribution and a major one for a shifted feature, with shares per bin', () => {
    for (const [factor, expectShift] of [
      [1, false],
      [5, true],
    ] as const) {
      const counter = new DriftCounter(reference, [...names, 'unreferenced']);
      const v = sample(7, factor);
      for (let r = 0; r < rows; r++) counter.addVector([v[r * 2]!, v[r * 2 + 1]!, 0]);
      for (const s of amounts(rows, 8)) counter.addScore(s / 1000);
      const f = counter.figures();
      expect(f.rows).toBe(rows);
      expect(Object.keys(f.features).sort()).toEqual(names.slice().sort());
      expect(f.features.tx_channel!.psi).toBeLessThan(0.01);
      expect(f.score.psi).toBeLessThan(0.01);
      expect(psiLevel(f.features.amount!.psi)).toBe(expectShift ? 'major' : 'stable');
      expect(f.top[0]).toEqual({ feature: expectShift ? 'amount' : f.top[0]!.feature, psi: expect.any(Number) });
      const bins = f.features.amount!.bins;
      expect(bins).toHaveLength(reference.features.amount!.shares.length);
      expect(bins[0]).toMatchObject({ from: null, missing: false });
      expect(bins.at(-1)).toMatchObject({ from: null, to: null, missing: true, observed: 0 });
      expect(sum(bins.map((b) => b.observed ?? 0))).toBeCloseTo(1, 4);
    }
  });

  it('reports null PSI and shares when nothing was observed', () => {
    const f = new DriftCounter(reference, names).figures();
    expect(f.score.psi).toBeNull();
    expect(f.features.amount!.bins.every((b) => b.observed === null)).toBe(true);
    expect(f.top).toEqual([]);
    expect(psiLevel(null)).toBe('none');
  });
});
