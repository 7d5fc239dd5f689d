import { FEATURE_NAMES } from '../../../../features';
import { renderReport, type ReportInput } from '../../../../src/training/report';
import { NEVER } from '../../../../src/training/thresholds';
import { syntheticReportInput } from './synthetic-report-input';

const count = (html: string, pattern: RegExp): number => (html.match(pattern) ?? []).length;

describe('renderReport', () => {
  const input = syntheticReportInput();
  const html = renderReport(input);

  it('is one HTML5 document with an inline stylesheet, six inline SVG charts and a small one per feature reference', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(count(html, /<style>/g)).toBe(1);
    // ROC, PR, score histogram, feature importance, reliability diagram, score reference.
    expect(count(html, /<svg class="chart"/g)).toBe(6);
    expect(count(html, /<svg class="spark"/g)).toBe(FEATURE_NAMES.length);
    expect(count(html, /<svg\b/g)).toBe(6 + FEATURE_NAMES.length);
    expect(count(html, /<\/svg>/g)).toBe(6 + FEATURE_NAMES.length);
    // Without a breakdown and a drift reference (older callers): the four charts of before.
    const bare = renderReport({ ...input, breakdown: undefined, drift: undefined });
    expect(count(bare, /<svg\b/g)).toBe(4);
    expect(bare).not.toContain('id="confusion"');
  });

  it('shows the confusion at the thresholds on the test set, with precision and recall of each alert', () => {
    const b = input.breakdown!;
    const t = b.confusion;
    expect(t.rows).toBe(input.testSet.rows);
    expect(t.approved + t.challenged + t.declined).toBe(t.rows);
    const table = (html.match(/<table id="confusion">.*?<\/table>/s) ?? [''])[0];
    const row = (label: string) => (table.match(new RegExp(`<tr><th scope="row">${label}</th>(.*?)</tr>`)) ?? ['', ''])[1];
    const cells = (label: string) => [...(row(label) ?? '').matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(cells('decline').slice(0, 3)).toEqual([t.declinedFrauds, t.declined - t.declinedFrauds, t.declined].map((n) => n.toLocaleString('en-US')));
    expect(cells('approve').slice(0, 3)).toEqual([t.approvedFrauds, t.approved - t.approvedFrauds, t.approved].map((n) => n.toLocaleString('en-US')));
    const flaggedPrecision = (t.challengedFrauds + t.declinedFrauds) / (t.challenged + t.declined);
    expect(html).toContain(`Challenge or decline: precision</th><td class="num">${(flaggedPrecision * 100).toFixed(1)}%`);
    expect(html).toContain(`Decline: recall</th><td class="num">${((t.declinedFrauds / t.frauds) * 100).toFixed(1)}%`);
  });

  it('draws the reliability diagram (one point per non-empty bin) with the Brier score', () => {
    const c = input.breakdown!.calibration;
    expect(count(html, /<circle class="dot-model"/g)).toBe(c.bins.filter((b) => b.rows > 0).length);
    expect(html).toContain(`model (Brier ${c.brier.toFixed(4)})`);
    expect(html).toContain(`Brier score ${c.brier.toFixed(5)}`);
  });

  it('breaks recall down per fraud scenario and quality per channel and amount band', () => {
    const scenarios = (html.match(/<section class="card" id="scenarios">.*?<\/section>/s) ?? [''])[0];
    for (const name of ['#1 amount-threshold', '#2 compromised-terminals', '#3 compromised-customers', 'legitimate']) expect(scenarios).toContain(`<th scope="row">${name}</th>`);
    const byScenario = input.breakdown!.scenarios!;
    expect(byScenario.reduce((n, s) => n + s.rows, 0)).toBe(input.testSet.rows);
    expect(byScenario.filter((s) => s.segment !== 'legitimate').reduce((n, s) => n + s.frauds, 0)).toBe(input.testSet.frauds);
    const byChannel = (html.match(/<table id="by-channel">.*?<\/table>/s) ?? [''])[0];
    for (const c of ['card_present', 'contactless', 'ecommerce', 'atm', 'absent']) expect(byChannel).toContain(`<th scope="row">${c}</th>`);
    const byAmount = (html.match(/<table id="by-amount">.*?<\/table>/s) ?? [''])[0];
    expect([...byAmount.matchAll(/<th scope="row">([^<]*)<\/th>/g)].map((m) => m[1])).toEqual(['&lt; 10', '10–50', '50–200', '200–1000', '≥ 1000']);
    // Without scenarios (a stream without its scenario file, or the decision log), the section says why.
    const page = renderReport({ ...input, breakdown: { ...input.breakdown!, scenarios: null, scenarioNote: 'the dataset carries no fraud scenarios' } });
    expect(page).toContain('Not available: the dataset carries no fraud scenarios.');
  });

  it('shows the drift reference: the score\'s bins and each feature\'s shares with its missing share', () => {
    const d = input.drift!;
    expect(html).toContain(`the model's scores on the validation window (${d.scoreRows.toLocaleString('en-US')} rows)`);
    expect(html).toContain(`the served vectors of the training window (${d.featureRows.toLocaleString('en-US')} rows)`);
    expect(count(html, /<svg class="chart" [^>]*aria-label="Score reference distribution"/g)).toBe(1);
    for (const name of FEATURE_NAMES) expect(html).toContain(`<th scope="row"><code>${name}</code></th>`);
    expect(count(html, /<rect class="bar-missing"/g)).toBe(FEATURE_NAMES.length);
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
    // The thresholds table, and the rule line of the confusion section.
    expect(count(page, />never</g)).toBe(4);
    expect(count(page, /class="marker-/g)).toBe(0);
    expect(page).toContain('ROC undefined: the test set lacks a class');
    expect(page).toContain('<b>—</b>');
    expect(page).toContain('none (first model)');
  });

  it('is deterministic', () => {
    expect(renderReport(syntheticReportInput())).toBe(html);
  });
});
