import { runMemoryWorkload, type MemoryRunSpec } from './memory-workload';

/**
 * Entry of one `fraudctl bench-memory` run (node --expose-gc, forked with an IPC channel): the
 * spec as JSON in argv[2]; sends `{ progress }` messages, then `{ result }`, then exits.
 */
async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined || process.send === undefined) throw new Error('run by fraudctl bench-memory (node --expose-gc, forked)');
  const send = process.send.bind(process);
  const spec = JSON.parse(process.argv[2] ?? '') as MemoryRunSpec;
  const result = await runMemoryWorkload(spec, gc, (done) => send({ progress: done }));
  await new Promise<void>((resolve, reject) => send({ result }, undefined, {}, (err) => (err === null ? resolve() : reject(err))));
  process.disconnect();
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
