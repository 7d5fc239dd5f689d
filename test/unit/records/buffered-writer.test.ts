import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferedWriter, type BufferedWriterOptions } from '../../../src/records/buffered-writer';
import { waitFor } from '../../contract/support/wait-for';
import { ControlledSink, numberCodec } from './support/controlled-sink';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : []);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let spillPath: string;
const writers: BufferedWriter<number>[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'buffered-writer-'));
  spillPath = join(dir, 'spill.ndjson');
});

afterEach(async () => {
  for (const w of writers.splice(0)) await w.close();
  rmSync(dir, { recursive: true, force: true });
});

function writer(sink: ControlledSink<number>, opts: Partial<BufferedWriterOptions<number>> = {}): BufferedWriter<number> {
  const w = new BufferedWriter(sink, { batchSize: 3, flushMs: 5, maxBuffered: 100, retryMs: 5, spillPath, codec: numberCodec, ...opts });
  writers.push(w);
  return w;
}

describe('BufferedWriter', () => {
  test('writes batches of batchSize in order on flush, and counts what is pending', async () => {
    const sink = new ControlledSink<number>();
    const w = writer(sink, { flushMs: 60_000 });
    for (const n of range(1, 7)) w.push(n);
    expect(w.pending()).toBe(7);
    await w.flush();
    expect(sink.batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(w.pending()).toBe(0);
  });

  test('writes in the background once flushMs passes, without a flush call', async () => {
    const sink = new ControlledSink<number>();
    const w = writer(sink, { batchSize: 10, flushMs: 10 });
    w.push(1);
    w.push(2);
    await waitFor('the background write', () => sink.written.length === 2);
    expect(w.pending()).toBe(0);
  });

  test('a sink that fails N times, then recovers, loses nothing and keeps the order', async () => {
    const sink = new ControlledSink<number>();
    sink.failuresLeft = 4;
    const errors: string[] = [];
    const w = writer(sink, { onWriteError: (e) => errors.push(e.message) });
    for (const n of range(1, 10)) w.push(n);
    await waitFor('recovery', () => w.pending() === 0);
    expect(sink.written).toEqual(range(1, 10));
    expect(errors).toEqual(['sink down', 'sink down', 'sink down', 'sink down']);
  });

  test('flush rejects with the sink error while it is down; the items stay queued and flush after recovery', async () => {
    const sink = new ControlledSink<number>();
    sink.down = true;
    const w = writer(sink, { flushMs: 60_000 });
    w.push(1);
    w.push(2);
    await expect(w.flush()).rejects.toThrow('sink down');
    expect(w.pending()).toBe(2);
    expect(w.unwritten()).toEqual([1, 2]);
    sink.down = false;
    await w.flush();
    expect(sink.written).toEqual([1, 2]);
  });

  test('past maxBuffered the oldest spill to the spill file, which is replayed first on recovery', async () => {
    const sink = new ControlledSink<number>();
    sink.down = true;
    const spilled: number[] = [];
    const w = writer(sink, { maxBuffered: 3, onSpill: (n) => spilled.push(n) });
    for (const n of range(1, 10)) w.push(n);
    expect(lines(spillPath)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(spilled.reduce((a, b) => a + b, 0)).toBe(7);
    expect(w.unwritten()).toEqual([8, 9, 10]);
    expect(w.pending()).toBe(10);
    sink.down = false;
    await waitFor('recovery', () => w.pending() === 0);
    expect(sink.written).toEqual(range(1, 10));
    expect(existsSync(spillPath)).toBe(false);
    expect(existsSync(`${spillPath}.replay`)).toBe(false);
  });

  test('a spill file left on disk is replayed by a new writer at start, before anything new', async () => {
    writeFileSync(spillPath, '1\n2\n3\n');
    const sink = new ControlledSink<number>();
    const w = writer(sink);
    expect(w.pending()).toBe(3);
    w.push(4);
    await waitFor('the replay', () => w.pending() === 0);
    expect(sink.written).toEqual([1, 2, 3, 4]);
    expect(existsSync(spillPath)).toBe(false);
  });

  test('a claimed replay file left by a crash goes first, then the spill file, then the buffer', async () => {
    writeFileSync(`${spillPath}.replay`, '1\n2\n');
    writeFileSync(spillPath, '3\n4\n');
    const sink = new ControlledSink<number>();
    const w = writer(sink, { batchSize: 2 });
    expect(w.pending()).toBe(4);
    w.push(5);
    await waitFor('the replay', () => w.pending() === 0);
    expect(sink.written).toEqual([1, 2, 3, 4, 5]);
  });

  test('items spilled during a replay are written before the items still in memory', async () => {
    writeFileSync(spillPath, '1\n2\n');
    const sink = new ControlledSink<number>();
    sink.hold = true;
    const w = writer(sink, { batchSize: 2, maxBuffered: 2 });
    await waitFor('the replay to start', () => sink.heldCount() === 1);
    for (const n of range(3, 6)) w.push(n); // 3 and 4 spill to a fresh file while 1, 2 replay
    sink.hold = false;
    sink.release(true);
    await waitFor('everything written', () => w.pending() === 0);
    expect(sink.written).toEqual(range(1, 6));
  });

  test('a batch that fails while newer items spill goes back ahead of them', async () => {
    const sink = new ControlledSink<number>();
    sink.hold = true;
    const w = writer(sink, { batchSize: 2, maxBuffered: 2 });
    w.push(1);
    w.push(2);
    await waitFor('the first batch in flight', () => sink.heldCount() === 1);
    for (const n of range(3, 5)) w.push(n); // 3 spills while [1, 2] is in flight
    expect(lines(spillPath)).toEqual(['3']);
    sink.hold = false;
    sink.release(false);
    await waitFor('recovery', () => w.pending() === 0);
    expect(sink.written).toEqual(range(1, 5));
  });

  test('a flush that fails keeps the items retried in the background, with no further push or flush', async () => {
    const sink = new ControlledSink<number>();
    sink.hold = true;
    const w = writer(sink, { batchSize: 1, flushMs: 1 });
    w.push(1);
    const flushed = w.flush();
    await sleep(20); // the push's timer fires and joins the flush's write
    w.push(2);
    sink.release(true);
    await waitFor('the flush to write item 2', () => sink.heldCount() === 1);
    w.push(3);
    sink.hold = false;
    sink.release(false);
    await expect(flushed).rejects.toThrow('sink down');
    await waitFor('the background retry', () => w.pending() === 0, 2_000);
    expect(sink.written).toEqual([1, 2, 3]);
  });

  test('close during an outage moves everything unwritten to the spill file; the next writer replays it', async () => {
    const down = new ControlledSink<number>();
    down.down = true;
    const w = writer(down, { maxBuffered: 2 });
    for (const n of range(1, 5)) w.push(n);
    await w.close();
    expect(lines(spillPath)).toEqual(['1', '2', '3', '4', '5']);
    const sink = new ControlledSink<number>();
    const next = writer(sink);
    await waitFor('the replay', () => next.pending() === 0);
    expect(sink.written).toEqual(range(1, 5));
  });

  test('a torn last line (crash mid-append) is set aside; the rest replays and new spills stay intact', async () => {
    writeFileSync(spillPath, '1\n2\n{"tor');
    const sink = new ControlledSink<number>();
    sink.down = true;
    const errors: string[] = [];
    const w = writer(sink, { maxBuffered: 0, onWriteError: (e) => errors.push(e.message) });
    w.push(3);
    w.push(4);
    await waitFor('a failed replay', () => errors.includes('sink down'));
    sink.down = false;
    await waitFor('the replay', () => w.pending() === 0);
    expect(sink.written).toEqual([1, 2, 3, 4]);
    expect(lines(`${spillPath}.rejected`)).toEqual(['{"tor']); // set aside once, though replayed twice
    expect(errors.some((m) => m.startsWith(`unreadable spill line moved to ${spillPath}.rejected`))).toBe(true);
  });

  test('push never throws when the spill file cannot be written: the items stay in memory', async () => {
    const sink = new ControlledSink<number>();
    sink.down = true;
    const errors: string[] = [];
    const w = writer(sink, { maxBuffered: 1, spillPath: join(dir, 'missing', 'spill.ndjson'), onWriteError: (e) => errors.push(e.message) });
    expect(() => range(1, 4).forEach((n) => w.push(n))).not.toThrow();
    expect(w.pending()).toBe(4);
    expect(errors.some((m) => m.includes('ENOENT'))).toBe(true);
    sink.down = false;
    await waitFor('recovery', () => w.pending() === 0);
    expect(sink.written).toEqual(range(1, 4));
  });

  test('persist moves the buffer and a copy of the batch in flight to the synced spill file; the items count as durable', async () => {
    const sink = new ControlledSink<number>();
    sink.hold = true;
    const persisted: number[] = [];
    const w = writer(sink, { batchSize: 2, flushMs: 1, onPersisted: (items) => persisted.push(...items) });
    for (const n of range(1, 5)) w.push(n);
    await waitFor('a write in flight', () => sink.heldCount() === 1);
    // In flight for less than the stall bound (a generous one: a loaded CI run can take 10 ms to get here).
    expect(w.writeState(60_000)).toBe('ok');
    await sleep(20);
    expect(w.writeState(10)).toBe('failing'); // in flight for longer than the stall bound
    await w.persist();
    expect(persisted).toEqual([1, 2, 3, 4, 5]);
    expect(lines(spillPath)).toEqual(['1', '2', '3', '4', '5']);
    expect(w.pending()).toBe(2 + 5); // the batch in flight, and its copy among the spilled
    expect(w.writeState(60_000)).toBe('replaying'); // not stalled by that bound, but spilled items go first
    // The held write succeeds after all: the spill replays its copy too (a sink keyed by id ignores it).
    sink.hold = false;
    sink.release(true);
    await w.flush();
    expect(sink.written).toEqual([1, 2, 1, 2, 3, 4, 5]);
    expect(w.writeState(10)).toBe('ok');
  });

  test('writeState: failing after a failed write until one succeeds, then ok once the spill is written', async () => {
    const sink = new ControlledSink<number>();
    sink.down = true;
    const w = writer(sink, { batchSize: 10, flushMs: 1 });
    w.push(1);
    await expect(w.flush()).rejects.toThrow('sink down');
    expect(w.writeState(1_000)).toBe('failing');
    await w.persist();
    sink.down = false;
    sink.hold = true;
    await waitFor('the replay in flight', () => sink.heldCount() === 1);
    expect(w.writeState(1_000)).toBe('failing'); // until a write succeeds
    w.push(2);
    sink.hold = false;
    sink.release(true);
    await w.flush();
    expect(w.writeState(1_000)).toBe('ok');
    expect(sink.written).toEqual([1, 2]);
  });

  test('a spill file far larger than a batch replays in order, a batch at a time', async () => {
    writeFileSync(spillPath, range(1, 2_000).map((n) => `${n}\n`).join(''));
    const sink = new ControlledSink<number>();
    const w = writer(sink, { batchSize: 500 });
    await waitFor('the replay', () => w.pending() === 0);
    expect(sink.written).toEqual(range(1, 2_000));
    expect(Math.max(...sink.batches.map((b) => b.length))).toBe(200);
  });
});
