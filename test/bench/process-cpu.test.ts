import { Worker } from 'node:worker_threads';
import { mainThreadCpuSeconds, processCpuSeconds } from '../../src/bench/process-cpu';

const linux = process.platform === 'linux';

/** A worker that spins for 400 ms of wall time and posts the CPU seconds its own thread used (/proc/thread-self). */
const SPINNER = `
const { parentPort } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const cpu = () => { const f = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
const before = cpu();
const until = performance.now() + 400;
while (performance.now() < until);
parentPort.postMessage(cpu() - before);
`;

describe('server CPU from /proc', () => {
  (linux ? it : it.skip)('counts the main thread alone, without the CPU a worker thread spends', async () => {
    const pid = process.pid;
    const before = { all: processCpuSeconds(pid) as number, main: mainThreadCpuSeconds(pid) as number };
    const worker = new Worker(SPINNER, { eval: true });
    // Both listeners first: the worker may exit before a listener added after its message would see it.
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    const workerCpu = await new Promise<number>((resolve) => worker.once('message', resolve));
    await exited;
    const until = performance.now() + 200;
    while (performance.now() < until);
    const all = (processCpuSeconds(pid) as number) - before.all;
    const main = (mainThreadCpuSeconds(pid) as number) - before.main;
    // How much CPU each spin gets depends on what else the box runs; the accounting does not.
    expect(workerCpu).toBeGreaterThan(0.05);
    expect(main).toBeGreaterThan(0);
    // The worker's time is in the process's and not in the main thread's (10 ms ticks, scaled
    // separately per thread and per process: a few ticks of slack).
    expect(all - main).toBeGreaterThanOrEqual(workerCpu - 0.03);
    expect(main).toBeLessThanOrEqual(all + 0.02);
  });

  it('is null for a process that does not exist', () => {
    expect(processCpuSeconds(2 ** 30)).toBeNull();
    expect(mainThreadCpuSeconds(2 ** 30)).toBeNull();
  });
});
