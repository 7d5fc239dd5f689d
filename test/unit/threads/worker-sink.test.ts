import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerSink, type WorkerSinkOptions } from '../../../src/threads/worker-sink';

// The thread side must be built JavaScript (npm test builds first): the fixture loads serve-sink
// from dist/, the module production threads run.
const SERVE_SINK = join(__dirname, '../../../dist/src/threads/serve-sink.js');
const ECHO = join(__dirname, '../../fixtures/threads/echo-sink.mjs');

type Item = { op: 'echo' | 'throw' | 'exit' | 'sleep'; value?: number; ms?: number };
type Answer = { value: number; threadId: number };

let dir: string;
const sinks: WorkerSink<Item, Answer>[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'worker-sink-'));
});

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

function sink(overrides: Partial<WorkerSinkOptions> = {}): WorkerSink<Item, Answer> {
  const s = new WorkerSink<Item, Answer>({ script: ECHO, workerData: { serveSink: SERVE_SINK, closedFile: join(dir, 'closed') }, name: 'echo sink', restart: true, ...overrides });
  sinks.push(s);
  return s;
}

describe('WorkerSink', () => {
  it('answers each item with the handler value, in the order sent, on one thread', async () => {
    const s = sink();
    const answers = Promise.all([1, 2, 3].map((value) => s.send({ op: 'echo', value })));
    expect(s.outstanding).toBe(3);
    const got = await answers;
    expect(got.map((a) => a.value)).toEqual([1, 2, 3]);
    expect(new Set(got.map((a) => a.threadId)).size).toBe(1);
    expect(s.outstanding).toBe(0);
  });

  it('fails only the item whose handler throws; the thread lives on', async () => {
    const s = sink();
    const before = await s.send({ op: 'echo', value: 1 });
    await expect(s.send({ op: 'throw', value: 2 })).rejects.toThrow('refused 2');
    const after = await s.send({ op: 'echo', value: 3 });
    expect(after).toEqual({ value: 3, threadId: before.threadId });
  });

  it('rejects every item waiting when the thread dies, then starts a new thread on the next item', async () => {
    const s = sink({ restart: true });
    const first = await s.send({ op: 'echo', value: 1 });
    const dying = s.send({ op: 'exit' });
    const queued = s.send({ op: 'echo', value: 2 });
    await expect(dying).rejects.toThrow('echo sink exited with code 3');
    await expect(queued).rejects.toThrow('echo sink exited with code 3');
    const next = await s.send({ op: 'echo', value: 4 });
    expect(next.value).toBe(4);
    expect(next.threadId).not.toBe(first.threadId);
  });

  it('without restart, a dead thread fails every later item with the error that ended it', async () => {
    const s = sink({ restart: false });
    await expect(s.send({ op: 'exit' })).rejects.toThrow('echo sink exited with code 3');
    await expect(s.send({ op: 'echo', value: 1 })).rejects.toThrow('echo sink exited with code 3');
  });

  it('fails the items of a script that cannot start', async () => {
    const s = sink({ script: join(dir, 'missing.js'), restart: false });
    await expect(s.send({ op: 'echo', value: 1 })).rejects.toThrow(/Cannot find module/);
  });

  it('close waits for the items before it, releases the handler, ends the thread; later items are refused', async () => {
    const s = sink();
    const slow = s.send({ op: 'sleep', ms: 150, value: 9 });
    let slowDone = false;
    void slow.then(() => (slowDone = true));
    await s.close();
    expect(slowDone).toBe(true);
    expect(readFileSync(join(dir, 'closed'), 'utf8')).toBe('closed');
    await expect(s.send({ op: 'echo', value: 1 })).rejects.toThrow('echo sink is closed');
  });

  /** Runs `then` (JavaScript, given the sink `s`) in a process of its own; its stdout. */
  const inProcess = (then: string) => {
    const program = `
      const { WorkerSink } = require(${JSON.stringify(join(__dirname, '../../../dist/src/threads/worker-sink.js'))});
      const s = new WorkerSink({ script: ${JSON.stringify(ECHO)}, workerData: { serveSink: ${JSON.stringify(SERVE_SINK)}, closedFile: ${JSON.stringify(join(dir, 'x'))} }, name: 'echo sink', restart: true });
      ${then}
    `;
    return execFileSync(process.execPath, ['-e', program], { encoding: 'utf8', timeout: 20_000 });
  };

  it('holds the process open only while an item waits for its answer', () => {
    // The process must live until the answer, then end on its own, without close.
    expect(inProcess("s.warm(); s.send({ op: 'sleep', ms: 200, value: 7 }).then((a) => process.stdout.write(String(a.value)));")).toBe('7');
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('holds the process open until close has ended the thread', () => {
    expect(inProcess("s.send({ op: 'echo', value: 1 }).then(() => s.close()).then(() => process.stdout.write('after close'));")).toBe('after close');
    expect(readFileSync(join(dir, 'x'), 'utf8')).toBe('closed');
  });
});
