import { FEATURE_NAMES } from '../../../features';
import { AMOUNT_BANDS, amountBand, channelOfCode, testBreakdown } from '../../../src/training/test-breakdown';

const cols = FEATURE_NAMES.length;
const AMOUNT = FEATURE_NAMES.indexOf('amount');
const CHANNEL = FEATURE_NAMES.indexOf('tx_channel');

/** Vectors with only the amount (EUR) and channel code set. */
function vectors(rows: readonly { eur: number; channel: number }[]): Float32Array {
  const out = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => {
    out[i * cols + AMOUNT] = r.eur;
    out[i * cols + CHANNEL] = r.channel;
  });
  return out;
}

describe('amount bands and channels', () => {
  it('bands EUR amounts at 10, 50, 200 and 1000, exactly at the edges even as float32', () => {
    expect(AMOUNT_BANDS).toEqual(['< 10', '10–50', '50–200', '200–1000', '≥ 1000']);
    expect([0.01, 9.99, 10, 49.99, 50, 199.99, 200, 999.99, 1000, 5e6].map((v) => amountBand(Math.fround(v)))).toEqual([
      '< 10', '< 10', '10–50', '10–50', '50–200', '50–200', '200–1000', '200–1000', '≥ 1000', '≥ 1000',
    ]);
    expect([0, 1, 2, 3, Number.NaN].map(channelOfCode)).toEqual(['card_present', 'contactless', 'ecommerce', 'atm', 'absent']);
  });
});

describe('testBreakdown', () => {
  const rows = [
    { eur: 5, channel: 0, score: 0.1, fraud: 0, scenario: 0 },
    { eur: 300, channel: 2, score: 0.95, fraud: 1, scenario: 1 },
    { eur: 40, channel: 2, score: 0.6, fraud: 1, scenario: 3 },
    { eur: 40, channel: 1, score: 0.6, fraud: 0, scenario: 0 },
    { eur: 1500, channel: Number.NaN, score: 0.2, fraud: 1, scenario: 2 },
  ];
  const input = {
    scores: Float32Array.from(rows, (r) => r.score),
    labels: Uint8Array.from(rows, (r) => r.fraud),
    thresholds: { challenge: 0.5, decline: 0.9 },
    vectors: vectors(rows),
  };

  it('tallies the confusion, per channel, per amount band and per scenario (legitimate rows last)', () => {
    const b = testBreakdown({ ...input, scenarios: { ids: Uint8Array.from(rows, (r) => r.scenario), names: { '1': 'amount-threshold', '2': 'compromised-terminals', '3': 'compromised-customers' } } });
    expect(b.confusion).toEqual({ rows: 5, frauds: 3, approved: 2, approvedFrauds: 1, challenged: 2, challengedFrauds: 1, declined: 1, declinedFrauds: 1 });
    expect(b.channels.map((s) => [s.segment, s.rows, s.frauds])).toEqual([
      ['card_present', 1, 0],
      ['contactless', 1, 0],
      ['ecommerce', 2, 2],
      ['atm', 0, 0],
      ['absent', 1, 1],
    ]);
    expect(b.amountBands.map((s) => [s.segment, s.rows])).toEqual([
      ['< 10', 1],
      ['10–50', 2],
      ['50–200', 0],
      ['200–1000', 1],
      ['≥ 1000', 1],
    ]);
    expect(b.scenarios?.map((s) => [s.segment, s.rows, s.challenged + s.declined])).toEqual([
      ['#1 amount-threshold', 1, 1],
      ['#2 compromised-terminals', 1, 0],
      ['#3 compromised-customers', 1, 1],
      ['legitimate', 2, 1],
    ]);
    expect(b.calibration.rows).toBe(5);
  });

  it('says why there is no per-scenario breakdown when the data has none', () => {
    const b = testBreakdown({ ...input, scenarios: { missing: 'the decision log does not carry it' } });
    expect([b.scenarios, b.scenarioNote]).toEqual([null, 'the decision log does not carry it']);
    expect(() => testBreakdown({ ...input, vectors: new Float32Array(3), scenarios: { missing: '' } })).toThrow(`3 vector values for 5 rows of ${cols} features`);
  });
});
