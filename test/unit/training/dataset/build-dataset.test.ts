import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyTransaction, computeFeatures, emptyProfile, FEATURE_COUNT, FEATURE_NAMES, formatRfc3339, type LabelEvent, type Transaction } from '../../../../features';
import { simEvents, simulate } from '../../../../src/sim';
import { encodeProfile, profileEntries } from '../../../../src/store/profile-snapshot';
import { featureSpecHash } from '../../../../src/model/feature-spec-hash';
import { buildDataset, InvalidEventError } from '../../../../src/training/dataset/build-dataset';
import { MAX_BATCHES_AHEAD } from '../../../../src/training/dataset/decode-thread';
import { BATCH_EVENTS } from '../../../../src/training/dataset/event-batch';
import { loadDataset } from '../../../../src/training/dataset/load-dataset';
import { OfflineReplay } from '../../../../src/training/dataset/replay';
import { createValidators } from '../../../../src/validation/validators';
import { DECODE_WORKER } from '../../../support/built-scripts';

const validators = createValidators();
const T0 = Date.UTC(2018, 3, 1) / 1000;
const col = (name: string) => FEATURE_NAMES.indexOf(name);

function txn(i: number, t: number, over: Partial<Transaction> = {}): Transaction {
  return { transactionId: `tx${i}`, timestamp: formatRfc3339(t), userId: `c${i % 2}`, merchantId: 'm1', amountMinor: 1000 + i, currency: 'EUR', ...over };
}
const label = (id: string, t: number, source = 'chargeback', value = 'fraud') => ({ type: 'label', transactionId: id, label: value, source, reportedAt: formatRfc3339(t) });
const asEvent = (t: Transaction) => ({ type: 'transaction', ...t });

