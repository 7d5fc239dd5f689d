import { Op, type Instruction } from './feature-plan';
import { FIELD_OFFSET, RING_OFFSET, TIERS, TOP_OFFSET, type TierSpec } from './profile-state';

/** A window instruction and the index of the feature it writes. */
export interface WindowFeature {
  readonly i: Instruction;
  readonly k: number;
}

type Field = 'n' | 's' | 'f';

/** An integer from the plan, checked before it is written into generated source. */
export function int(v: number): string {
  if (!Number.isSafeInteger(v)) throw new RangeError(`plan value ${v} is not an integer`);
  return String(v);
}

/** Counter fields an aggregate reads. */
function fieldsOf(op: Op): readonly Field[] {
  switch (op) {
    case Op.Count:
      return ['n'];
    case Op.SumAmount:
      return ['s'];
    case Op.AvgAmount:
    case Op.AmountToAvg:
      return ['n', 's'];
    case Op.KnownFrauds:
      return ['f'];
    case Op.FraudRate:
      return ['n', 'f'];
    case Op.LatestFraudAge:
    case Op.EarliestFraudAge:
      return [];
    default:
      throw new RangeError(`op ${String(op)} is not a window aggregate`);
  }
}

const isFraudAge = (op: Op): boolean => op === Op.LatestFraudAge || op === Op.EarliestFraudAge;

/**
 * Source that computes every window feature of one entity whose state is the non-null variable
 * `state`, for a transaction at epoch seconds `es` of amount `amount` (major units), into `out`.
 *
 * One pass per tier walks the ring from the current bucket back (bucket *age* 0, 1, ...), over the
 * ages whose bucket is visible only (ids in `(top - length, min(top, current)]`, each held by its
 * slot, zeros when empty), and keeps running sums of the counters the tier's features read. The
 * walk is cut into segments at every age where a window starts or ends; the sums at a cut are the
 * prefix sums `x[age]` (sum over visible buckets younger than `age`), and a window `[lo, hi)` is
 * `x[hi] - x[lo]`: counters are integers, so the differences are exact and the result is the same
 * bits a bucket-by-bucket sum gives (an empty slot adds +0 to a sum that starts at +0). Nothing is
 * stored between segments but a few locals. Fraud-age features keep, per segment, the youngest and
 * oldest age whose known-fraud counter is positive.
 */
export function entityWindowSource(windows: readonly WindowFeature[], state: string): string {
  const lines: string[] = [];
  TIERS.forEach((tier, t) => {
    const mine = windows.filter(({ i }) => i.prefix % TIERS.length === t);
    if (mine.length > 0) lines.push(tierSource(mine, state, t, tier));
  });
  return lines.join('\n');
}

