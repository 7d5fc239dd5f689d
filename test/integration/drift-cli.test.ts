import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEATURE_NAMES, formatRfc3339 } from '../../features';
import { main } from '../../src/cli/fraudctl';
import type { DecisionRecord } from '../../src/records/decision-record';
import { openSqlite } from '../../src/records/sqlite/sqlite-database';
import { SqliteDecisionLog } from '../../src/records/sqlite/sqlite-decision-log';
import { featureSpecHash } from '../../src/model/feature-spec-hash';
import type { DriftReport } from '../../src/model/drift/drift-report';
import { OnnxModel } from '../../src/model/onnx-model';
import { ModelRegistry, type RegistryEntry } from '../../src/model/registry/model-registry';
import { loadDataset, type Dataset } from '../../src/training/dataset/load-dataset';
import { dayStart } from '../../src/training/protocol/time-split';
import { decisionRecord } from '../contract/support/decision-records';
import { CHROMIUM, openInChromium, pageNetworkAttempts } from '../support/headless-chromium';

/*
 * `fraudctl drift`: a small simulated world trained into a temporary registry (the model carries
 * its drift reference), then a decision log written the way the service writes it: the test week's
 * served vectors as they are (the reference distribution, a week later), and the same week with
 * every amount five times larger two weeks later (rescored by the model). The shifted window's
 * PSI of the amount and of the score must exceed 0.2, the unshifted one's stay below 0.1.
 */

const REPO = join(__dirname, '../..');
const DAY = 86_400;
const TEST_WEEK = { from: '2018-08-08', to: '2018-08-15' };
const SHIFT_DAYS = 14;
const SHIFTED_WEEK = { from: '2018-08-22', to: '2018-08-29' };
/** The features that scale with the transaction's own amount. */
const AMOUNT_FEATURES = ['amount', 'user_amount_to_avg_30d', 'user_amount_to_avg_30d_delay7'].map((n) => FEATURE_NAMES.indexOf(n));

const KEYS_DIR = mkdtempSync(join(tmpdir(), 'drift-keys-'));

function cli(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, isTTY: false, env: { ...process.env, DATA_DIR: KEYS_DIR, ...env } } as never;
  return { run: (args: string[]) => main(args, io), out, err: () => err.join(''), json: () => JSON.parse(out.join('')) as Record<string, unknown> };
}

/** The decision log records of the test week's rows: served vectors (amounts × `factor`), the model's scores, event time moved by `shiftDays`. */
async function weekRecords(dataset: Dataset, entry: RegistryEntry, o: { factor: number; shiftDays: number; prefix: string }): Promise<DecisionRecord[]> {
  const cols = FEATURE_NAMES.length;
  const { timestamp, transactionId, userId, merchantId } = dataset.sidecar.columns;
  const rows = timestamp.flatMap((t, r) => (t >= dayStart(TEST_WEEK.from) && t < dayStart(TEST_WEEK.to) ? [r] : []));
  const vectors = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => {
    vectors.set(dataset.matrix.subarray(r * cols, (r + 1) * cols), i * cols);
    for (const f of AMOUNT_FEATURES) vectors[i * cols + f] = (vectors[i * cols + f] as number) * o.factor;
  });
  const model = await OnnxModel.load(entry.dir, entry.metadata, { expectedSpecHash: featureSpecHash(), threads: 2 });
  let scores: Float32Array;
  try {
    scores = await model.scoreBatch(vectors, rows.length);
  } finally {
    await model.close();
  }
  return rows.map((r, i) => {
    const eventTime = (timestamp[r] as number) + o.shiftDays * DAY;
    const id = `${o.prefix}${transactionId[r] as string}`;
    const features = vectors.slice(i * cols, (i + 1) * cols);
    const amountMinor = Math.max(1, Math.round((features[FEATURE_NAMES.indexOf('amount')] as number) * 100));
    return decisionRecord(id, eventTime, {
      transaction: { transactionId: id, timestamp: formatRfc3339(eventTime), userId: userId[r] as string, merchantId: merchantId[r] as string, amountMinor, currency: 'EUR' },
      features,
      featureSpecHash: featureSpecHash(),
      score: scores[i] as number,
      decision: 'approve',
      modelVersion: entry.metadata.version,
    });
  });
}

