import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyTransaction, computeFeatures, emptyProfile, FEATURE_COUNT, FEATURE_NAMES, formatRfc3339, type Transaction } from '../../../../features';
import { featureSpecHash } from '../../../../src/model/feature-spec-hash';
import { buildDataset } from '../../../../src/training/dataset/build-dataset';
import { loadDataset } from '../../../../src/training/dataset/load-dataset';
import { createValidators } from '../../../../src/validation/validators';

const validators = createValidators();
const T0 = Date.UTC(2018, 3, 1) / 1000;
const col = (name: string) => FEATURE_NAMES.indexOf(name);

function txn(i: number, t: number, over: Partial<Transaction> = {}): Transaction {
  return { transactionId: `tx${i}`, timestamp: formatRfc3339(t), userId: `c${i % 2}`, merchantId: 'm1', amountMinor: 1000 + i, currency: 'EUR', ...over };
}
const label = (id: string, t: number, source = 'chargeback', value = 'fraud') => ({ type: 'label', transactionId: id, label: value, source, reportedAt: formatRfc3339(t) });
const asEvent = (t: Transaction) => ({ type: 'transaction', ...t });

function build(events: readonly object[]) {
  const dir = mkdtempSync(join(tmpdir(), 'ds-'));
  const input = join(dir, 'events.ndjson');
  writeFileSync(input, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const result = buildDataset({ input, outDir: join(dir, 'out'), validators });
  return { result, dataset: loadDataset(join(dir, 'out')), dir };
}

describe('build-dataset', () => {
  it('writes the same vectors a sequential computeFeatures gives, plus the sidecar', () => {
    const txns = Array.from({ length: 50 }, (_, i) => txn(i, T0 + i * 3_000));
    const { result, dataset } = build(txns.map(asEvent));
    expect(result).toMatchObject({ rows: 50, features: FEATURE_COUNT, specHash: featureSpecHash(), events: 50 });
    const users = new Map<string, ReturnType<typeof emptyProfile>>();
    const merchant = emptyProfile();
    txns.forEach((t, row) => {
      const user = users.get(t.userId) ?? emptyProfile();
      users.set(t.userId, user);
      const expected = computeFeatures(t, user, merchant);
      applyTransaction(user, 'user', t);
      applyTransaction(merchant, 'merchant', t);
      expect(Buffer.from(dataset.matrix.slice(row * FEATURE_COUNT, (row + 1) * FEATURE_COUNT).buffer)).toEqual(Buffer.from(expected.buffer));
    });
    expect(dataset.sidecar).toMatchObject({ format: 'fraud-dataset/v1', featureNames: FEATURE_NAMES, specHash: featureSpecHash(), rows: 50 });
    expect(dataset.sidecar.columns.transactionId.slice(0, 2)).toEqual(['tx0', 'tx1']);
    expect(dataset.sidecar.columns.timestamp[1]).toBe(T0 + 3_000);
    expect(dataset.sidecar.columns.userId.slice(0, 3)).toEqual(['c0', 'c1', 'c0']);
    expect(dataset.sidecar.columns.label.every((l) => l === 0)).toBe(true);
    expect(dataset.sidecar.columns.labelKnownAt.every((l) => l === null)).toBe(true);
  });

  it('leaks no information from the future: a label counts only from its arrival', () => {
    // tx0 is fraud; its label arrives on day 5. tx1 (day 3) and tx2 (day 6) pay the same merchant.
    const events = [asEvent(txn(0, T0)), asEvent(txn(1, T0 + 3 * 86_400)), label('tx0', T0 + 5 * 86_400), asEvent(txn(2, T0 + 6 * 86_400))];
    const { dataset } = build(events);
    const f = (row: number, name: string) => dataset.matrix[row * FEATURE_COUNT + col(name)];
    expect(f(1, 'merchant_known_frauds_7d')).toBe(0); // scored before the label arrived
    expect(f(2, 'merchant_known_frauds_7d')).toBe(1); // scored after
    expect(f(1, 'user_known_frauds_30d')).toBe(0);
    expect(f(2, 'user_known_frauds_30d')).toBe(1); // tx2 is c0's, like tx0
    expect(dataset.sidecar.columns.label).toEqual([1, 0, 0]);
    expect(dataset.sidecar.columns.labelKnownAt).toEqual([T0 + 5 * 86_400, null, null]);
    // The same stream with the label's arrival moved before tx1 must change tx1: proves the check can fail.
    const early = build([events[0]!, events[2]!, events[1]!, events[3]!]).dataset;
    expect(early.matrix[1 * FEATURE_COUNT + col('merchant_known_frauds_7d')]).toBe(1);
  });

  it('resolves conflicting labels by precedence and counts duplicates and unknown transactions', () => {
    const events = [
      asEvent(txn(0, T0)),
      asEvent(txn(1, T0 + 60)),
      label('tx0', T0 + 100, 'user_confirmation', 'fraud'),
      label('tx0', T0 + 200, 'user_confirmation', 'legitimate'), // same source again: duplicate, ignored
      label('tx0', T0 + 300, 'chargeback', 'legitimate'), // chargeback beats the user
      label('tx9', T0 + 400), // unknown transaction
      asEvent(txn(0, T0)), // retried transaction: duplicate
      asEvent(txn(2, T0 + 500)),
    ];
    const { result, dataset } = build(events);
    expect(result.sidecar.source).toMatchObject({ events: 8, transactions: 3, labels: 2, duplicateLabels: 1, unknownTransactionLabels: 1, duplicateTransactions: 1 });
    expect(dataset.sidecar.columns.label).toEqual([0, 0, 0]);
    expect(dataset.sidecar.columns.labelKnownAt[0]).toBe(T0 + 300);
    expect(dataset.matrix[2 * FEATURE_COUNT + col('merchant_known_frauds_7d')]).toBe(0);
  });

  it.each([
    ['not JSON', '{oops', 'line 2: not valid JSON'],
    ['bad type', JSON.stringify({ type: 'refund' }), 'line 2: /type must be "transaction" or "label"'],
    ['bad field', JSON.stringify({ type: 'transaction', ...txn(1, T0), amountMinor: -5 }), 'line 2: /amountMinor must be >= 1'],
    ['bad label', JSON.stringify({ ...label('tx0', T0), source: 'bank' }), 'line 2: /source must be one of "user_confirmation", "analyst", "chargeback"'],
  ])('refuses a malformed event (%s), naming the line and field', (_n, line, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'ds-'));
    const input = join(dir, 'events.ndjson');
    writeFileSync(input, `${JSON.stringify(asEvent(txn(0, T0)))}\n${line}\n`);
    expect(() => buildDataset({ input, outDir: join(dir, 'out'), validators })).toThrow(message);
  });

  it('writes a little-endian float32 matrix of rows x features', () => {
    const { dir } = build([asEvent(txn(0, T0, { amountMinor: 150 }))]);
    const bytes = readFileSync(join(dir, 'out', 'features.f32'));
    expect(bytes.length).toBe(FEATURE_COUNT * 4);
    expect(bytes.readFloatLE(col('amount') * 4)).toBe(1.5);
  });
});
