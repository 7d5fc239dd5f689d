import type { ArmName } from './drive-arm';
import type { ArmFigures } from './loop-figures';
import type { LoopReport } from './run-loop';

export const ARM_TITLES: Readonly<Record<ArmName, string>> = { chargebacksOnly: 'chargebacks only', withApp: 'chargebacks + app' };

const pct = (v: number | null, digits = 1) => (v === null ? '-' : `${(100 * v).toFixed(digits)} %`);
const ratio = (n: number, d: number) => (d === 0 ? null : n / d);
const num = (v: number | null, digits = 3) => (v === null ? '-' : v.toFixed(digits));

/** Hours as the summary shows them: `-` without a wave, `never` when it was never stopped. */
const hoursText = (h: number | null | undefined) => (h === undefined ? '-' : h === null ? 'never' : h.toFixed(1));

/** The rows of the side-by-side summary: a label and how to read it off one arm. */
export const SUMMARY_ROWS: readonly [string, (a: ArmFigures) => string][] = [
  ['fraud amount stopped', (a) => pct(a.fraudAmountStoppedShare)],
  ['fraud count stopped', (a) => pct(a.fraudCountStoppedShare)],
  ['fraud amount missed (approved)', (a) => pct(a.fraudAmountMissedShare)],
  ['frauds held, never answered', (a) => String(a.unansweredFrauds)],
  ['legitimate friction', (a) => `${pct(a.legitimateFrictionShare, 2)} (${num(a.legitimateFrictionPer1000, 1)} per 1,000)`],
  ['  of which fraud victims\' own payments', (a) => `${pct(ratio(a.victimFriction, a.legitimate), 2)}`],
  ['unanswered challenges', (a) => String(a.unansweredChallenges)],
  ['AP / AUC of served scores', (a) => `${num(a.ap)} / ${num(a.auc)}`],
  ['wave: amount stopped', (a) => pct(a.wave?.fraudAmountStoppedShare ?? null)],
  ['wave: hours until most is stopped', (a) => hoursText(a.wave === null ? undefined : a.wave.reactionHours)],
  ['wave: same, median merchant', (a) => hoursText(a.wave === null ? undefined : a.wave.medianMerchantReactionHours)],
  ['retrainings / promotions', (a) => `${a.retrains.length} / ${a.promotions}`],
  ['labels sent (app / chargeback)', (a) => `${a.labelsSent.user_confirmation} / ${a.labelsSent.chargeback}`],
  ['failed requests', (a) => String(a.scoreErrors + a.labelErrors)],
  ['wall time', (a) => `${a.wallSeconds.toFixed(0)} s`],
];

/** The plain-text summary `fraudctl loop` prints: the period, then both arms side by side over the measured weeks. */
export function formatLoopSummary(r: LoopReport): string {
  const arms = (Object.keys(r.arms) as ArmName[]).map((name) => [name, r.arms[name] as ArmFigures] as const);
  const width = Math.max(...SUMMARY_ROWS.map(([label]) => label.length));
  const cells = SUMMARY_ROWS.map(([label, read]) => [label, ...arms.map(([, a]) => read(a))] as const);
  const colWidth = arms.map(([name], i) => Math.max(ARM_TITLES[name].length, ...cells.map((c) => (c[i + 1] as string).length)));
  const line = (cols: readonly string[]) => `${(cols[0] as string).padEnd(width)}  ${cols.slice(1).map((c, i) => c.padStart(colWidth[i] as number)).join('  ')}`;
  return [
    `loop: ${r.transactions} transactions (${r.frauds} frauds), warm-up from ${r.period.from}, measured ${r.period.measuredFrom} .. ${r.period.to} (${r.period.weeks} weeks)` +
      (r.wave === null ? '' : `; merchant wave from ${r.wave.startsAt.slice(0, 10)}`),
    line(['', ...arms.map(([name]) => ARM_TITLES[name])]),
    ...cells.map(line),
    '',
  ].join('\n');
}
