import { CURRENCY_EXPONENTS } from './currency';
import { isWindow, Op, type Instruction } from './feature-plan';
import { hasMember, SET_NAMES, type ProfileState, type SetName } from './profile-state';
import type { EventTime } from './time';
import { CHANNELS, type Transaction } from './transaction';
import { earliestFraudAge, latestFraudAge, type AgePrefix } from './window-prefix';

/** Writes every feature of the plan into `out`, reading window sums from the filled prefix tables. */
export type Evaluator = (txn: Transaction, time: EventTime, user: ProfileState | null, merchant: ProfileState | null, out: Float32Array) => void;

const CHANNEL_CODE: ReadonlyMap<string, number> = new Map(CHANNELS.map((c, i) => [c, i]));

function localSeconds(time: EventTime): number {
  return time.epochSeconds + time.offsetMinutes * 60;
}

/** The scalar (non-window) feature functions the generated code calls. */
const SCALARS = {
  majorAmount(txn: Transaction): number {
    return txn.amountMinor / 10 ** (CURRENCY_EXPONENTS[txn.currency] ?? 2);
  },
  localHour(time: EventTime): number {
    const s = localSeconds(time);
    return Math.floor((s - Math.floor(s / 86_400) * 86_400) / 3_600);
  },
  isWeekend(time: EventTime): number {
    // 1970-01-01 was a Thursday: (days + 4) mod 7 gives 0 = Sunday .. 6 = Saturday.
    const day = Math.floor(localSeconds(time) / 86_400);
    const dow = (((day + 4) % 7) + 7) % 7;
    return dow === 0 || dow === 6 ? 1 : 0;
  },
  channelCode(txn: Transaction): number {
    return txn.channel === undefined ? Number.NaN : (CHANNEL_CODE.get(txn.channel) ?? Number.NaN);
  },
  mccCode(txn: Transaction): number {
    return txn.mcc === undefined ? Number.NaN : Number(txn.mcc);
  },
  countryMismatch(txn: Transaction): number {
    if (txn.merchantCountry === undefined || txn.userCountry === undefined) return Number.NaN;
    return txn.merchantCountry === txn.userCountry ? 0 : 1;
  },
  secondsSinceLast(state: ProfileState | null, time: EventTime): number {
    if (state === null || state.lastSeen === Number.NEGATIVE_INFINITY) return Number.NaN;
    return Math.max(0, time.epochSeconds - state.lastSeen);
  },
  newMember(user: ProfileState | null, set: SetName, key: string | undefined): number {
    if (user === null || key === undefined) return Number.NaN;
    return hasMember(user, set, key) ? 0 : 1;
  },
  latestFraudAge,
  earliestFraudAge,
};

const MEMBER_KEY: Readonly<Record<SetName, string>> = { merchants: 'txn.merchantId', channels: 'txn.channel', countries: 'txn.merchantCountry' };
const ENTITY_VAR = ['user', 'merchant'];

/** An integer from the plan, checked before it is written into generated source. */
function int(v: number): string {
  if (!Number.isSafeInteger(v)) throw new RangeError(`plan value ${v} is not an integer`);
  return String(v);
}

/** Source of one entity's window features, reading prefix values through `read(field, prefix, age)`. */
function windowSource(i: Instruction, k: string, read: (x: 'n' | 's' | 'f', age: number) => string): string {
  const diff = (x: 'n' | 's' | 'f') => `(${read(x, i.hi)} - ${read(x, i.lo)})`;
  const p = `P[${int(i.prefix)}]`;
  switch (i.op) {
    case Op.Count:
      return `out[${k}] = ${diff('n')};`;
    case Op.SumAmount:
      return `out[${k}] = ${diff('s')} / 100;`;
    case Op.AvgAmount:
      return `{ const n = ${diff('n')}; out[${k}] = n === 0 ? NaN : ${diff('s')} / 100 / n; }`;
    case Op.KnownFrauds:
      return `out[${k}] = ${diff('f')};`;
    case Op.FraudRate:
      return `{ const n = ${diff('n')}; out[${k}] = n === 0 ? NaN : ${diff('f')} / n; }`;
    case Op.AmountToAvg:
      return `{ const n = ${diff('n')}; const s = ${diff('s')}; out[${k}] = n === 0 || s === 0 ? NaN : amount / (s / 100 / n); }`;
    case Op.LatestFraudAge:
      return `out[${k}] = h.latestFraudAge(${p}, ${int(i.lo)}, ${int(i.hi)});`;
    case Op.EarliestFraudAge:
      return `out[${k}] = h.earliestFraudAge(${p}, ${int(i.lo)}, ${int(i.hi)});`;
    default:
      throw new RangeError(`op ${String(i.op)} is not a window aggregate`);
  }
}

