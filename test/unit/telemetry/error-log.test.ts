import { createThrottledErrorLog } from '../../../src/telemetry/error-log';

interface Line {
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

function capture(): { lines: Line[]; logger: { error: (fields: Record<string, unknown>, message: string) => void } } {
  const lines: Line[] = [];
  return { lines, logger: { error: (fields, message) => lines.push({ fields, message }) } };
}

describe('createThrottledErrorLog', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('logs the first error of a kind in full and its repeats as one count per interval', () => {
    const { lines, logger } = capture();
    const log = createThrottledErrorLog(logger as never, { intervalMs: 10_000 });
    // 650 failures a second for 3 s, each for another key and connection port: one kind.
    for (let i = 0; i < 1_950; i++) log.report(`reconciliation: dropped decision/tx-${i}`, new Error(`connect ECONNREFUSED 127.0.0.1:${40_000 + (i % 7)}`));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.message).toBe('reconciliation: dropped decision/tx-0');
    expect(lines[0]!.fields.err).toBeInstanceOf(Error);
    jest.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]!.fields.repeated).toBe(1_949);
    expect(lines[1]!.message).toBe('reconciliation: dropped decision/tx-0: the same error 1949 more times in the last 10 s');
    // A quiet interval writes nothing; the next error is logged in full again.
    jest.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(2);
    log.report('reconciliation: dropped decision/tx-9', new Error('connect ECONNREFUSED 127.0.0.1:40001'));
    expect(lines).toHaveLength(3);
    expect(lines[2]!.fields.err).toBeInstanceOf(Error);
    log.close();
  });

  test('keeps different kinds apart and writes pending counts on close', () => {
    const { lines, logger } = capture();
    const log = createThrottledErrorLog(logger as never, { intervalMs: 10_000 });
    for (let i = 0; i < 3; i++) {
      log.report('unhandled request error', new TypeError('x is undefined'));
      log.report('unhandled request error', new RangeError('bad delta'));
      log.report('decision event writer failed', new TypeError('x is undefined'));
    }
    expect(lines.map((l) => l.message)).toEqual(['unhandled request error', 'unhandled request error', 'decision event writer failed']);
    log.close();
    expect(lines.slice(3).map((l) => l.fields.repeated)).toEqual([2, 2, 2]);
  });
});
