import { referenceCents } from './currency-rates';
import { isWindow, Op, type Instruction } from './feature-plan';
import { hasMemberAt, PROFILE_HORIZON_SECONDS, SET_NAMES, type ProfileState, type SetName } from './profile-state';
import type { EventTime } from './time';
import { CHANNELS, type Transaction } from './transaction';
import { entityWindowSource, int } from './window-source';

/** Writes every feature of the plan into `out`. */
export type Evaluator = (txn: Transaction, time: EventTime, user: ProfileState | null, merchant: ProfileState | null, out: Float32Array) => void;

const CHANNEL_CODE: ReadonlyMap<string, number> = new Map(CHANNELS.map((c, i) => [c, i]));

function localSeconds(time: EventTime): number {
  return time.epochSeconds + time.offsetMinutes * 60;
}

/** The scalar (non-window) feature functions the generated code calls. */
const SCALARS = {
  /** The amount in the reference currency's major units, at the rate of the event's day. */
  majorAmount(txn: Transaction, epochSeconds: number): number {
    return referenceCents(txn.amountMinor, txn.currency, epochSeconds) / 100;
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
    if (state === null) return Number.NaN;
    // A latest transaction a horizon old or more counts as none (lastSeen -Infinity: never one).
    const since = time.epochSeconds - state.lastSeen;
    return since >= PROFILE_HORIZON_SECONDS ? Number.NaN : Math.max(0, since);
  },
  newMember(user: ProfileState | null, set: SetName, key: string | undefined, t: number): number {
    if (user === null || key === undefined) return Number.NaN;
    return hasMemberAt(user, set, key, t) ? 0 : 1;
  },
};

const MEMBER_KEY: Readonly<Record<SetName, string>> = { merchants: 'txn.merchantId', channels: 'txn.channel', countries: 'txn.merchantCountry' };
const ENTITY_VAR = ['user', 'merchant'];

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
      return `out[${k}] = h.newMember(user, '${i.set}', ${MEMBER_KEY[i.set]}, es);`;
    default:
      throw new RangeError(`op ${String(i.op)} is not a scalar feature`);
  }
}

/** The name debuggers list the generated evaluator under (its `//# sourceURL`) and stack traces show. */
export const EVALUATOR_SOURCE_URL = 'fraud-features/evaluator.generated.js';

/** A feature name, checked before it is written into a comment of the generated source. */
function commentName(name: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new RangeError(`feature name ${JSON.stringify(name)} is not an identifier`);
  return name;
}

/**
 * The plan as one straight-line function: every feature is a store of an expression with its
 * constants folded in, and each entity's windows are one walk per tier over its ring
 * (`window-source.ts`): an interpreter `switch` per feature costs more than the arithmetic itself,
 * and prefix tables filled per call more than the walk. The source is generated only from the
 * plan's own integers and the feature names (checked), never from input; the arithmetic is written
 * in the same order as the definitions' meaning, so results are the same bits a straightforward
 * evaluation gives (tests compare with `windowSum`). Returns the body of `new Function('h', body)`,
 * `h` being {@link SCALARS}.
 */
function factoryBody(plan: readonly Instruction[], names: readonly string[]): string {
  if (names.length !== plan.length) throw new RangeError(`${names.length} feature names for ${plan.length} instructions`);
  const head = [
    "'use strict';",
    '// Generated by features/feature-evaluator.ts from the feature plan (features/definitions.ts): read, do not edit.',
    '// `h` holds the scalar helpers (SCALARS in feature-evaluator.ts); evaluate writes feature k to out[k]:',
    ...names.map((name, k) => `//   out[${int(k)}] ${commentName(name)}`),
  ];
  const body: string[] = ['const es = time.epochSeconds;', 'const amount = h.majorAmount(txn, es);', 'const hour = h.localHour(time);'];
  plan.forEach((i, k) => {
    if (!isWindow(i)) body.push(scalarSource(i, int(k)));
  });
  for (const entity of [0, 1]) {
    const state = ENTITY_VAR[entity] as string;
    const windows = plan.map((i, k) => ({ i, k })).filter(({ i }) => isWindow(i) && i.entity === entity);
    if (windows.length === 0) continue;
    body.push(`if (${state} === null) {`, ...windows.map(({ k }) => `out[${int(k)}] = NaN;`), '} else {', entityWindowSource(windows, state), '}');
  }
  return [...head, 'return function evaluate(txn, time, user, merchant, out) {', ...body, '};', `//# sourceURL=${EVALUATOR_SOURCE_URL}`].join('\n');
}

/**
 * The generated evaluator's JavaScript exactly as the engine compiles it (ECMAScript's text of a
 * `new Function('h', body)`), so line N of a stack trace or a breakpoint in
 * {@link EVALUATOR_SOURCE_URL} is line N of this text. `names` are the features' names in plan
 * order (comments only).
 */
export function evaluatorSource(plan: readonly Instruction[], names: readonly string[]): string {
  return `function anonymous(h\n) {\n${factoryBody(plan, names)}\n}\n`;
}

/**
 * Compiles the plan into the function {@link evaluatorSource} shows (decided once, at start-up).
 * Throws a RangeError on a plan value or name that cannot be written into source.
 */
export function compileEvaluator(plan: readonly Instruction[], names: readonly string[]): Evaluator {
  const factory = new Function('h', factoryBody(plan, names)) as (h: typeof SCALARS) => Evaluator;
  return factory(SCALARS);
}
