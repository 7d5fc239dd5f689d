import { parseOptions } from '../../../src/cli/args';
import type { OptionSpecs } from '../../../src/cli/options';

const OPTIONS = {
  out: { type: 'string', value: 'FILE', description: 'where', required: true },
  rounds: { type: 'string', value: 'N', description: 'how many', default: 500 },
  json: { type: 'boolean', description: 'JSON' },
} as const satisfies OptionSpecs;

describe('parseOptions', () => {
  it('accepts exactly the defined options; help fields (a default) are not applied', () => {
    expect(parseOptions(['--out', 'x', '--json'], OPTIONS)).toEqual({ values: { out: 'x', json: true }, positionals: [] });
    expect(parseOptions(['--out=x'], OPTIONS).values.rounds).toBeUndefined();
  });

  it('turns an unknown option, a missing value and a stray positional into a UsageError', () => {
    expect(() => parseOptions(['--bogus'], OPTIONS)).toThrow(expect.objectContaining({ name: 'UsageError', message: "Unknown option '--bogus'" }));
    expect(() => parseOptions(['--out'], OPTIONS)).toThrow(expect.objectContaining({ name: 'UsageError', message: expect.stringContaining("Option '--out <value>' argument missing") }));
    expect(() => parseOptions(['extra'], OPTIONS)).toThrow(expect.objectContaining({ name: 'UsageError' }));
    expect(parseOptions(['extra', '--json'], OPTIONS, true)).toEqual({ values: { json: true }, positionals: ['extra'] });
  });
});
