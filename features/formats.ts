import { COUNTRY_CODES } from './country';
import { CURRENCY_CODES } from './currency';
import { parseRfc3339 } from './time';

const CURRENCIES: ReadonlySet<string> = new Set(CURRENCY_CODES);
const COUNTRIES: ReadonlySet<string> = new Set(COUNTRY_CODES);

/**
 * The string formats the event schemas reference, by name, as predicates. A JSON Schema validator
 * must register exactly these (ajv: `addFormat(name, { type: 'string', validate })`).
 */
export const FORMAT_CHECKERS: Readonly<Record<'rfc3339' | 'iso4217' | 'iso3166-alpha2', (value: string) => boolean>> = {
  rfc3339: (v) => parseRfc3339(v) !== null,
  iso4217: (v) => CURRENCIES.has(v),
  'iso3166-alpha2': (v) => COUNTRIES.has(v),
};
