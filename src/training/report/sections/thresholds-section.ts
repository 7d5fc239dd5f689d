import { NEVER, type ThresholdSelection } from '../../thresholds';
import { formatCount, formatFixed, formatPercent } from '../format';

/** A threshold for display: "never" for {@link NEVER} (or above), else 4 decimals. */
export function formatThreshold(value: number): string {
  return value >= NEVER ? 'never' : formatFixed(value, 4);
}

/** The decision thresholds, the targets they were chosen for and their validation rates. Never throws. */
export function renderThresholdsSection(selection: ThresholdSelection): string {
  const { thresholds: t, targets, validation: v } = selection;
  const row = (label: string, value: string): string => `<tr><th scope="row">${label}</th><td class="num">${value}</td></tr>`;
  return (
    '<section class="card"><h2>Decision thresholds</h2>' +
    '<p class="rule">score ≥ <b>decline</b> → decline · <b>challenge</b> ≤ score &lt; decline → challenge · otherwise approve</p>' +
    '<div class="two-tables"><table class="kv"><tbody>' +
    row('Challenge threshold', formatThreshold(t.challenge)) +
    row('Decline threshold', formatThreshold(t.decline)) +
    row('Target: flagged rate ≤', formatPercent(targets.maxChallengeRate)) +
    row('Target: decline precision ≥', formatPercent(targets.minDeclinePrecision, 1)) +
    '</tbody></table><table class="kv"><tbody>' +
    row('Validation rows (fraud)', `${formatCount(v.rows)} (${formatCount(v.frauds)})`) +
    row('Approve / challenge / decline', `${formatPercent(v.approveRate)} / ${formatPercent(v.challengeRate)} / ${formatPercent(v.declineRate)}`) +
    row('Decline precision / recall', `${formatPercent(v.declinePrecision, 1)} / ${formatPercent(v.declineRecall, 1)}`) +
    row('Challenge precision', formatPercent(v.challengePrecision, 1)) +
    row('Flagged precision / recall', `${formatPercent(v.flaggedPrecision, 1)} / ${formatPercent(v.flaggedRecall, 1)}`) +
    '</tbody></table></div></section>'
  );
}
