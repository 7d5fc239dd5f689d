/**
 * A command's options as data: one definition per option, from which both the parser's
 * configuration (`parseOptions`) and the `--help` text (`renderHelp`) are derived.
 */

interface Described {
  /** What the option does, for `--help` (one line). */
  readonly description: string;
}

/** A flag: present is on, absent is off. */
export interface FlagSpec extends Described {
  readonly type: 'boolean';
}

/** An option with a value; it has a default (shown by `--help`) unless it is required. */
export type ValueSpec = Described & {
  readonly type: 'string';
  /** The value's placeholder in help: FILE, DIR, N, X, ISO, LIST, ... */
  readonly value: string;
} & (
    | {
        /**
         * What applies when the option is absent, as help shows it: a value, or a phrase ("the
         * champion"). A number is also the value the command uses (it reads it from here).
         */
        readonly default: string | number;
        readonly required?: never;
      }
    | { readonly required: true; readonly default?: never }
  );

export type OptionSpec = FlagSpec | ValueSpec;

/** The options of a command (or of one action of a group), by long name without `--`. */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The one definition every command shares for `--json`. */
export const JSON_OPTION = { type: 'boolean', description: 'print one JSON object on stdout (a failure too: {"error": {...}})' } as const satisfies FlagSpec;

/** The flag and its placeholder as help and usage lines show them: `--out FILE`, `--json`. */
export function optionSynopsis(name: string, spec: OptionSpec): string {
  return spec.type === 'boolean' ? `--${name}` : `--${name} ${spec.value}`;
}

/** The default as help shows it: `(required)`, `(default: X)`, or `(default: off)` for a flag. */
export function defaultText(spec: OptionSpec): string {
  if (spec.type === 'boolean') return '(default: off)';
  return spec.required === true ? '(required)' : `(default: ${String(spec.default)})`;
}
