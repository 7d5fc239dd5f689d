import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DECISION_EVENT_WRITER } from '../../support/built-scripts';
import { createDecisionEvents } from '../../../src/telemetry/decision-events';
import type { DecisionRecord } from '../../../src/records/decision-record';
import { createThreadedDecisionEvents, PIPE_ATOMIC_BYTES, type ThreadedDecisionEventsOptions } from '../../../src/telemetry/threaded-decision-events';
import { createLogger } from '../../../src/telemetry/logger';

// The writer runs as a worker thread, so it must be the built script (npm test builds first).
const SCRIPT = DECISION_EVENT_WRITER;

function record(i: number): DecisionRecord {
  const decision = i % 7 === 0 ? 'decline' : i % 5 === 0 ? 'challenge' : 'approve';
  return {
    transactionId: `tx-${i}`,
    transaction: { transactionId: `tx-${i}`, timestamp: '2018-09-01T10:00:00Z', userId: `c${i % 13}`, merchantId: `m${i % 17}`, amountMinor: 100 + i, currency: 'EUR', ...(i % 2 === 0 ? { channel: 'ecommerce', merchantCountry: 'BE' } : {}) },
    eventTime: 0,
    features: new Float32Array(36),
    contributions: null,
    rules: i % 3 === 0 ? { version: 'v1', hash: 'h', hits: ['block-listed-merchant'] } : null,
    featureSpecHash: 'x',
    score: i / 1000,
    decision,
    modelVersion: 'v1',
    shadow: i % 3 === 0 ? { version: 'v2', score: 0.5 } : null,
    degraded: i % 11 === 0,
    degradedReasons: i % 11 === 0 ? ['profile_store_timeout'] : [],
    latencyMs: 0.25 + i / 100,
    decidedAt: '2026-01-01T00:00:00Z',
    client: 'payments',
    servedBy: 'replica-a/1',
    userReadVersion: i, merchantReadVersion: i, userVersion: i + 1, merchantVersion: i + 1,
  };
}

/** A log line without its write time, which is all that differs between two writers. */
const withoutTime = (line: string) => {
  const { '@timestamp': _time, ...rest } = JSON.parse(line) as Record<string, unknown>;
  return rest;
};

function tempOutput(): { path: string; fd: number } {
  const path = join(mkdtempSync(join(tmpdir(), 'decision-events-')), 'stdout');
  return { path, fd: openSync(path, 'w') };
}

const USER_ID = { mode: 'pseudonym', keyHex: 'ab'.repeat(32) } as const;

function options(fd: number, overrides: Partial<ThreadedDecisionEventsOptions> = {}): ThreadedDecisionEventsOptions {
  return { script: SCRIPT, fd, level: 'info', sampleRate: 1, userId: USER_ID, maxBacklog: 100_000, onDropped: () => undefined, onError: (err) => { throw err; }, ...overrides };
}

describe('threaded decision events', () => {
  it('writes, in order, the lines the in-thread writer writes, sampled the same way', async () => {
    const out = tempOutput();
    const events = createThreadedDecisionEvents(options(out.fd, { sampleRate: 0.3 }));
    const expected: string[] = [];
    const reference = createDecisionEvents(createLogger('info', { write: (s: string) => void expected.push(s) }), { sampleRate: 0.3, userId: USER_ID });
    // Emitted across several turns of the event loop and in batches larger than one message.
    for (let turn = 0; turn < 5; turn++) {
      for (let i = turn * 700; i < (turn + 1) * 700; i++) {
        events.emit(record(i));
        reference.emit(record(i));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await events.close();
    closeSync(out.fd);
    const written = readFileSync(out.path, 'utf8').split('\n').slice(0, -1);
    expect(expected.length).toBeGreaterThan(1000);
    expect(expected.length).toBeLessThan(3500);
    expect(written.map(withoutTime)).toEqual(expected.map(withoutTime));
  });

  it('writes whole lines at most a pipe buffer at a time', async () => {
    const out = tempOutput();
    const events = createThreadedDecisionEvents(options(out.fd));
    for (let i = 0; i < 200; i++) events.emit(record(i));
    await events.close();
    closeSync(out.fd);
    // Every line parses: no write was cut inside a line, and lines are far below the limit.
    const lines = readFileSync(out.path, 'utf8').split('\n').slice(0, -1);
    expect(lines).toHaveLength(200);
    for (const line of lines) expect(Buffer.byteLength(line) + 1).toBeLessThan(PIPE_ATOMIC_BYTES);
    expect(lines.every((line) => (JSON.parse(line) as { fraud: unknown }).fraud !== undefined)).toBe(true);
  });

  it('drops and counts what is beyond the backlog instead of holding it', async () => {
    const out = tempOutput();
    let dropped = 0;
    const events = createThreadedDecisionEvents(options(out.fd, { maxBacklog: 10, onDropped: (n) => (dropped += n) }));
    for (let i = 0; i < 100; i++) events.emit(record(i));
    await events.close();
    closeSync(out.fd);
    expect(readFileSync(out.path, 'utf8').split('\n').slice(0, -1).map((l) => (JSON.parse(l) as { fraud: { transaction_id: string } }).fraud.transaction_id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `tx-${i}`),
    );
    expect(dropped).toBe(90);
  });

  it('counts the events an output refuses as dropped', async () => {
    const out = tempOutput();
    const readOnly = openSync(out.path, 'r');
    let dropped = 0;
    const events = createThreadedDecisionEvents(options(readOnly, { onDropped: (n) => (dropped += n) }));
    for (let i = 0; i < 30; i++) events.emit(record(i));
    await events.close();
    closeSync(readOnly);
    closeSync(out.fd);
    expect(dropped).toBe(30);
  });

  it('writes nothing at a log level above info, and closes at once when nothing was emitted', async () => {
    const out = tempOutput();
    const quiet = createThreadedDecisionEvents(options(out.fd, { level: 'warn' }));
    quiet.emit(record(7));
    await quiet.close();
    await createThreadedDecisionEvents(options(out.fd)).close();
    closeSync(out.fd);
    expect(readFileSync(out.path, 'utf8')).toBe('');
  });

  it('reports a writer thread that fails and counts what is emitted after as dropped', async () => {
    const out = tempOutput();
    const broken = join(mkdtempSync(join(tmpdir(), 'writer-')), 'broken.js');
    writeFileSync(broken, "throw new Error('writer cannot start');\n");
    const errors: string[] = [];
    let dropped = 0;
    const events = createThreadedDecisionEvents(options(out.fd, { script: broken, onError: (err) => errors.push(err.message), onDropped: (n) => (dropped += n) }));
    for (let i = 0; i < 5; i++) events.emit(record(i));
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 5; i < 8; i++) events.emit(record(i));
    await events.close();
    closeSync(out.fd);
    expect(errors).toEqual(['writer cannot start']);
    expect(dropped).toBe(8);
    expect(readFileSync(out.path, 'utf8')).toBe('');
  });
});
