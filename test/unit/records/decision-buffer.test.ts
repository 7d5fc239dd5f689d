import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecisionBuffer } from '../../../src/records/decision-buffer';
import type { DecisionRecord } from '../../../src/records/decision-record';
import { comparable, decisionRecord } from '../../contract/support/decision-records';
import { waitFor } from '../../contract/support/wait-for';
import { ControlledSink } from './support/controlled-sink';

let dir: string;
const buffers: DecisionBuffer[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'decision-buffer-'));
});

afterEach(async () => {
  for (const b of buffers.splice(0)) await b.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

function buffer(sink: ControlledSink<DecisionRecord>, maxSpilledReadable?: number): DecisionBuffer {
  const b = new DecisionBuffer(sink, { batchSize: 10, flushMs: 1, maxBuffered: 20, retryMs: 5, spillPath: join(dir, 'spill.ndjson'), ...(maxSpilledReadable === undefined ? {} : { maxSpilledReadable }) });
  buffers.push(b);
  return b;
}

const record = (i: number) => decisionRecord(`d-${i}`, 1_000 + i);

describe('DecisionBuffer', () => {
  test('a long outage costs disk, not memory: at most maxBuffered records held and maxSpilledReadable lines, the newest', async () => {
    const sink = new ControlledSink<DecisionRecord>();
    sink.down = true;
    const b = buffer(sink, 50);
    for (let i = 0; i < 1_000; i++) b.append(record(i));
    const { held, spilled } = b.readable();
    // 20 queued, plus at most one batch in flight (a copy of which may also be spilled).
    expect(held).toBeLessThanOrEqual(30);
    expect(spilled).toBe(50);
    expect(b.pending()).toBe(1_000);
    // The newest records are found (a retry or a label during the outage), spilled ones as copies.
    for (const i of [999, 990, 979, 960, 931]) expect(comparable(b.find(`d-${i}`) as DecisionRecord)).toEqual(comparable(record(i)));
    // The oldest are on disk only.
    expect(b.find('d-0')).toBeUndefined();
    expect(b.find('d-500')).toBeUndefined();
    // Nothing is lost: once the sink is back every record is written, once, in order.
    sink.down = false;
    await waitFor('the replay', () => b.pending() === 0, 10_000);
    expect(new Set(sink.written.map((r) => r.transactionId)).size).toBe(1_000);
    expect(b.readable()).toEqual({ held: 0, spilled: 0 });
    expect(b.find('d-999')).toBeUndefined();
  });

  test('the first record for an id is the one found, before and after it spills', () => {
    const sink = new ControlledSink<DecisionRecord>();
    sink.down = true;
    const b = buffer(sink, 100);
    b.append(record(1));
    b.append({ ...record(1), score: 0.9 });
    expect(b.find('d-1')?.score).toBe(0.125);
    for (let i = 2; i < 60; i++) b.append(record(i));
    expect(b.readable().spilled).toBeGreaterThan(0);
    expect(b.find('d-1')?.score).toBe(0.125);
    b.append({ ...record(1), score: 0.7 });
    expect(b.find('d-1')?.score).toBe(0.125);
  });

  test('records a previous process left in the spill file are found at start, until the replay writes them', async () => {
    const down = new ControlledSink<DecisionRecord>();
    down.down = true;
    const crashed = buffer(down, 100);
    for (let i = 0; i < 40; i++) crashed.append(record(i));
    await crashed.persist();
    // The process dies here: no close, the spill file is what is left.
    buffers.splice(buffers.indexOf(crashed), 1);
    const sink = new ControlledSink<DecisionRecord>();
    sink.down = true;
    const restarted = buffer(sink, 100);
    for (const i of [0, 17, 39]) expect(comparable(restarted.find(`d-${i}`) as DecisionRecord)).toEqual(comparable(record(i)));
    expect(restarted.readable().spilled).toBe(40);
    sink.down = false;
    await waitFor('the replay', () => restarted.pending() === 0, 10_000);
    expect(restarted.find('d-17')).toBeUndefined();
    expect(new Set(sink.written.map((r) => r.transactionId)).size).toBe(40);
  });

  test('at start, at most maxSpilledReadable of a previous spill are indexed, the most recent', async () => {
    const down = new ControlledSink<DecisionRecord>();
    down.down = true;
    const crashed = buffer(down, 0);
    for (let i = 0; i < 60; i++) crashed.append(record(i));
    await crashed.persist();
    buffers.splice(buffers.indexOf(crashed), 1);
    const sink = new ControlledSink<DecisionRecord>();
    sink.down = true;
    const restarted = buffer(sink, 10);
    expect(restarted.readable().spilled).toBe(10);
    expect(restarted.find('d-59')).toBeDefined();
    expect(restarted.find('d-0')).toBeUndefined();
  });
});
