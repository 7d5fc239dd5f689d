import { escapeHtml } from '../training/report/escape-html';
import { formatCount, formatFixed, formatPercent } from '../training/report/format';
import { pageHead } from '../training/report/html-page';
import type { ArmName, RetrainOutcome } from './drive-arm';
import type { ArmFigures, WeekFigures } from './loop-figures';
import { ARM_TITLES, SUMMARY_ROWS } from './loop-summary';
import type { LoopReport } from './run-loop';
import { evenTicks, niceMax, renderSeriesChart, type Series } from './series-chart';

/** The line style of each arm: the app arm as the model line, chargebacks only as the dashed reference. */
const ARM_CLASS: Readonly<Record<ArmName, string>> = { chargebacksOnly: 'reference', withApp: 'model' };

const EXTRA_CSS = 'svg .dot-reference { fill: #9aa5b1; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }';

function armsOf(r: LoopReport): [ArmName, ArmFigures][] {
  return (Object.keys(r.arms) as ArmName[]).map((name) => [name, r.arms[name] as ArmFigures]);
}

/** One chart over the measured weeks: `read` of each arm's week. */
function weeklyChart(r: LoopReport, title: string, yLabel: string, read: (w: WeekFigures) => number | null, yMax: number, format: (v: number) => string): string {
  const weeks = r.period.weeks;
  const series: Series[] = armsOf(r).map(([name, a]) => ({
    label: ARM_TITLES[name],
    className: ARM_CLASS[name],
    points: a.weeks.filter((w) => !w.warmUp).map((w) => [w.week, read(w)] as const),
  }));
  const xTicks = Array.from({ length: weeks }, (_, i) => ({ value: i + 1, label: String(i + 1) }));
  return renderSeriesChart({ title, xLabel: 'measured week', yLabel, xTicks, yMax, yTicks: evenTicks(yMax, format), series });
}

function waveChart(r: LoopReport): string {
  const arms = armsOf(r).filter(([, a]) => a.wave !== null);
  const days = Math.max(1, ...arms.map(([, a]) => a.wave?.dailyAmountStoppedShare.length ?? 0));
  const series: Series[] = arms.map(([name, a]) => ({
    label: ARM_TITLES[name],
    className: ARM_CLASS[name],
    points: (a.wave?.dailyAmountStoppedShare ?? []).map((v, d) => [d + 1, v] as const),
  }));
  const xTicks = Array.from({ length: days }, (_, i) => ({ value: i + 1, label: String(i + 1) }));
  return renderSeriesChart({
    title: 'Merchant wave: share of its fraud amount stopped, per day',
    xLabel: 'day of the wave',
    yLabel: 'fraud amount stopped',
    xTicks,
    yMax: 1,
    yTicks: evenTicks(1, (v) => `${Math.round(v * 100)} %`),
    series,
  });
}

const pct = (v: number | null) => formatPercent(v, 1);

