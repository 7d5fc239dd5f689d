import { parseScrape, serverTimings } from '../../src/bench/server-timings';

const exposition = (timeouts: number) => `# HELP fraud_decision_log_commit_timeouts_total Answers whose record ...
# TYPE fraud_decision_log_commit_timeouts_total counter
fraud_decision_log_commit_timeouts_total ${timeouts}
`;

describe('serverTimings', () => {
  test('counts the answers that took the spill path during the step (the counter delta)', () => {
    expect(serverTimings(parseScrape(exposition(7)), parseScrape(exposition(67))).commitTimeouts).toBe(60);
  });

  test('reads 0 from a server that does not export the counter', () => {
    expect(parseScrape('').commitTimeouts).toBe(0);
  });
});

describe('decisions over a step', () => {
  const decisions = (approve: number, challenge: number, decline: number) => `# TYPE fraud_decisions_total counter
fraud_decisions_total{decision="approve"} ${approve}
fraud_decisions_total{decision="challenge"} ${challenge}
fraud_decisions_total{decision="decline"} ${decline}
`;

  test('counts fresh decisions by outcome (the challenges and declines are the explained answers)', () => {
    expect(serverTimings(parseScrape(decisions(100, 3, 1)), parseScrape(decisions(1_080, 13, 11))).decisions).toEqual({ approve: 980, challenge: 10, decline: 10 });
    expect(parseScrape('').decisions).toEqual({ approve: 0, challenge: 0, decline: 0 });
  });
});
