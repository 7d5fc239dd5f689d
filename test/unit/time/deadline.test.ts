import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterDeadline } from '../../../src/time/deadline';
import { settleWithin } from '../../../src/time/settle-within';

/** Blocks the event loop for `ms`, as a long turn of a saturated replica does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** A connected TCP pair on loopback: bytes written to `server` arrive at `client` through the poll phase. */
async function socketPair(): Promise<{ client: Socket; server: Socket; close: () => Promise<void> }> {
  let listener: Server | undefined;
  const accepted = new Promise<Socket>((resolve) => {
    listener = createServer(resolve).listen(0, '127.0.0.1');
  });
  await new Promise((resolve) => listener?.once('listening', resolve));
  const client = connect((listener?.address() as AddressInfo).port, '127.0.0.1');
  const server = await accepted;
  return {
    client,
    server,
    close: async () => {
      client.destroy();
      server.destroy();
      await new Promise((resolve) => listener?.close(resolve));
    },
  };
}

describe('deadlines under a blocked event loop', () => {
  test('an answer that arrived before the deadline, still unread when the loop comes back, is on time', async () => {
    const { client, server, close } = await socketPair();
    try {
      const answer = new Promise<string>((resolve) => client.once('data', (b: Buffer) => resolve(b.toString())));
      const outcome = settleWithin(answer, 20);
      // The answer is in the client's socket at once; the loop is then blocked past the deadline,
      // so the timer is due before the poll phase that reads the socket.
      server.write('pong');
      busy(60);
      await expect(outcome).resolves.toEqual({ kind: 'value', value: 'pong' });
    } finally {
      await close();
    }
  });

  test('an answer that had not arrived is late, one turn of the loop after the timer at most', async () => {
    const { client, server, close } = await socketPair();
    try {
      const answer = new Promise<string>((resolve) => client.once('data', (b: Buffer) => resolve(b.toString())));
      const started = performance.now();
      await expect(settleWithin(answer, 20)).resolves.toEqual({ kind: 'late' });
      expect(performance.now() - started).toBeGreaterThanOrEqual(19);
      server.write('too late');
      await expect(answer).resolves.toBe('too late');
    } finally {
      await close();
    }
  });

  test('afterDeadline expires once, after the time, and not at all when cleared first', async () => {
    let expired = 0;
    const started = performance.now();
    await new Promise<void>((resolve) =>
      afterDeadline(15, () => {
        expired += 1;
        resolve();
      }),
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(14);
    const cancelled = afterDeadline(5, () => (expired += 100));
    clearTimeout(cancelled);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(expired).toBe(1);
  });
});
