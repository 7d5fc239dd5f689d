import { computeFeaturesAt, FEATURE_COUNT, FEATURE_NAMES, generatedEvaluatorSource, type EventTime, type Transaction } from '../../../features';
import { compileEvaluator, EVALUATOR_SOURCE_URL, evaluatorSource } from '../../../features/feature-evaluator';
import { PLAN } from '../../../features/feature-plan';
import { main } from '../../../src/cli/fraudctl';

const TXN: Transaction = { transactionId: 't-1', timestamp: '2018-09-01T10:00:00Z', userId: 'c1', merchantId: 'm1', amountMinor: 1_000, currency: 'EUR' };

/** Line and column of the generated evaluator's frame in an error's stack. */
function generatedFrame(err: unknown): { line: number; column: number } {
  const stack = (err as Error).stack ?? '';
  const at = new RegExp(`at evaluate \\(${EVALUATOR_SOURCE_URL.replace(/[.]/g, '\\.')}:(\\d+):(\\d+)\\)`).exec(stack);
  if (at === null) throw new Error(`no frame in ${EVALUATOR_SOURCE_URL}:\n${stack}`);
  return { line: Number(at[1]), column: Number(at[2]) };
}

describe('the generated feature evaluator, as a debugger and a reader see it', () => {
  const source = generatedEvaluatorSource();
  const lines = source.split('\n');

  it('is named by its sourceURL, and a stack trace\'s line in it is that line of the printed source', () => {
    expect(lines.filter((l) => l.startsWith('//# sourceURL='))).toEqual([`//# sourceURL=${EVALUATOR_SOURCE_URL}`]);
    // The evaluator computeFeatures runs, failing on its first line (no event time).
    let thrown: unknown = null;
    try {
      computeFeaturesAt(TXN, null as unknown as EventTime, null, null, new Float32Array(FEATURE_COUNT));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    const { line } = generatedFrame(thrown);
    expect(lines[line - 1]).toBe('const es = time.epochSeconds;');

    // And further down: a user profile that is not one (the frame is the line that reads it).
    let deep: unknown = null;
    try {
      computeFeaturesAt(TXN, { epochSeconds: 1_535_796_000, offsetMinutes: 0 } as EventTime, { data: null } as never, null, new Float32Array(FEATURE_COUNT));
    } catch (err) {
      deep = err;
    }
    const frame = generatedFrame(deep);
    expect(frame.line).toBeGreaterThan(line);
    expect(lines[frame.line - 1]).toMatch(/^out\[\d+\] = .*\buser\b/);
  });

  it('is the text of the compiled function, with every feature named', () => {
    const evaluate = compileEvaluator(PLAN, FEATURE_NAMES);
    expect(source).toBe(evaluatorSource(PLAN, FEATURE_NAMES));
    expect(source.startsWith('function anonymous(h\n) {\n')).toBe(true);
    expect(source).toContain(evaluate.toString());
    FEATURE_NAMES.forEach((name, k) => expect(lines).toContain(`//   out[${k}] ${name}`));
    for (let k = 0; k < FEATURE_COUNT; k++) expect(source).toMatch(new RegExp(`^out\\[${k}\\] = `, 'm'));
  });

  it('writes only checked names into the source', () => {
    const names = [...FEATURE_NAMES];
    names[0] = 'amount\nout[0] = 42;';
    expect(() => compileEvaluator(PLAN, names)).toThrow(RangeError);
    expect(() => compileEvaluator(PLAN, FEATURE_NAMES.slice(1))).toThrow(RangeError);
  });
});

describe('fraudctl spec --evaluator-source', () => {
  function cli() {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, isTTY: false, env: { ...process.env } } as never;
    return { run: (args: string[]) => main(args, io), stdout: () => out.join(''), stderr: () => err.join('') };
  }

  it('prints the generated evaluator, for reading beside a debugger', async () => {
    const c = cli();
    expect(await c.run(['spec', '--evaluator-source'])).toBe(0);
    expect(c.stdout()).toBe(generatedEvaluatorSource());
    expect(c.stderr()).toBe('');
  });

  it('goes alone', async () => {
    const c = cli();
    expect(await c.run(['spec', '--evaluator-source', '--check'])).toBe(2);
    expect(c.stderr()).toContain('--evaluator-source goes alone');
  });
});
