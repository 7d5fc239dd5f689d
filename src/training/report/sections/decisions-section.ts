import { NEVER } from '../../thresholds';
import { declineQuality, flaggedQuality, type DecisionTally, type SegmentTally } from '../../metrics';
import { escapeHtml } from '../escape-html';
import { formatCount, formatPercent } from '../format';
import { LEGITIMATE, type TestBreakdown } from '../../test-breakdown';
import { formatThreshold } from './thresholds-section';

const pct = (v: number | null): string => formatPercent(v, 1);
const num = (n: number): string => `<td class="num">${formatCount(n)}</td>`;

/** The test set by decision and class at the chosen thresholds, with precision and recall. Never throws. */
export function renderConfusionSection(t: DecisionTally, thresholds: { readonly challenge: number; readonly decline: number }): string {
  const legit = (all: number, fraud: number): number => all - fraud;
  const flagged = flaggedQuality(t);
  const decline = declineQuality(t);
  const row = (label: string, all: number, fraud: number): string =>
    `<tr><th scope="row">${label}</th>${num(fraud)}${num(legit(all, fraud))}${num(all)}<td class="num">${formatPercent(t.rows > 0 ? all / t.rows : Number.NaN)}</td></tr>`;
  return (
    '<section class="card"><h2>Decisions on the test set <span class="muted">at the chosen thresholds</span></h2>' +
    `<p class="rule">challenge ≥ <b>${formatThreshold(thresholds.challenge)}</b> · decline ≥ <b>${formatThreshold(thresholds.decline)}</b>` +
    `${thresholds.decline >= NEVER ? ' (no decline threshold met the targets)' : ''}</p>` +
    '<div class="two-tables"><table id="confusion"><thead><tr><th scope="col">Decision</th><th scope="col" class="num">Fraud</th>' +
    '<th scope="col" class="num">Legitimate</th><th scope="col" class="num">All</th><th scope="col" class="num">Share</th></tr></thead><tbody>' +
    row('approve', t.approved, t.approvedFrauds) +
    row('challenge', t.challenged, t.challengedFrauds) +
    row('decline', t.declined, t.declinedFrauds) +
    `<tr class="strong"><th scope="row">all</th>${num(t.frauds)}${num(t.rows - t.frauds)}${num(t.rows)}<td class="num">100.00%</td></tr>` +
    '</tbody></table><table class="kv"><tbody>' +
    `<tr><th scope="row">Challenge or decline: precision</th><td class="num">${pct(flagged.precision)}</td></tr>` +
    `<tr><th scope="row">Challenge or decline: recall</th><td class="num">${pct(flagged.recall)}</td></tr>` +
    `<tr><th scope="row">Decline: precision</th><td class="num">${pct(decline.precision)}</td></tr>` +
    `<tr><th scope="row">Decline: recall</th><td class="num">${pct(decline.recall)}</td></tr>` +
    '</tbody></table></div></section>'
  );
}

/** The two-level header of a breakdown table: the leading columns, then per alert (its group) rows, recall and precision. */
function groupedHead(lead: readonly [string, ...string[]], precision: string): string {
  const group = (title: string) => `<th scope="colgroup" colspan="3" class="num">${title}</th>`;
  const cols = `<th scope="col" class="num">Rows</th><th scope="col" class="num">Recall</th><th scope="col" class="num">${precision}</th>`;
  const [first, ...numeric] = lead;
  return (
    `<thead><tr>${'<th></th>'.repeat(lead.length)}${group('Challenge or decline')}${group('Decline')}</tr>` +
    `<tr><th scope="col">${first}</th>${numeric.map((c) => `<th scope="col" class="num">${c}</th>`).join('')}${cols}${cols}</tr></thead>`
  );
}

/** Recall per fraud scenario, each scenario's precision against the legitimate rows. Never throws. */
export function renderScenarioSection(b: TestBreakdown): string {
  if (b.scenarios === null) {
    return `<section class="card" id="scenarios"><h2>Recall per fraud scenario</h2><p class="note">Not available: ${escapeHtml(b.scenarioNote)}.</p></section>`;
  }
  const legit = b.scenarios.find((s) => s.segment === LEGITIMATE);
  const falseFlagged = legit === undefined ? 0 : legit.challenged + legit.declined;
  const falseDeclined = legit === undefined ? 0 : legit.declined;
  const ratio = (a: number, d: number): number | null => (d === 0 ? null : a / d);
  const rows = b.scenarios.map((s) => {
    if (s.segment === LEGITIMATE) {
      const dash = '<td class="num muted">—</td>';
      return `<tr class="muted"><th scope="row">${LEGITIMATE}</th>${num(s.rows)}${num(s.challenged + s.declined)}${dash}${dash}${num(s.declined)}${dash}${dash}</tr>`;
    }
    const caught = s.challengedFrauds + s.declinedFrauds;
    return (
      `<tr><th scope="row">${escapeHtml(s.segment)}</th>${num(s.frauds)}${num(caught)}` +
      `<td class="num">${pct(ratio(caught, s.frauds))}</td><td class="num">${pct(ratio(caught, caught + falseFlagged))}</td>` +
      `${num(s.declinedFrauds)}<td class="num">${pct(ratio(s.declinedFrauds, s.frauds))}</td><td class="num">${pct(ratio(s.declinedFrauds, s.declinedFrauds + falseDeclined))}</td></tr>`
    );
  });
  return (
    '<section class="card" id="scenarios"><h2>Recall per fraud scenario <span class="muted">test set</span></h2>' +
    `<table>${groupedHead(['Scenario', 'Frauds'], 'Precision*')}<tbody>${rows.join('')}</tbody></table>` +
    `<p class="note">Scenario: ${escapeHtml(b.scenarioNote)}. The legitimate row gives the false alerts. *Every row of a scenario is fraud, so its ` +
    'precision is taken against the legitimate rows only (its caught frauds over those plus the legitimate rows alerted, other scenarios left ' +
    'out): how precise the alerts would be if that were the only fraud.</p></section>'
  );
}

/** One table of segments: rows and fraud, then per alert its rows, recall and precision. */
function segmentTable(id: string, title: string, segments: readonly SegmentTally[]): string {
  const rows = segments.map((s) => {
    const f = flaggedQuality(s);
    const d = declineQuality(s);
    return (
      `<tr><th scope="row">${escapeHtml(s.segment)}</th>${num(s.rows)}${num(s.frauds)}` +
      `${num(s.challenged + s.declined)}<td class="num">${pct(f.recall)}</td><td class="num">${pct(f.precision)}</td>` +
      `${num(s.declined)}<td class="num">${pct(d.recall)}</td><td class="num">${pct(d.precision)}</td></tr>`
    );
  });
  const head = groupedHead(['Segment', 'Rows', 'Fraud'], 'Precision');
  return `<h3>${escapeHtml(title)}</h3><table id="${id}">${head}<tbody>${rows.join('')}</tbody></table>`;
}

/** Precision and recall per channel and per amount band. Never throws. */
export function renderSegmentsSection(b: TestBreakdown): string {
  return (
    '<section class="card" id="segments"><h2>Per segment <span class="muted">test set</span></h2>' +
    segmentTable('by-channel', 'Channel', b.channels) +
    segmentTable('by-amount', 'Amount (EUR)', b.amountBands) +
    '<p class="note">Channel and amount as the model saw them: the <code>tx_channel</code> feature and the <code>amount</code> feature (the ' +
    'transaction\'s amount in EUR at the rate of its day). Recall and precision of "challenge or decline" and of "decline" within each segment.</p></section>'
  );
}
