import { answerDelaySeconds, checkAnswerBehaviour, DEFAULT_ANSWERS } from '../../../src/loop/confirmation-app';

describe('the confirmation app\'s users', () => {
  const delays = Array.from({ length: 20_000 }, (_, i) => answerDelaySeconds(7, i, DEFAULT_ANSWERS));

  it('answer most held payments within minutes, some after hours, and leave the configured share unanswered', () => {
    const never = delays.filter((d) => d === null).length / delays.length;
    expect(never).toBeGreaterThan(DEFAULT_ANSWERS.neverShare - 0.01);
    expect(never).toBeLessThan(DEFAULT_ANSWERS.neverShare + 0.01);
    const answered = delays.filter((d): d is number => d !== null).sort((a, b) => a - b);
    const median = answered[Math.floor(answered.length / 2)] as number;
    expect(median / 60).toBeGreaterThan(DEFAULT_ANSWERS.medianMinutes * 0.9);
    expect(median / 60).toBeLessThan(DEFAULT_ANSWERS.medianMinutes * 1.1);
    expect(answered.filter((d) => d <= 15 * 60).length / answered.length).toBeGreaterThan(0.85);
    expect(answered.some((d) => d > 3_600)).toBe(true);
    expect(answered[0]).toBeGreaterThanOrEqual(10);
    expect(answered[answered.length - 1]).toBeLessThanOrEqual(2 * 86_400);
  });

  it('give each payment its own answer, the same whenever it is asked (both arms see the same users)', () => {
    expect(Array.from({ length: 1000 }, (_, i) => answerDelaySeconds(7, i, DEFAULT_ANSWERS))).toEqual(delays.slice(0, 1000));
    expect(answerDelaySeconds(8, 1, DEFAULT_ANSWERS)).not.toEqual(answerDelaySeconds(7, 1, DEFAULT_ANSWERS));
    expect(answerDelaySeconds(7, 3, { ...DEFAULT_ANSWERS, neverShare: 1 })).toBeNull();
    expect(Array.from({ length: 200 }, (_, i) => answerDelaySeconds(7, i, { ...DEFAULT_ANSWERS, neverShare: 0 })).every((d) => d !== null)).toBe(true);
  });

  it('refuse a behaviour that cannot be', () => {
    expect(() => checkAnswerBehaviour({ ...DEFAULT_ANSWERS, medianMinutes: 0 })).toThrow(/median answer time/);
    expect(() => checkAnswerBehaviour({ ...DEFAULT_ANSWERS, neverShare: 1.5 })).toThrow(/never answered/);
    expect(() => checkAnswerBehaviour({ ...DEFAULT_ANSWERS, sigma: -1 })).toThrow(/sigma/);
  });
});