describe('fraudctl drift', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drift-cli-'));
  const registry = join(dir, 'registry');
  const dataDir = join(dir, 'service-data');
  let entry: RegistryEntry;
  let records: { default: number; shifted: number };

  beforeAll(async () => {
    for (const args of [
      ['simulate', '--out', join(dir, 'events.ndjson'), '--customers', '400', '--terminals', '2000', '--days', '140', '--json'],
      ['build-dataset', '--in', join(dir, 'events.ndjson'), '--out', join(dir, 'dataset'), '--json'],
      ['train', '--dataset', join(dir, 'dataset'), '--registry', registry, '--prequential-folds', '1', '--promote', '--json'],
    ]) {
      const c = cli();
      expect([args[0], await c.run(args), c.err()]).toEqual([args[0], 0, '']);
    }
    entry = new ModelRegistry(registry).champion() as RegistryEntry;
    const dataset = loadDataset(join(dir, 'dataset'));
    const unshifted = await weekRecords(dataset, entry, { factor: 1, shiftDays: 0, prefix: '' });
    const shifted = await weekRecords(dataset, entry, { factor: 5, shiftDays: SHIFT_DAYS, prefix: 'x' });
    const db = openSqlite(join(dataDir, 'fraud.db'));
    const log = new SqliteDecisionLog(db, { batchSize: 500, flushMs: 50, maxBuffered: 1_000_000, spillPath: join(dir, 'spill.ndjson') });
    for (const r of [...unshifted, ...shifted]) log.append(r);
    await log.flush();
    await log.close();
    db.close();
    records = { default: unshifted.length, shifted: shifted.length };
  }, 240_000);

  it('trains a model whose model.json carries a drift reference of every feature and the score, shares summing to 1', () => {
    const m = entry.metadata;
    const drift = m.drift!;
    expect(Object.keys(drift.features)).toEqual([...FEATURE_NAMES]);
    for (const [name, f] of [...Object.entries(drift.features), ['score', drift.score] as const]) {
      expect([name, f.shares.length]).toEqual([name, f.edges.length + 2]);
      expect([name, Math.abs(f.shares.reduce((a, b) => a + b, 0) - 1) < 1e-9]).toEqual([name, true]);
    }
    // Features from the training window, the score from the validation window.
    expect(drift.featureRows).toBe((m.notes as { trainRows: number }).trainRows);
    expect(drift.scoreRows).toBe(m.metrics?.validation?.rows);
    expect(drift.score.edges.length).toBeGreaterThanOrEqual(5);
    // tx_channel: one bin per code.
    expect(drift.features.tx_channel!.edges).toEqual([1, 2, 3]);
    // The dataset carried the simulator's scenarios (simulate wrote them beside the stream).
    const sidecar = JSON.parse(readFileSync(join(dir, 'dataset', 'dataset.json'), 'utf8')) as { scenarios: Record<string, string>; columns: { scenario: number[]; label: number[] } };
    expect(sidecar.scenarios).toEqual({ '1': 'amount-threshold', '2': 'compromised-terminals', '3': 'compromised-customers' });
    expect(sidecar.columns.scenario.filter((s) => s > 0).length).toBeGreaterThan(0);
    // Every labelled fraud is one of the simulator's (its chargeback), so it has a scenario.
    expect(sidecar.columns.label.every((y, r) => y === 0 || (sidecar.columns.scenario[r] as number) > 0)).toBe(true);
    const report = readFileSync(join(entry.dir, 'report.html'), 'utf8');
    for (const id of ['calibration', 'scenarios', 'segments', 'drift-reference']) expect(report).toContain(`id="${id}"`);
    expect(report).toContain('<table id="confusion">');
    expect(report).toContain('<th scope="row">#1 amount-threshold</th>');
  });

  it('finds the shifted week\'s amounts and scores drifted (PSI > 0.2) and the unshifted week stable (< 0.1)', async () => {
    const run = async (week: { from: string; to: string }, report: string) => {
      const c = cli({ DATA_DIR: dataDir, MODEL_REGISTRY_DIR: registry });
      expect([await c.run(['drift', '--since', week.from, '--until', week.to, '--report', report, '--json']), c.err()]).toEqual([0, '']);
      return c.json() as unknown as DriftReport;
    };
    const stable = await run(TEST_WEEK, join(dir, 'stable.html'));
    const drifted = await run(SHIFTED_WEEK, join(dir, 'drifted.html'));
    console.log(
      `fraudctl drift: unshifted week ${stable.rows} rows, score PSI ${stable.score.psi}, amount PSI ${stable.features.amount?.psi}, top ${JSON.stringify(stable.top.slice(0, 3))}; ` +
        `amounts x5: score PSI ${drifted.score.psi}, amount PSI ${drifted.features.amount?.psi}, top ${JSON.stringify(drifted.top.slice(0, 3))}`,
    );
    expect(stable).toMatchObject({
      model: entry.metadata.version,
      log: 'sqlite',
      window: { from: '2018-08-08T00:00:00.000Z', to: '2018-08-15T00:00:00.000Z' },
      rows: records.default,
      scoredRows: records.default,
      skipped: { featureSpec: 0, otherModelScore: 0 },
      thresholds: { stable: 0.1, major: 0.2 },
      alerts: { score: false },
      report: join(dir, 'stable.html'),
    });
    expect(drifted).toMatchObject({ rows: records.shifted, scoredRows: records.shifted, alerts: { score: true } });
    expect(Object.keys(stable.features).sort()).toEqual([...FEATURE_NAMES].sort());
    expect(stable.score.psi).toBeLessThan(0.1);
    expect(stable.features.amount!.psi).toBeLessThan(0.1);
    expect(drifted.score.psi).toBeGreaterThan(0.2);
    expect(drifted.features.amount!.psi).toBeGreaterThan(0.2);
    expect(drifted.alerts.features).toContain('amount');
    expect(stable.alerts.features).not.toContain('amount');
    // Only the amount features changed: the others' figures are the unshifted week's.
    expect(drifted.features.merchant_count_30d).toEqual(stable.features.merchant_count_30d);
    // Bins: the reference's shares, the observed shares summing to 1, the missing bin last; features in decreasing PSI.
    const bins = drifted.features.amount!.bins;
    expect(bins.map((b) => b.reference)).toEqual(entry.metadata.drift!.features.amount!.shares.map((s) => Math.round(s * 1e6) / 1e6));
    expect(bins.reduce((a, b) => a + (b.observed ?? 0), 0)).toBeCloseTo(1, 4);
    expect(bins.at(-1)).toMatchObject({ from: null, to: null, missing: true });
    const psis = Object.values(drifted.features).map((f) => f.psi as number);
    expect(psis).toEqual([...psis].sort((a, b) => b - a));
    expect(drifted.top[0]).toEqual({ feature: Object.keys(drifted.features)[0], psi: psis[0] });

    // The same figures for the model named explicitly, and a text summary without --json.
    const named = cli({ DATA_DIR: dataDir, MODEL_REGISTRY_DIR: registry });
    expect(await named.run(['drift', '--since', SHIFTED_WEEK.from, '--until', SHIFTED_WEEK.to, '--model', entry.metadata.version, '--report', join(dir, 'named.html')])).toBe(0);
    expect(named.out.join('')).toMatch(new RegExp(`^drift of model ${entry.metadata.version} over the decision log \\(sqlite\\) \\[2018-08-22T00:00:00.000Z, 2018-08-29T00:00:00.000Z\\): ${records.shifted} served vectors, ${records.shifted} scored by the model\\n  score PSI \\d+\\.\\d{4} \\(major\\)\\n`));
    expect(named.out.join('')).toMatch(/\n {2}amount +\d+\.\d{4} {2}major\n/);
  }, 60_000);

  (existsSync(CHROMIUM) ? it : it.skip)('writes a page that renders in headless Chromium: every distribution side by side, the shifted ones flagged', async () => {
    const page = join(dir, 'drifted.html');
    const browser = await openInChromium(page, null);
    expect(pageNetworkAttempts(browser)).toEqual([]);
    // The score and every feature: reference and observed bars per bin.
    expect((browser.dom.match(/<svg class="chart"/g) ?? []).length).toBe(1 + FEATURE_NAMES.length);
    const amount = (browser.dom.match(/<section class="card flagged"[^>]*><h2><code>amount<\/code>.*?<\/section>/s) ?? [''])[0];
    expect(amount).toContain('MAJOR SHIFT');
    expect((amount.match(/<rect class="bar-reference"/g) ?? []).length).toBe(entry.metadata.drift!.features.amount!.shares.length);
    expect((amount.match(/<rect class="bar-observed"/g) ?? []).length).toBe(entry.metadata.drift!.features.amount!.shares.length);
    const ranking = (browser.dom.match(/<section class="card" id="ranking">.*?<\/section>/s) ?? [''])[0];
    expect([...ranking.matchAll(/<code>([a-z0-9_]+)<\/code>/g)]).toHaveLength(FEATURE_NAMES.length);
    expect(browser.dom).toMatch(/<section class="card flagged" data-psi="[\d.]+"><h2><code>score<\/code>/);
  }, 60_000);

  it('refuses a window that is not one (exit 2), also as a JSON error object', async () => {
    const backwards = cli({ DATA_DIR: dataDir, MODEL_REGISTRY_DIR: registry });
    expect(await backwards.run(['drift', '--since', '2018-08-15', '--until', '2018-08-08'])).toBe(2);
    expect(backwards.err()).toMatch(/^fraudctl drift: --since must be before --until\nusage: fraudctl drift --since ISO --until ISO/);
    const words = cli({ DATA_DIR: dataDir, MODEL_REGISTRY_DIR: registry });
    expect(await words.run(['drift', '--since', 'last tuesday', '--until', '2018-08-08', '--json'])).toBe(2);
    expect(words.json()).toEqual({ error: { code: 'usage', exitCode: 2, message: '--since must be an ISO 8601 date (YYYY-MM-DD) or date-time with an offset, got "last tuesday"' } });
    const missing = cli({ DATA_DIR: dataDir, MODEL_REGISTRY_DIR: registry });
    expect(await missing.run(['drift', '--since', '2018-08-08'])).toBe(2);
    expect(missing.err()).toContain('--until is required');
  });

  it('refuses a model without a drift reference (one made before references) and a DATA_DIR without a decision log (exit 2)', async () => {
    // The committed champion without its reference, as a model.json written before references were recorded (unsigned: MODEL_SIGNATURES=off).
    const legacy = mkdtempSync(join(tmpdir(), 'drift-legacy-'));
    cpSync(join(REPO, 'models'), legacy, { recursive: true });
    const version = (JSON.parse(readFileSync(join(legacy, 'champion.json'), 'utf8')) as { version: string }).version;
    const meta = JSON.parse(readFileSync(join(legacy, version, 'model.json'), 'utf8')) as Record<string, unknown>;
    delete meta.drift;
    delete meta.signature;
    writeFileSync(join(legacy, version, 'model.json'), JSON.stringify(meta));
    const old = cli({ DATA_DIR: dataDir, MODEL_SIGNATURES: 'off' });
    expect(await old.run(['drift', '--since', TEST_WEEK.from, '--until', TEST_WEEK.to, '--registry', legacy, '--report', join(dir, 'old.html')])).toBe(2);
    expect(old.err()).toMatch(/^drift: model \S+ has no drift reference \(model\.json has no "drift": it was made before references were recorded\); train, retrain or import a model to get one/);
    expect(existsSync(join(dir, 'old.html'))).toBe(false);
    const empty = cli({ DATA_DIR: mkdtempSync(join(tmpdir(), 'drift-empty-')), MODEL_REGISTRY_DIR: registry });
    expect(await empty.run(['drift', '--since', TEST_WEEK.from, '--until', TEST_WEEK.to, '--report', join(dir, 'empty.html')])).toBe(2);
    expect(empty.err()).toMatch(/^no decision log at \S+fraud\.db: set DATA_DIR/);
    const unknown = cli({ DATA_DIR: dataDir, MODEL_REGISTRY_DIR: registry });
    expect(await unknown.run(['drift', '--since', TEST_WEEK.from, '--until', TEST_WEEK.to, '--model', 'nope'])).toBe(2);
    expect(unknown.err()).toContain(`drift: no model nope in ${registry}`);
  });
});