function scalarSource(i: Instruction, k: string): string {
  switch (i.op) {
    case Op.Amount:
      return `out[${k}] = amount;`;
    case Op.LocalHour:
      return `out[${k}] = hour;`;
    case Op.IsWeekend:
      return `out[${k}] = h.isWeekend(time);`;
    case Op.IsNight:
      return `out[${k}] = hour <= 6 ? 1 : 0;`;
    case Op.ChannelCode:
      return `out[${k}] = h.channelCode(txn);`;
    case Op.MccCode:
      return `out[${k}] = h.mccCode(txn);`;
    case Op.CountryMismatch:
      return `out[${k}] = h.countryMismatch(txn);`;
    case Op.SecondsSinceLast:
      return `out[${k}] = h.secondsSinceLast(${ENTITY_VAR[i.entity] as string}, time);`;
    case Op.NewMember:
      if (!SET_NAMES.includes(i.set)) throw new RangeError(`unknown set ${i.set}`);
      return `out[${k}] = h.newMember(user, '${i.set}', ${MEMBER_KEY[i.set]});`;
    default:
      throw new RangeError(`op ${String(i.op)} is not a scalar feature`);
  }
}

/**
 * Compiles the plan into one straight-line function (decided once, at start-up): every feature is
 * a store of an expression with its constants folded in, and each prefix value a window reads is
 * loaded once. An interpreter `switch` per feature cost more than the arithmetic itself. The source
 * is generated only from the plan's own integers and names (checked above), never from input; the
 * arithmetic is written in the same order as the definitions' meaning, so results are the same bits
 * a straightforward evaluation gives (tests compare with `windowSum`).
 */
export function compileEvaluator(plan: readonly Instruction[], prefix: readonly AgePrefix[]): Evaluator {
  const body: string[] = ['const amount = h.majorAmount(txn);', 'const hour = h.localHour(time);'];
  plan.forEach((i, k) => {
    if (!isWindow(i)) body.push(scalarSource(i, int(k)));
  });
  for (const entity of [0, 1]) {
    const state = ENTITY_VAR[entity] as string;
    const windows = plan.map((i, k) => ({ i, k })).filter(({ i }) => isWindow(i) && i.entity === entity);
    if (windows.length === 0) continue;
    const loads = new Map<string, string>();
    const read = (p: number) => (x: 'n' | 's' | 'f', age: number) => {
      if (age === 0) return '0';
      const name = `${x}${int(p)}_${int(age)}`;
      const table = `P[${int(p)}]`;
      if (!loads.has(name)) loads.set(name, `const ${name} = ${int(age)} <= ${table}.first ? 0 : ${table}.${x}[${int(age)} < ${table}.last ? ${int(age)} : ${table}.last];`);
      return name;
    };
    const stores = windows.map(({ i, k }) => windowSource(i, int(k), read(i.prefix)));
    body.push(`if (${state} === null) {`, ...windows.map(({ k }) => `out[${int(k)}] = NaN;`), '} else {', ...loads.values(), ...stores, '}');
  }
  const factory = new Function('h', 'P', `'use strict'; return function evaluate(txn, time, user, merchant, out) {\n${body.join('\n')}\n};`) as (
    h: typeof SCALARS,
    p: readonly AgePrefix[],
  ) => Evaluator;
  return factory(SCALARS, prefix);
}
