import { CHARGEBACK_DELAY, createLabelDelay, FIXED_LABEL_DELAY_SECONDS } from '../../../../src/sim/labels/label-delay';

const DAY = 86_400;

describe('label delay models', () => {
  it('fixed: exactly 7 days for every transaction', () => {
    const delay = createLabelDelay('fixed', 1);
    expect(FIXED_LABEL_DELAY_SECONDS).toBe(604_800);
    expect([0, 1, 123_456_789].map(delay)).toEqual([604_800, 604_800, 604_800]);
  });

  describe('chargeback', () => {
    const delay = createLabelDelay('chargeback', 1);
    const delays = Array.from({ length: 50_000 }, (_, i) => delay(i));

    it('is a pure function of (seed, transaction index)', () => {
      expect(delay(42)).toBe(createLabelDelay('chargeback', 1)(42));
      expect(createLabelDelay('chargeback', 2)(42)).not.toBe(delay(42));
    });

    it('lies in [2 days, 120 days + 86399 s], in whole seconds', () => {
      expect(delays.every((d) => Number.isInteger(d) && d >= 2 * DAY && d <= 120 * DAY + DAY - 1)).toBe(true);
    });

    it('has a median of about 20 days and a log-sd of about 0.6 (lognormal body)', () => {
      const days = delays.map((d) => d / DAY).sort((a, b) => a - b);
      // floor(D) + U(0,1) has the median of D to within a fraction of a day.
      expect(days[days.length / 2]).toBeGreaterThan(19.5);
      expect(days[days.length / 2]).toBeLessThan(20.5);
      const q = (p: number) => days[Math.floor(p * days.length)] as number;
      // Between the 16th and 84th percentiles log(D) spans 2 sigma.
      expect((Math.log(q(0.8413)) - Math.log(q(0.1587))) / 2).toBeCloseTo(CHARGEBACK_DELAY.sigma, 1);
      expect(q(0.95) / DAY).toBeLessThan(120);
    });

    it('spreads arrivals over the whole day (second-of-day jitter)', () => {
      const hours = new Array<number>(24).fill(0);
      for (const d of delays) {
        const h = Math.floor((d % DAY) / 3600);
        hours[h] = (hours[h] ?? 0) + 1;
      }
      for (const h of hours) expect(h / delays.length).toBeCloseTo(1 / 24, 2);
    });
  });
});
