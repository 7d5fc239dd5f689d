import { Agent, request } from 'node:http';
import type { Transaction } from '../../features';

/** One answer a load run received: status 0 when the connection failed (no answer). */
export interface Answer {
  readonly status: number;
  readonly latencyMs: number;
  readonly body: string;
  readonly retryAfter: string | null;
  /** When it was sent, ms after the run started (paced runs only). */
  readonly sentMs?: number;
}

/** A POST with a keep-alive agent; never rejects (a failed connection is status 0). */
export function postJson(agent: Agent, url: string, path: string, body: unknown): Promise<Answer> {
  const payload = JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(`${url}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, latencyMs: performance.now() - started, body: text, retryAfter: retryAfter ?? null });
      });
      res.on('error', (err) => resolve({ status: 0, latencyMs: performance.now() - started, body: err.message, retryAfter: null }));
    });
    req.on('error', (err) => resolve({ status: 0, latencyMs: performance.now() - started, body: err.message, retryAfter: null }));
    req.end(payload);
  });
}

/** A synthetic transaction: `users` users and `merchants` merchants in turn, stamped now. */
export function faultTransaction(id: string, i: number): Transaction {
  return {
    transactionId: id,
    timestamp: new Date().toISOString(),
    userId: `fu-${i % 400}`,
    merchantId: `fm-${i % 60}`,
    amountMinor: 1_000 + ((i * 7_919) % 90_000),
    currency: 'EUR',
    channel: i % 2 === 0 ? 'ecommerce' : 'card_present',
  };
}

/** What a paced run sent and got back. */
export interface PacedRun {
  /** The transactions sent, by transactionId. */
  readonly sent: Map<string, Transaction>;
  /** Score answers by transactionId. */
  readonly scores: Map<string, Answer>;
  /** Label answers by transactionId (one user confirmation for every `labelEvery`-th scored transaction). */
  readonly labels: Map<string, Answer>;
}

export interface PacedOptions {
  readonly url: () => string;
  /** Transactions per second, sent open-loop (a slow answer never slows the sender). */
  readonly rate: number;
  readonly durationMs: number;
  /** Prefix of this run's transactionIds. */
  readonly prefix: string;
  /** A label is posted right after every `labelEvery`-th answered transaction. */
  readonly labelEvery: number;
  /** Called at elapsed times (ms) during the run: the faults. */
  readonly at?: readonly { readonly ms: number; readonly run: () => unknown }[];
}

/**
 * Sends `rate` transactions a second for `durationMs` (in ticks of 10 ms), each with a fresh id,
 * plus a user confirmation for every `labelEvery`-th one answered 200, and waits for every answer.
 */
export async function pacedLoad(o: PacedOptions): Promise<PacedRun> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const sentTxns = new Map<string, Transaction>();
  const scores = new Map<string, Answer>();
  const labels = new Map<string, Answer>();
  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  const faults = [...(o.at ?? [])].sort((a, b) => a.ms - b.ms);
  const started = performance.now();
  let sent = 0;
  for (;;) {
    const elapsed = performance.now() - started;
    if (elapsed >= o.durationMs) break;
    // Faults run beside the load, never holding the sender (a restart takes a while).
    while (faults.length > 0 && (faults[0] as { ms: number }).ms <= elapsed) track(Promise.resolve((faults.shift() as { run: () => unknown }).run()).then(() => undefined));
    const due = Math.floor((elapsed / 1000) * o.rate);
    for (; sent < due; sent++) {
      const i = sent;
      const id = `${o.prefix}-${i}`;
      const sentMs = performance.now() - started;
      const txn = faultTransaction(id, i);
      sentTxns.set(id, txn);
      track(
        postJson(agent, o.url(), '/v1/score', txn).then(async (answer) => {
          const a = { ...answer, sentMs };
          scores.set(id, a);
          if (a.status === 200 && i % o.labelEvery === 0) {
            const label = { transactionId: id, label: i % 3 === 0 ? 'fraud' : 'legitimate', source: 'user_confirmation', reportedAt: new Date().toISOString() };
            labels.set(id, await postJson(agent, o.url(), '/v1/feedback', label));
          }
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  while (inFlight.size > 0) await Promise.all([...inFlight]);
  agent.destroy();
  return { sent: sentTxns, scores, labels };
}

/** Answers over `budgetMs`, counted per second of the run in which they were sent. */
export function overBudgetBySecond(answers: readonly Answer[], budgetMs: number): Record<number, number> {
  const by: Record<number, number> = {};
  for (const a of answers) if (a.latencyMs > budgetMs) by[Math.floor((a.sentMs ?? 0) / 1000)] = (by[Math.floor((a.sentMs ?? 0) / 1000)] ?? 0) + 1;
  return by;
}

/** Latency percentile (0..1) of answers, ms. */
export function percentile(answers: readonly Answer[], q: number): number {
  const sorted = answers.map((a) => a.latencyMs).sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
}
