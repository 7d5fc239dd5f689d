import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runPacedStep } from '../../src/bench/paced-step';

/** A server answering after `delayMs`, counting the requests in flight at once. */
function slowServer(delayMs: number): Promise<{ server: Server; url: string; maxInFlight: () => number }> {
  let inFlight = 0;
  let max = 0;
  const server = createServer((req, res) => {
    inFlight++;
    max = Math.max(max, inFlight);
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        inFlight--;
        res.writeHead(req.url === '/fail' ? 500 : 200).end('{}');
      }, delayMs),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, maxInFlight: () => max })));
}

describe('runPacedStep', () => {
  it('sends rate x duration requests on a steady schedule, overlapping them when answers are slower than the interval', async () => {
    const s = await slowServer(30);
    try {
      const started = Date.now();
      const r = await runPacedStep({ url: s.url, path: '/v1/score', body: () => '{}' }, { rate: 200, durationSeconds: 1, maxInFlight: 64 });
      const elapsed = Date.now() - started;
      expect(r).toMatchObject({ rate: 200, requests: 200, errors: 0, timeouts: 0, non2xx: 0 });
      // An open loop: ~6 requests in flight (30 ms answers, one every 5 ms), not one at a time.
      expect(s.maxInFlight()).toBeGreaterThanOrEqual(4);
      expect(elapsed).toBeLessThan(2_500);
      expect(r.p50Ms).toBeGreaterThanOrEqual(30);
      expect(r.maxMs).toBeGreaterThanOrEqual(r.p99Ms);
    } finally {
      s.server.close();
    }
  });

  it('counts a wait for a free connection against the latency (no coordinated omission), and non-2xx answers', async () => {
    const s = await slowServer(50);
    try {
      // One connection, 50 ms answers, 100 requests/s: the schedule falls behind and latencies grow.
      const r = await runPacedStep({ url: s.url, path: '/fail', body: () => '{}' }, { rate: 100, durationSeconds: 0.5, maxInFlight: 1 });
      expect(r).toMatchObject({ requests: 50, non2xx: 50, errors: 0 });
      expect(s.maxInFlight()).toBe(1);
      expect(r.maxMs).toBeGreaterThan(1_000);
    } finally {
      s.server.close();
    }
  });
});
