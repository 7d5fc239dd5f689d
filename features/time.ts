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
  const m = RFC3339.exec(text);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (year < 1 || month < 1 || month > 12 || day < 1) return null;
  const maxDay = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  if (day > maxDay || hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const offHours = Number(m[10]);
    const offMinutes = Number(m[11]);
    if (offHours > 23 || offMinutes > 59) return null;
    offsetMinutes = (offHours * 60 + offMinutes) * (m[9] === '-' ? -1 : 1);
  }
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
