import { parseArgs } from 'node:util';
import { UsageError } from './command';

/** What the parser needs of an option definition (an {@link OptionSpecs} entry has more: its help). */
type ParserOptions = Readonly<Record<string, { readonly type: 'string' | 'boolean' }>>;

/** The parsed values: a string per value option, `true` per flag given, absent when not given. */
export type OptionValues<O extends ParserOptions> = { -readonly [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

/**
 * Parses `args` strictly with node's `util.parseArgs`, accepting exactly the options of `options`
 * (normally a command's {@link OptionSpecs}, whose help fields the parser ignores: defaults are
 * applied by the command). Unknown options and stray positionals become a {@link UsageError}.
 */
export function parseOptions<O extends ParserOptions>(args: readonly string[], options: O, allowPositionals = false): { values: OptionValues<O>; positionals: string[] } {
  const config = Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: o.type }]));
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: config, strict: true, allowPositionals });
    return { values: values as OptionValues<O>, positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Parses an integer option; `undefined` gives `fallback`. Throws a UsageError naming `name`. */
export function intOption(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  }
  return Number(value);
}

/** Parses a finite number option; `undefined` gives `fallback`. Throws a UsageError naming `name`. */
export function numberOption(name: string, value: string | undefined, fallback: number, min = -Infinity): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number >= ${min}, got "${value}"`);
  return n;
}

/** Returns a required string option or throws a UsageError naming it. */
export function requireOption(name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}
