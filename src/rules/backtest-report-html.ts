import { escapeHtml } from '../training/report/escape-html';
import { formatCount } from '../training/report/format';
import { pageHead } from '../training/report/html-page';
import type { BacktestReport } from './backtest-report';
import { CHANGES, DECISIONS } from './backtest-tally';

const euros = (cents: number): string => `EUR ${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const num = (n: number): string => `<td class="num">${formatCount(n)}</td>`;
const row = (label: string, value: string, note = ''): string => `<tr><th>${escapeHtml(label)}</th><td class="num">${value}</td><td>${escapeHtml(note)}</td></tr>`;

function sourceLine(r: BacktestReport): string {
  const s = r.source;
  const window = `${s.window.from ?? 'the first row'} → ${s.window.to ?? 'the last row'}`;
  if (s.kind === 'dataset') return `dataset ${s.dataset} (stream ${s.events}) · champion ${s.model} · ${s.windowOf} ${window}`;
  return `decision log (${s.log}) · event time ${window}`;
}

function totalsSection(r: BacktestReport): string {
  const t = r.totals;
  const baseline = r.source.kind === 'dataset' ? 'the champion\'s decision without rules' : 'the decision recorded';
  return [
    '<section class="card"><h2>Totals</h2><table class="kv"><tbody>',
    row('Rows evaluated', formatCount(t.rows), `${formatCount(t.frauds)} fraud, ${formatCount(t.legitimate)} legitimate (${formatCount(t.unlabelled)} of them unlabelled)`),
    row('Rule hits', formatCount(t.hits), `on ${formatCount(t.rowsHit)} rows`),
    row('Decisions changed', formatCount(t.changed.total), `vs the baseline: ${baseline}`),
    row('Fraud caught', formatCount(t.fraudCaught.count), `${euros(t.fraudCaught.amountCents)}: fraud the baseline approved, now challenged or declined`),
    row('Legitimate friction added', formatCount(t.frictionAdded.count), `${t.frictionAdded.per1000Legit} per 1,000 legitimate rows: approved by the baseline, now challenged or declined`),
    row('Friction removed', formatCount(t.frictionRemoved.count), 'legitimate rows the baseline challenged or declined, now approved'),
    row('Fraud let through', formatCount(t.fraudLetThrough.count), `${euros(t.fraudLetThrough.amountCents)}: fraud the baseline challenged or declined, now approved`),
    '</tbody></table></section>',
  ].join('\n');
}

function decisionsSection(r: BacktestReport): string {
  const t = r.totals;
  const changes = CHANGES.map((c) => `<tr><th>${escapeHtml(c.replace('->', ' → '))}</th>${num(t.changed.byChange[c])}</tr>`);
  return [
    '<section class="card two-tables"><div><h2>Decisions</h2><table><thead><tr><th>Decision</th><th class="num">Baseline</th><th class="num">With the set</th></tr></thead><tbody>',
    ...DECISIONS.map((d) => `<tr><th>${d}</th>${num(t.baseline[d])}${num(t.after[d])}</tr>`),
    '</tbody></table></div><div><h2>Changes</h2><table><thead><tr><th>From → to</th><th class="num">Rows</th></tr></thead><tbody>',
    ...changes,
    '</tbody></table></div></section>',
  ].join('\n');
}

function rulesSection(r: BacktestReport): string {
  const head = ['Rule', 'Outcome', 'Hits', 'On fraud', 'On legitimate', 'Changed alone', 'Errors', 'Then approve', 'Then challenge', 'Then decline'];
  return [
    '<section class="card"><h2>Per rule</h2><table id="rules"><thead><tr>',
    head.map((h, i) => `<th${i > 1 ? ' class="num"' : ''}>${h}</th>`).join(''),
    '</tr></thead><tbody>',
    ...r.rules.map(
      (x) =>
        `<tr><th><code>${escapeHtml(x.id)}</code></th><td style="white-space: nowrap">${escapeHtml(x.outcome)}</td>${num(x.hits)}${num(x.fraudHits)}${num(x.legitHits)}${num(x.changedAlone)}${num(x.errors)}` +
        `${num(x.after.approve)}${num(x.after.challenge)}${num(x.after.decline)}</tr>`,
    ),
    '</tbody></table>',
    '<p>Hits: rows where the rule\'s condition held, whether or not it changed the decision. Changed alone: rows whose decision changed where this rule was the only hit. ' +
      'Errors: rows where its expression failed (counted as not hit). Then: the decisions of the rows it hit, with the whole set applied.</p>',
    '</section>',
  ].join('\n');
}

/**
 * The backtest as one self-contained HTML5 page (inline CSS, no script, no external reference):
 * the totals, the decisions before and after with the changes by pair, and the per-rule table
 * (`<table id="rules">`). Every string is escaped. Deterministic; never throws.
 */
export function renderBacktestReport(r: BacktestReport): string {
  const title = `Rule set ${r.ruleSet.version}: backtest`;
  const lists = Object.entries(r.lists).map(([name, n]) => `${escapeHtml(name)} ${formatCount(n)}`).join(', ');
  return [
    pageHead(title),
    '<header class="top"><div>',
    `<h1>Rule set <code>${escapeHtml(r.ruleSet.version)}</code>: backtest</h1>`,
    `<p>${escapeHtml(r.ruleSet.file)} · sha256 ${escapeHtml(r.ruleSet.hash.slice(0, 12))}… · ${escapeHtml(sourceLine(r))}</p>`,
    `<p>List entries: ${lists || 'none declared'}</p>`,
    '</div></header>',
    totalsSection(r),
    decisionsSection(r),
    rulesSection(r),
    `<footer>Generated by fraudctl rules test. Self-contained: no scripts, no network.</footer>`,
    '</main></body></html>',
    '',
  ].join('\n');
}