function weeksTable(a: ArmFigures): string {
  const head = ['Week', 'Days', 'Payments', 'Frauds', 'Fraud € stopped', 'Frauds stopped', 'Fraud € missed', 'Friction ‰', 'Unanswered', 'AP', 'AUC', 'Champion'];
  const rows = a.weeks.map(
    (w) =>
      `<tr${w.warmUp ? ' class="muted"' : ''}><th scope="row">${w.warmUp ? `warm-up ${escapeHtml(String(w.week))}` : escapeHtml(String(w.week))}</th><td>${escapeHtml(w.from)} – ${escapeHtml(w.to)}</td>` +
      `<td class="num">${formatCount(w.transactions)}</td><td class="num">${formatCount(w.frauds)}</td><td class="num">${pct(w.fraudAmountStoppedShare)}</td>` +
      `<td class="num">${pct(w.fraudCountStoppedShare)}</td><td class="num">${pct(w.fraudAmountMissedShare)}</td><td class="num">${formatFixed(w.legitimateFrictionPer1000, 1)}</td>` +
      `<td class="num">${formatCount(w.unansweredChallenges)}</td><td class="num">${formatFixed(w.ap, 3)}</td><td class="num">${formatFixed(w.auc, 3)}</td><td><code>${escapeHtml(w.champion ?? '-')}</code></td></tr>`,
  );
  return `<table class="compact"><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function retrainsTable(retrains: readonly RetrainOutcome[]): string {
  if (retrains.length === 0) return '<p class="muted">No retraining ran.</p>';
  const rows = retrains.map((t) => {
    const g = t.gate;
    const gate = g === null || g.challenger === null ? '-' : `AP ${formatFixed(g.challenger.ap, 3)} vs ${formatFixed(g.champion?.ap ?? null, 3)}; recall@1% FPR ${formatFixed(g.challenger.recallAt1pctFpr, 3)} vs ${formatFixed(g.champion?.recallAt1pctFpr ?? null, 3)}`;
    return (
      `<tr class="${t.promoted ? '' : 'muted'}"><th scope="row">${escapeHtml(new Date(t.asOf * 1000).toISOString().slice(0, 10))}</th><td>${t.promoted ? '<strong>promoted</strong>' : 'kept'}</td>` +
      `<td><code>${escapeHtml(t.challenger ?? '-')}</code></td><td>${escapeHtml(gate)}</td><td class="num">${formatCount(t.parityChecked)} / ${formatCount(t.parityMismatches)}</td>` +
      `<td class="num">${formatFixed(t.seconds, 1)}</td><td>${escapeHtml(t.reason)}</td></tr>`
    );
  });
  return (
    '<table class="compact"><thead><tr><th scope="col">As of</th><th scope="col">Outcome</th><th scope="col">Challenger</th><th scope="col">Gate (challenger vs champion, holdout)</th>' +
    `<th scope="col" class="num">Parity checked / mismatches</th><th scope="col" class="num">s</th><th scope="col">Reason</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

function scenarioTable(r: LoopReport): string {
  const arms = armsOf(r);
  const ids = [...new Set(arms.flatMap(([, a]) => a.byScenario.map((s) => s.id)))].sort((a, b) => a - b);
  const rows = ids.map((id) => {
    const cells = arms.map(([, a]) => {
      const s = a.byScenario.find((x) => x.id === id);
      return s === undefined ? '<td class="num">-</td><td class="num">-</td>' : `<td class="num">${pct(s.fraudAmountStoppedShare)}</td><td class="num">${pct(s.fraudCountStoppedShare)}</td>`;
    });
    const any = arms.map(([, a]) => a.byScenario.find((x) => x.id === id)).find((s) => s !== undefined);
    return `<tr><th scope="row">${escapeHtml(`${id} ${any?.name ?? ''}`)}</th><td class="num">${formatCount(any?.frauds ?? 0)}</td>${cells.join('')}</tr>`;
  });
  const head = arms.map(([name]) => `<th scope="col" class="num">${escapeHtml(ARM_TITLES[name])}: € stopped</th><th scope="col" class="num">count stopped</th>`).join('');
  return `<table class="compact"><thead><tr><th scope="col">Scenario</th><th scope="col" class="num">Frauds</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * The loop's page: both arms side by side (the summary over the measured weeks), weekly curves of
 * fraud amount stopped, legitimate friction and AP, the wave's daily curve, then per arm its
 * weeks, retrainings and gate figures, and the scenarios. One self-contained HTML document (inline
 * CSS and SVG, no script); all text escaped. Never throws.
 */
export function renderLoopReport(r: LoopReport): string {
  const arms = armsOf(r);
  const maxFriction = Math.max(1, ...arms.flatMap(([, a]) => a.weeks.filter((w) => !w.warmUp).map((w) => w.legitimateFrictionPer1000 ?? 0)));
  const frictionMax = niceMax(maxFriction);
  const summary = SUMMARY_ROWS.map(([label, read]) => `<tr><th scope="row">${escapeHtml(label)}</th>${arms.map(([, a]) => `<td class="num">${escapeHtml(read(a))}</td>`).join('')}</tr>`).join('');
  return [
    pageHead('Closed loop: chargebacks only vs chargebacks + app', 'styles', EXTRA_CSS),
    '<header class="top"><div>',
    '<h1>Closed loop: what the confirmation app changes</h1>',
    `<p>${formatCount(r.transactions)} simulated payments (${formatCount(r.frauds)} frauds; ${escapeHtml(r.world.customers.toString())} customers, ${escapeHtml(r.world.terminals.toString())} merchants, seed ${escapeHtml(String(r.world.seed))}) · ` +
      `warm-up from ${escapeHtml(r.period.from)} · measured ${escapeHtml(r.period.measuredFrom)} → ${escapeHtml(r.period.to)} (${r.period.weeks} weeks) · retraining every ${r.retrainEveryDays} days` +
      `${r.wave === null ? '' : ` · merchant wave from ${escapeHtml(r.wave.startsAt.slice(0, 10))} (${r.wave.merchants} merchants, ${r.wave.perMerchantPerDay} payments a day each, ${r.wave.days} days)`}</p>`,
    '</div></header>',
    `<section class="card" id="summary"><h2>Both arms over the measured weeks</h2><table class="compact"><thead><tr><th scope="col"></th>${arms.map(([name]) => `<th scope="col" class="num">${escapeHtml(ARM_TITLES[name])}</th>`).join('')}</tr></thead><tbody>${summary}</tbody></table>` +
      `<p class="note">Stopped: declined, or challenged and denied by the owner in the app. Missed: approved. A challenge never answered is held: neither stopped nor missed. Friction: legitimate payments challenged or declined. ` +
      `Users answer after a log-normal time (median ${escapeHtml(String(r.answers.medianMinutes))} min, sigma ${escapeHtml(String(r.answers.sigma))}); ${formatPercent(r.answers.neverShare, 0)} never answer. ` +
      'The wave\'s reaction time is the first moment from which most of its remaining fraud amount is stopped.</p></section>',
    '<div class="grid2">',
    `<section class="card"><h2>Fraud amount stopped</h2>${weeklyChart(r, 'Share of fraud amount stopped, per week', 'fraud amount stopped', (w) => w.fraudAmountStoppedShare, 1, (v) => `${Math.round(v * 100)} %`)}</section>`,
    `<section class="card"><h2>Legitimate friction</h2>${weeklyChart(r, 'Legitimate payments challenged or declined, per 1,000', 'per 1,000 legitimate', (w) => w.legitimateFrictionPer1000, frictionMax, (v) => String(v))}</section>`,
    `<section class="card"><h2>Ranking quality (AP)</h2>${weeklyChart(r, 'Average precision of the served scores, per week', 'AP', (w) => w.ap, 1, (v) => v.toFixed(2))}</section>`,
    r.wave === null ? '' : `<section class="card" id="wave"><h2>The merchant-compromise wave</h2>${waveChart(r)}</section>`,
    '</div>',
    ...arms.map(
      ([name, a]) =>
        `<section class="card arm" id="arm-${name}"><h2>${escapeHtml(ARM_TITLES[name])}</h2><h3>Weeks</h3>${weeksTable(a)}<h3>Retrainings</h3>${retrainsTable(a.retrains)}` +
        (a.errorSamples.length === 0 ? '' : `<h3>Failed requests</h3><ul>${a.errorSamples.map((e) => `<li><code>${escapeHtml(e)}</code></li>`).join('')}</ul>`) +
        '</section>',
    ),
    `<section class="card" id="scenarios"><h2>Fraud stopped by scenario (measured weeks)</h2>${scenarioTable(r)}</section>`,
    `<footer>Generated by fraudctl loop in ${escapeHtml(String(r.seconds))} s. Self-contained: no scripts, no network.</footer>`,
    '</main></body></html>',
    '',
  ].join('\n');
}
