/**
 * RFC 3339 date-times, the only time format of the event contract.
 *
 * Accepted: `YYYY-MM-DDTHH:MM:SS[.fraction]` followed by `Z` or a `±HH:MM` offset (the `T` and
 * `Z` may be lower case). Rejected: missing offset, space separator, leap second `:60`, impossible
 * calendar dates (e.g. 2023-02-29), offsets beyond ±23:59.
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** An instant and the UTC offset it was written with. */
export interface EventTime {
  /** Whole seconds since the Unix epoch (floor of the instant; the fraction is dropped). */
  readonly epochSeconds: number;
  /** Offset of the writer's local time from UTC, in minutes (east positive). */
  readonly offsetMinutes: number;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Parses an RFC 3339 date-time. Returns `null` when `text` is not one (never throws), so the same
 * function serves as the JSON Schema format check and as the parser features use.
 */
export function parseRfc3339(text: string): EventTime | null {
  // Scoring and applying one transaction parse its timestamp several times; remember the last one.
  if (text === lastText) return lastResult;
  const result = parse(text);
  lastText = text;
  lastResult = result;
  return result;
}

let lastText: string | undefined;
let lastResult: EventTime | null = null;

function parse(text: string): EventTime | null {
  const fast = parseCompact(text);
  if (fast !== undefined) return fast;
  const m = RFC3339.exec(text);
  if (m === null) return null;
  const z = m[8] !== undefined;
  return fromFields(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), z ? 0 : m[9] === '-' ? -1 : 1, z ? 0 : Number(m[10]), z ? 0 : Number(m[11]));
}

/** Value of the two decimal digits at `at`, or NaN. */
function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : Number.NaN;
}

/**
 * The common shapes without a regex: `YYYY-MM-DDTHH:MM:SSZ` and `YYYY-MM-DDTHH:MM:SS±HH:MM`
 * (upper-case T and Z, no fraction). Returns undefined for any other text, which then goes through
 * the full grammar; for these shapes both give the same result.
 */
function parseCompact(text: string): EventTime | null | undefined {
  const length = text.length;
  if (length !== 20 && length !== 25) return undefined;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  // NaN (a non-digit) anywhere makes the sum NaN.
  if (Number.isNaN(year + month + day + hour + minute + second)) return undefined;
  const sign = text.charCodeAt(19);
  if (length === 20) return sign === 90 ? fromFields(year, month, day, hour, minute, second, 0, 0, 0) : undefined;
  if ((sign !== 43 && sign !== 45) || text.charCodeAt(22) !== 58) return undefined;
  const offHours = twoDigits(text, 20);
  const offMinutes = twoDigits(text, 23);
  if (Number.isNaN(offHours + offMinutes)) return undefined;
  return fromFields(year, month, day, hour, minute, second, sign === 45 ? -1 : 1, offHours, offMinutes);
}

/** The instant of validated-shape fields, or null when a field is out of range. */
function fromFields(year: number, month: number, day: number, hour: number, minute: number, second: number, sign: number, offHours: number, offMinutes: number): EventTime | null {
  if (year < 1 || month < 1 || month > 12 || day < 1) return null;
  const maxDay = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  if (day > maxDay || hour > 23 || minute > 59 || second > 59) return null;
  if (offHours > 23 || offMinutes > 59) return null;
  const offsetMinutes = sign * (offHours * 60 + offMinutes);
  const localSeconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  return { epochSeconds: localSeconds - offsetMinutes * 60, offsetMinutes };
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). Exact integer arithmetic. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Formats whole epoch seconds as an RFC 3339 UTC date-time without fraction
 * (`2018-04-01T00:00:31Z`).
 */
export function formatRfc3339(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');
}
