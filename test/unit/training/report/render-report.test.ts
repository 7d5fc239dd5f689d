import { renderReport, type ReportInput } from '../../../../src/training/report';
import { NEVER } from '../../../../src/training/thresholds';
import { syntheticReportInput } from './synthetic-report-input';

const count = (html: string, pattern: RegExp): number => (html.match(pattern) ?? []).length;

describe('renderReport', () => {
  const input = syntheticReportInput();
  const html = renderReport(input);

  it('is one HTML5 document with an inline stylesheet and four inline SVG charts', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(count(html, /<style>/g)).toBe(1);
    // ROC, PR, score histogram, feature importance.
    expect(count(html, /<svg\b/g)).toBe(4);
    expect(count(html, /<\/svg>/g)).toBe(4);
  });

  it('references nothing outside the file: no URL, script, link, src or CSS import', () => {
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/\ssrc\s*=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  });

  it('shows the test metrics beside the handbook XGBoost and the difference', () => {
    const withKnownMetrics: ReportInput = {
      ...input,
      metrics: { test: { auc: 0.9, ap: 0.65, cpAt100: 0.303, recallAt1pctFpr: 0.4567 } },
    };
    const page = renderReport(withKnownMetrics);
    const row = (label: string): string => (page.match(new RegExp(`<tr><th scope="row">${label}</th>.*?</tr>`)) ?? [''])[0];
    // 0.900 vs 0.869 → +0.031; 0.650 vs 0.687 → −0.037; 0.303 vs 0.303 → ±0.000.
    expect(row('AUC ROC')).toContain('>0.900<');
    expect(row('AUC ROC')).toContain('>0.869<');
    expect(row('AUC ROC')).toContain('class="num better">+0.031<');
    expect(row('Average precision')).toContain('>0.687<');
    expect(row('Average precision')).toContain('class="num worse">\u22120.037<');
    expect(row('Card Precision@100')).toContain('>±0.000<');
    // The handbook publishes no recall at 1% FPR: shown as a dash, no difference.
    expect(row('Recall at 1% FPR')).toContain('>0.457<');
    expect(count(row('Recall at 1% FPR'), />—</g)).toBe(2);
    // Without validation/prequential metrics those columns disappear.
    expect(page).not.toContain('Prequential');
  });

  it('shows the validation and prequential columns when given', () => {
    const { validation, prequential } = input.metrics;
    expect(html).toContain('Prequential (4 folds)');
    expect(html).toContain(`${(prequential?.mean.auc ?? NaN).toFixed(3)} ± ${(prequential?.std.auc ?? NaN).toFixed(3)}`);
    expect(html).toContain(`>${(validation?.ap ?? NaN).toFixed(3)}<`);
  });

  it('escapes every text it is given', () => {
    const page = renderReport({
      ...input,
      model: { ...input.model, version: 'v1<b>"&\'', trainer: '<img src=x onerror=alert(1)>', params: { '<k>': '</td>' } },
      featureImportance: [{ name: '<script>alert("x")</script>', gain: 10 }, { name: 'amount', gain: 5 }],
    });
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<b>"&');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page).toContain('v1&lt;b&gt;&quot;&amp;&#39;');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('<code>&lt;/td&gt;</code>');
  });

  it('draws the top 20 features by gain with their share of the total gain', () => {
    expect(count(html, /class="bar-gain"/g)).toBe(20);
    expect(html).toContain('top 20 of 24');
    const gains = input.featureImportance.map((f) => f.gain);
    const share = ((gains[0] as number) / gains.reduce((a, b) => a + b, 0)) * 100;
    expect(html).toContain(`>${share.toFixed(1)}%</text>`);
    // The 21st feature onwards is not drawn.
    expect(html).not.toContain('mcc_group');
  });

  it('draws one bar per non-empty histogram bin and marks both thresholds', () => {
    const { legitimate, fraud } = input.testSet.histogram;
    // (Legend swatches have class "swatch …", so they do not match.)
    expect(count(html, /<rect class="bar-legit"/g)).toBe(legitimate.filter((c) => c > 0).length);
    expect(count(html, /<rect class="bar-fraud"/g)).toBe(fraud.filter((c) => c > 0).length);
    expect(count(html, /<line class="marker-(challenge|decline)"/g)).toBe(2);
    expect(html).toContain(`decline ≥ ${input.thresholds.thresholds.decline.toFixed(3)}`);
  });

  it('shows thresholds, their validation rates and the lineage', () => {
    const { thresholds, validation } = input.thresholds;
    expect(html).toContain(`>${thresholds.challenge.toFixed(4)}<`);
    expect(html).toContain(`>${thresholds.decline.toFixed(4)}<`);
    expect(html).toContain(`${((validation.declinePrecision ?? NaN) * 100).toFixed(1)}%`);
    for (const text of [input.model.featureSpecHash, input.model.datasetHash, input.model.parent ?? '', '2018-07-25 → 2018-08-01', 'binary:logistic', '7 days']) {
      expect(html).toContain(text);
    }
  });

  it('says "never" for disabled thresholds and shows dashes for undefined numbers', () => {
    const page = renderReport({
      ...input,
      metrics: { test: { auc: NaN, ap: NaN, cpAt100: NaN, recallAt1pctFpr: NaN } },
      testSet: { ...input.testSet, roc: [], pr: [] },
      thresholds: { ...input.thresholds, thresholds: { challenge: NEVER, decline: NEVER } },
      model: { ...input.model, parent: null },
    });
    expect(count(page, />never</g)).toBe(2);
    expect(count(page, /class="marker-/g)).toBe(0);
    expect(page).toContain('ROC undefined: the test set lacks a class');
    expect(page).toContain('<b>—</b>');
    expect(page).toContain('none (first model)');
  });

  it('is deterministic', () => {
    expect(renderReport(syntheticReportInput())).toBe(html);
  });
});