describe.each([
  ['in this thread', null],
  ['in a decoding thread', DECODE_WORKER],
])('build-dataset, decoding %s', (_mode, decodeWorker) => {
  async function build(events: readonly object[]) {
    const dir = mkdtempSync(join(tmpdir(), 'ds-'));
    const input = join(dir, 'events.ndjson');
    writeFileSync(input, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const result = await buildDataset({ input, outDir: join(dir, 'out'), validators, decodeWorker });
    return { result, dataset: loadDataset(join(dir, 'out')), dir };
  }

  it('writes the same vectors a sequential computeFeatures gives, plus the sidecar', async () => {
    const txns = Array.from({ length: 50 }, (_, i) => txn(i, T0 + i * 3_000));
    const { result, dataset } = await build(txns.map(asEvent));
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

  it('leaks no information from the future: a label counts only from its arrival', async () => {
    // tx0 is fraud; its label arrives on day 5. tx1 (day 3) and tx2 (day 6) pay the same merchant.
    const events = [asEvent(txn(0, T0)), asEvent(txn(1, T0 + 3 * 86_400)), label('tx0', T0 + 5 * 86_400), asEvent(txn(2, T0 + 6 * 86_400))];
    const { dataset } = await build(events);
    const f = (row: number, name: string) => dataset.matrix[row * FEATURE_COUNT + col(name)];
    expect(f(1, 'merchant_known_frauds_7d')).toBe(0); // scored before the label arrived
    expect(f(2, 'merchant_known_frauds_7d')).toBe(1); // scored after
    expect(f(1, 'user_known_frauds_30d')).toBe(0);
    expect(f(2, 'user_known_frauds_30d')).toBe(1); // tx2 is c0's, like tx0
    expect(dataset.sidecar.columns.label).toEqual([1, 0, 0]);
    expect(dataset.sidecar.columns.labelKnownAt).toEqual([T0 + 5 * 86_400, null, null]);
    // The same stream with the label's arrival moved before tx1 must change tx1: proves the check can fail.
    const early = (await build([events[0]!, events[2]!, events[1]!, events[3]!])).dataset;
    expect(early.matrix[1 * FEATURE_COUNT + col('merchant_known_frauds_7d')]).toBe(1);
  });

  it('resolves conflicting labels by precedence and counts duplicates and unknown transactions', async () => {
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
    const { result, dataset } = await build(events);
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
  ])('refuses a malformed event (%s), naming the line and field', async (_n, line, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'ds-'));
    const input = join(dir, 'events.ndjson');
    writeFileSync(input, `${JSON.stringify(asEvent(txn(0, T0)))}\n${line}\n`);
    const err: unknown = await buildDataset({ input, outDir: join(dir, 'out'), validators, decodeWorker }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidEventError);
    expect((err as Error).message).toBe(message);
    expect(existsSync(join(dir, 'out', 'dataset.json'))).toBe(false);
  });

  it('writes a little-endian float32 matrix of rows x features', async () => {
    const { dir } = await build([asEvent(txn(0, T0, { amountMinor: 150 }))]);
    const bytes = readFileSync(join(dir, 'out', 'features.f32'));
    expect(bytes.length).toBe(FEATURE_COUNT * 4);
    expect(bytes.readFloatLE(col('amount') * 4)).toBe(1.5);
  });
});

describe('build-dataset on a long stream', () => {
  // More events than the decoding thread may run ahead by (so it waits for the replay), with
  // lines only the ordinary parser reads, retried transactions and labels for unknown ones.
  const sim = simulate({ customers: 700, terminals: 1_400, days: 60, seed: 5 });
  const lines = [...simEvents(sim)].map((e, i) => {
    if (i % 97 === 0) return JSON.stringify(e, null, 1).replace(/\n/g, '');
    if (i % 89 === 0 && e.type === 'transaction') {
      // Without two optional fields, and the currency out of the usual key order.
      const { channel: _c, mcc: _m, currency, ...rest } = e;
      return JSON.stringify({ ...rest, currency });
    }
    return JSON.stringify(e);
  });
  const first = lines.findIndex((l) => l.includes('"type":"transaction"'));
  lines.splice(5_000, 0, lines[first] as string, JSON.stringify(label('nope', T0)));
  const dir = mkdtempSync(join(tmpdir(), 'ds-long-'));
  const input = join(dir, 'events.ndjson');
  writeFileSync(input, lines.join('\n') + '\n');
  // Compared as hex and text: jest compares buffers element by element, minutes for these sizes.
  const files = (out: string) => [readFileSync(join(out, 'features.f32')).toString('hex'), readFileSync(join(out, 'dataset.json'), 'utf8')];
  const snapshot = (replay: OfflineReplay) => Array.from(profileEntries(replay.profiles()), (p) => JSON.stringify(encodeProfile(p))).join('\n');

  it('gives the same bytes decoded in a second thread, in this one, and through the id-based replay', async () => {
    expect(lines.length).toBeGreaterThan((MAX_BATCHES_AHEAD + 2) * BATCH_EVENTS);
    const threaded = await buildDataset({ input, outDir: join(dir, 'threaded'), validators, decodeWorker: DECODE_WORKER });
    const inThread = await buildDataset({ input, outDir: join(dir, 'in-thread'), validators, decodeWorker: null });
    expect(threaded.sidecar.source).toMatchObject({ events: lines.length, duplicateTransactions: 1, unknownTransactionLabels: 1 });
    expect(inThread.sidecar).toEqual(threaded.sidecar);
    expect(files(join(dir, 'in-thread'))).toEqual(files(join(dir, 'threaded')));
    // The id-based replay, fed the parsed lines one by one, computes the same rows and profiles.
    const replay = new OfflineReplay();
    const dataset = loadDataset(join(dir, 'threaded'));
    const out = new Float32Array(FEATURE_COUNT);
    const matrix = Buffer.from(dataset.matrix.buffer, dataset.matrix.byteOffset, dataset.matrix.byteLength);
    let row = 0;
    let differing = 0;
    for (const line of lines) {
      const { type, ...event } = JSON.parse(line) as { type: string } & Transaction & LabelEvent;
      if (type === 'label') replay.label(event);
      else if (replay.transaction(event, out).kind === 'scored') {
        if (!Buffer.from(out.buffer).equals(matrix.subarray(row * FEATURE_COUNT * 4, (row + 1) * FEATURE_COUNT * 4))) differing++;
        row++;
      }
    }
    expect({ row, differing }).toEqual({ row: threaded.rows, differing: 0 });
    expect(Buffer.from(replay.finalLabels()).equals(Buffer.from(threaded.replay.finalLabels()))).toBe(true);
    expect(snapshot(replay)).toBe(snapshot(threaded.replay));
  });

  it('stops the decoding thread and rejects on a malformed line far into the stream', async () => {
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, [...lines.slice(0, 60_000), '{"type":"transaction"}', ...lines.slice(60_000)].join('\n') + '\n');
    const err: unknown = await buildDataset({ input: bad, outDir: join(dir, 'bad'), validators, decodeWorker: DECODE_WORKER }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidEventError);
    expect((err as Error).message).toBe('line 60001: /transactionId is required');
  });

  it('rejects a missing input before starting anything', async () => {
    await expect(buildDataset({ input: join(dir, 'absent.ndjson'), outDir: join(dir, 'none'), validators, decodeWorker: DECODE_WORKER })).rejects.toThrow(/ENOENT/);
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });
});
