import { DEFAULT_ANSWERS, answerDelaySeconds } from '../../../src/loop/confirmation-app';
import { DECISION_CODES, type ArmRun } from '../../../src/loop/drive-arm';
import { armFigures } from '../../../src/loop/loop-figures';
import { MERCHANT_WAVE_DEFAULTS, scenarioSet, simulate, transactionTime } from '../../../src/sim';

const DAY = 86_400;
const SEED = 5;
// Two warm-up weeks, then three measured weeks with a wave on the first measured week's day 3.
const sim = simulate({ seed: SEED, customers: 300, terminals: 600, startDay: 0, days: 35 }, scenarioSet(1, 17));
const measuredFrom = sim.startEpochSeconds + 14 * DAY;
const waveStart = sim.startEpochSeconds + 17 * DAY;
const frame = { sim, measuredFrom, seed: SEED, answers: DEFAULT_ANSWERS, wave: { scenarioId: MERCHANT_WAVE_DEFAULTS.id, startsAt: waveStart } };

/** An arm run whose decisions `decide` picks per row; scores 0.9 for fraud and 0.1 otherwise. */
function runOf(decide: (row: number, fraud: boolean, time: number) => number): ArmRun {
  const n = sim.table.length;
  const decision = Uint8Array.from({ length: n }, (_, row) => decide(row, sim.table.fraud[row] === 1, transactionTime(sim, row)));
  return {
    arm: 'withApp',
    decision,
    score: Float32Array.from({ length: n }, (_, row) => (sim.table.fraud[row] === 1 ? 0.9 : 0.1)),
    degraded: new Uint8Array(n),
    version: Int16Array.from({ length: n }, (_, row) => (transactionTime(sim, row) < measuredFrom + 7 * DAY ? 0 : 1)),
    versions: ['old', 'new'],
    labelsSent: { user_confirmation: 0, chargeback: 0 },
    scoreErrors: 0,
    labelErrors: 0,
    errorSamples: [],
    retrains: [],
    wallSeconds: 1,
  };
}

describe('the loop\'s figures', () => {
  it('partition every fraud into stopped, held unanswered and missed, with the users\' own answers', () => {
    const run = runOf((row, fraud) => (fraud ? [DECISION_CODES.decline, DECISION_CODES.challenge, DECISION_CODES.approve][row % 3]! : row % 50 === 0 ? DECISION_CODES.challenge : DECISION_CODES.approve));
    const f = armFigures(run, frame);
    let frauds = 0;
    let stopped = 0;
    let unanswered = 0;
    let amount = 0;
    let stoppedAmount = 0;
    let legit = 0;
    let friction = 0;
    let victims = 0;
    const lastFraud = new Map<number, number>();
    for (let row = 0; row < sim.table.length; row++) {
      const time = transactionTime(sim, row);
      const customer = sim.table.customer[row] as number;
      const victim = sim.table.fraud[row] === 0 && time - (lastFraud.get(customer) ?? -Infinity) <= 30 * DAY;
      if (sim.table.fraud[row] === 1) lastFraud.set(customer, time);
      if (time < measuredFrom) continue;
      const a = (sim.table.amountMinor[row] as number) / 100;
      if (sim.table.fraud[row] === 1) {
        frauds++;
        amount += a;
        const answered = answerDelaySeconds(SEED, sim.firstIndex + row, DEFAULT_ANSWERS) !== null;
        if (row % 3 === 0 || (row % 3 === 1 && answered)) {
          stopped++;
          stoppedAmount += a;
        } else if (row % 3 === 1) unanswered++;
      } else {
        legit++;
        if (row % 50 === 0) friction++;
        if (row % 50 === 0 && victim) victims++;
      }
    }
    expect(f.frauds).toBe(frauds);
    expect(f.stoppedFrauds).toBe(stopped);
    expect(f.unansweredFrauds).toBe(unanswered);
    expect(f.stoppedFrauds + f.unansweredFrauds + f.missedFrauds).toBe(f.frauds);
    expect(f.fraudAmountStoppedShare).toBeCloseTo(stoppedAmount / amount, 9);
    expect(f.legitimateFrictionShare).toBeCloseTo(friction / legit, 9);
    expect(f.victimFriction).toBe(victims);
    expect(victims).toBeGreaterThan(0);
    expect(f.legitimateFrictionPer1000).toBeCloseTo((1000 * friction) / legit, 6);
    // Weeks: two warm-up weeks (flagged, not in the total), three measured ones that add up to it.
    expect(f.weeks.map((w) => [w.week, w.warmUp])).toEqual([[-1, true], [0, true], [1, false], [2, false], [3, false]]);
    const measured = f.weeks.filter((w) => !w.warmUp);
    expect(measured.reduce((s, w) => s + w.frauds, 0)).toBe(f.frauds);
    expect(measured.reduce((s, w) => s + w.transactions, 0)).toBe(f.transactions);
    expect(measured.map((w) => w.champion)).toEqual(['old', 'new', 'new']);
    expect([f.ap, f.auc]).toEqual([1, 1]);
    // Every scenario of the measured weeks is there, the wave among them.
    expect(f.byScenario.map((s) => s.name)).toEqual(expect.arrayContaining(['amount-threshold', 'card-testing', 'merchant-wave']));
    expect(f.byScenario.reduce((s, x) => s + x.frauds, 0)).toBe(f.frauds);
  });

  it('time the wave: hours from its start until most of what remains is stopped', () => {
    const run = runOf((_row, fraud, time) => (fraud && time >= waveStart + 30 * 3600 ? DECISION_CODES.decline : DECISION_CODES.approve));
    const wave = armFigures(run, frame).wave!;
    expect(wave.frauds).toBeGreaterThan(500);
    expect(wave.reactionHours).toBeGreaterThanOrEqual(30);
    expect(wave.reactionHours).toBeLessThan(31);
    expect(wave.merchantReactionHours).toHaveLength(MERCHANT_WAVE_DEFAULTS.merchants);
    for (const h of wave.merchantReactionHours) expect(h).toBeGreaterThanOrEqual(30);
    expect(wave.medianMerchantReactionHours).toBeLessThan(32);
    expect(wave.dailyAmountStoppedShare[0]).toBe(0);
    expect(wave.dailyAmountStoppedShare.slice(2).every((s) => s === 1)).toBe(true);
    // Nothing stopped: no reaction at all; everything stopped: at once.
    expect(armFigures(runOf(() => DECISION_CODES.approve), frame).wave!.reactionHours).toBeNull();
    // A stretch that is mostly stopped but then falls back is no reaction yet: it must hold at every moment after.
    const relapse = runOf((_r, fraud, time) => (fraud && (time < waveStart + 10 * 3600 || time >= waveStart + 50 * 3600) ? DECISION_CODES.decline : DECISION_CODES.approve));
    expect(armFigures(relapse, frame).wave!.reactionHours).toBeGreaterThanOrEqual(50);
    expect(armFigures(runOf((_r, fraud) => (fraud ? DECISION_CODES.decline : DECISION_CODES.approve)), frame).wave!.reactionHours).toBeLessThan(1);
  });
});