function tierSource(windows: readonly WindowFeature[], state: string, t: number, tier: TierSpec): string {
  const L = tier.length;
  const fields = (['n', 's', 'f'] as const).filter((x) => windows.some(({ i }) => fieldsOf(i.op).includes(x) || (x === 'f' && isFraudAge(i.op))));
  const ages = Math.max(...windows.map(({ i }) => i.hi));
  const cuts = [...new Set(windows.flatMap(({ i }) => [i.lo, i.hi]))].filter((a) => a > 0).sort((a, b) => a - b);
  const tracksFraudAge = windows.some(({ i }) => isFraudAge(i.op));
  const ring = RING_OFFSET[t] as number;
  const v = (name: string) => `${name}${int(t)}`;
  const out: string[] = [
    `{ // tier ${tier.name}`,
    `const d = ${state}.data;`,
    `const top = d[${int(TOP_OFFSET + t)}];`,
    `const cur = Math.floor(es / ${int(tier.bucketSeconds)});`,
    `const first = Math.min(${int(ages)}, Math.max(0, cur - top));`,
    `const last = Math.max(first, Math.min(${int(ages)}, cur - (top - ${int(L)})));`,
    `let a = first;`,
    // Slot of bucket `cur - first` (floor division: a float % is a libc call). Every age walked is
    // visible, so its slot holds that bucket (or zeros).
    `let at = (cur - first) - Math.floor((cur - first) / ${int(L)}) * ${int(L)};`,
    ...fields.map((x) => `let ${x} = 0;`),
  ];
  let prev = 0;
  for (const cut of cuts) {
    const seg = `${int(prev)}_${int(cut)}`;
    if (tracksFraudAge) out.push(`let ${v('young')}_${seg} = NaN; let ${v('old')}_${seg} = NaN;`);
    const body: string[] = [];
    for (const x of fields) body.push(`${x} += d[${int(ring + L * FIELD_OFFSET[x])} + at];`);
    if (tracksFraudAge) {
      body.push(`if (d[${int(ring + L * FIELD_OFFSET.f)} + at] > 0) { if (${v('young')}_${seg} !== ${v('young')}_${seg}) ${v('young')}_${seg} = a; ${v('old')}_${seg} = a; }`);
    }
    body.push(`at = at === 0 ? ${int(L - 1)} : at - 1;`);
    out.push(`for (const end = last < ${int(cut)} ? last : ${int(cut)}; a < end; a++) {`, ...body, '}');
    out.push(...fields.map((x) => `const ${v(x)}_${int(cut)} = ${x};`));
    prev = cut;
  }
  const sum = (x: Field, lo: number, hi: number) => (lo === 0 ? `${v(x)}_${int(hi)}` : `(${v(x)}_${int(hi)} - ${v(x)}_${int(lo)})`);
  for (const { i, k } of windows) {
    const segs = segmentsOf(cuts, i.lo, i.hi);
    const young = segs.map((seg) => `${v('young')}_${seg}`);
    const old = segs.map((seg) => `${v('old')}_${seg}`);
    out.push(featureSource(i, int(k), (x) => sum(x, i.lo, i.hi), young, old));
  }
  out.push('}');
  return out.join('\n');
}

/** Names (`lo_hi`) of the segments between consecutive cuts that make up ages `[lo, hi)`. */
function segmentsOf(cuts: readonly number[], lo: number, hi: number): string[] {
  const bounds = [0, ...cuts];
  const segs: string[] = [];
  for (let s = 0; s + 1 < bounds.length; s++) {
    const from = bounds[s] as number;
    const to = bounds[s + 1] as number;
    if (from >= lo && to <= hi) segs.push(`${int(from)}_${int(to)}`);
  }
  return segs;
}

/** The first of `names` that is not NaN, or NaN: `a === a ? a : (b === b ? b : NaN)`. */
function firstNumber(names: readonly string[]): string {
  return names.reduceRight((rest, name) => `(${name} === ${name} ? ${name} : ${rest})`, 'NaN');
}

function featureSource(i: Instruction, k: string, sum: (x: Field) => string, young: readonly string[], old: readonly string[]): string {
  switch (i.op) {
    case Op.Count:
      return `out[${k}] = ${sum('n')};`;
    case Op.SumAmount:
      return `out[${k}] = ${sum('s')} / 100;`;
    case Op.AvgAmount:
      return `{ const n = ${sum('n')}; out[${k}] = n === 0 ? NaN : ${sum('s')} / 100 / n; }`;
    case Op.KnownFrauds:
      return `out[${k}] = ${sum('f')};`;
    case Op.FraudRate:
      return `{ const n = ${sum('n')}; out[${k}] = n === 0 ? NaN : ${sum('f')} / n; }`;
    case Op.AmountToAvg:
      return `{ const n = ${sum('n')}; const s = ${sum('s')}; out[${k}] = n === 0 || s === 0 ? NaN : amount / (s / 100 / n); }`;
    case Op.LatestFraudAge:
      return `out[${k}] = ${firstNumber(young)};`;
    case Op.EarliestFraudAge:
      return `out[${k}] = ${firstNumber([...old].reverse())};`;
    default:
      throw new RangeError(`op ${String(i.op)} is not a window aggregate`);
  }
}
