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
