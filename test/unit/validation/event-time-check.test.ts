import { createEventTimeCheck } from '../../../src/validation/event-time-check';

const NOW_S = Date.parse('2026-03-01T12:00:07Z') / 1000;

describe('createEventTimeCheck', () => {
  it('accepts [now - maxAge, now + maxSkew] in whole seconds of the clock and names the field and the limit outside', () => {
    const check = createEventTimeCheck({ maxSkewSeconds: 300, maxAgeSeconds: 604_800, now: () => NOW_S * 1000 + 999 });
    expect(check(NOW_S + 300, '/timestamp')).toBeNull();
    expect(check(NOW_S - 604_800, '/timestamp')).toBeNull();
    expect(check(NOW_S + 301, '/timestamp')).toEqual({ path: '/timestamp', message: "is more than 300 s in the future (the service's clock reads 2026-03-01T12:00:07Z)" });
    expect(check(NOW_S - 604_801, '/reportedAt')).toEqual({ path: '/reportedAt', message: "is older than 604800 s (the service's clock reads 2026-03-01T12:00:07Z)" });
  });

  it('reads the clock at every call', () => {
    let nowMs = NOW_S * 1000;
    const check = createEventTimeCheck({ maxSkewSeconds: 0, maxAgeSeconds: 60, now: () => nowMs });
    expect(check(NOW_S + 1, '/timestamp')).not.toBeNull();
    nowMs += 1_000;
    expect(check(NOW_S + 1, '/timestamp')).toBeNull();
    nowMs += 61_000;
    expect(check(NOW_S + 1, '/timestamp')?.message).toMatch(/^is older than 60 s/);
  });
});
