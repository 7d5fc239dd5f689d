import type { Transaction } from '../../features';
import { simulate, transactionEvent, transactionTime } from '../../src/sim';
import { feedbackFor, LabelQueue, seededRandom, type AppBehaviour, type ScheduledLabel } from './confirmation-app';

const DAY = 86_400;

/** One simulated transaction in event-time order, with its truth. */
export interface LoadRow {
  readonly txn: Transaction;
  readonly time: number;
  readonly fraud: boolean;
}

/**
 * A simulated stream for a replica test: the handbook's generator on a small world, with a hot
 * user and a hot merchant (every 25th transaction is the hot user's, every 12th at the hot
 * merchant's), so many requests for one entity are in flight at once.
 */
export function replicaWorld(options: { seed: number; customers: number; terminals: number; days: number }): { rows: LoadRow[]; end: number } {
  const sim = simulate(options);
  const rows: LoadRow[] = [];
  for (let row = 0; row < sim.table.length; row++) {
    const { type: _type, ...plain } = transactionEvent(sim, row) as Transaction & { type: string };
    let txn: Transaction = plain;
    if (row % 25 === 3) txn = { ...txn, userId: 'u-hot' };
    if (row % 12 === 5) txn = { ...txn, merchantId: 'm-hot' };
    rows.push({ txn, time: transactionTime(sim, row), fraud: sim.table.fraud[row] === 1 });
  }
  rows.sort((a, b) => a.time - b.time);
  return { rows, end: sim.startEpochSeconds + (options.days + 1) * DAY };
}

/** What a load run saw. */
export interface LoadReport {
  scores: number;
  /** Score answers other than 200 (status: count). */
  scoreFailures: Record<string, number>;
  degraded: number;
  degradedReasons: Record<string, number>;
  /** Transactions sent to two replicas at once: their two answers (status and body text). */
  duplicates: { readonly id: string; readonly a: string; readonly b: string }[];
  labels: number;
  /** Labels answered other than 201/200, with the answer. */
  labelFailures: string[];
  /** Label posts by (transaction replica, label replica), to show they crossed. */
  labelCrossings: number;
}

export interface LoadOptions {
  readonly urls: readonly string[];
  readonly rows: readonly LoadRow[];
  /** Labels still due after the last transaction are sent up to this event time. */
  readonly end: number;
  readonly concurrency: number;
  /** Every transaction whose index satisfies this is also sent, at the same moment, to the next replica. */
  readonly duplicate: (index: number) => boolean;
  readonly app: AppBehaviour;
  readonly seed: number;
  /** Called once when the load reaches this index (a fault to inject). */
  readonly at?: { readonly index: number; readonly run: () => void };
}

/** A POST's status and body text; status 0 when no answer came (the connection failed). */
async function post(url: string, path: string, body: unknown): Promise<{ status: number; text: string }> {
  try {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    return { status: 0, text: String((err as Error).message) };
  }
}

/**
 * Sends a stream through several replicas: `concurrency` workers take the transactions in
 * event-time order, round-robin over the replicas; some are duplicated at the same moment on the
 * next replica; the confirmation app's and the chargebacks' labels are queued once their
 * transaction is answered and sent, interleaved by event time, to a replica other than the one
 * that scored the transaction.
 */
export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  const report: LoadReport = { scores: 0, scoreFailures: {}, degraded: 0, degradedReasons: {}, duplicates: [], labels: 0, labelFailures: [], labelCrossings: 0 };
  const queue = new LabelQueue();
  const scoredOn = new Map<string, number>();
  const random = seededRandom(o.seed);
  let next = 0;
  let labelTurn = 0;
  const n = o.urls.length;

  const sendLabel = async (due: ScheduledLabel) => {
    const home = scoredOn.get(due.label.transactionId) ?? 0;
    const replica = (home + 1 + (labelTurn++ % (n - 1))) % n;
    const r = await post(o.urls[replica] as string, '/v1/feedback', due.label);
    report.labels++;
    if (replica !== home) report.labelCrossings++;
    if (r.status !== 201 && r.status !== 200) report.labelFailures.push(`${due.label.transactionId} ${due.label.source}: ${r.status} ${r.text}`);
  };
  const score = async (url: string, txn: Transaction) => {
    const r = await post(url, '/v1/score', txn);
    report.scores++;
    if (r.status !== 200) {
      report.scoreFailures[r.status] = (report.scoreFailures[r.status] ?? 0) + 1;
      return r;
    }
    const body = JSON.parse(r.text) as { degraded: boolean; degradedReasons: string[] };
    if (body.degraded) report.degraded++;
    for (const reason of body.degradedReasons) report.degradedReasons[reason] = (report.degradedReasons[reason] ?? 0) + 1;
    return r;
  };
  const worker = async () => {
    for (;;) {
      const i = next++;
      const row = o.rows[i];
      if (row === undefined) return;
      if (o.at !== undefined && i === o.at.index) o.at.run();
      for (const due of queue.popUntil(row.time)) await sendLabel(due);
      const replica = i % n;
      let answer: { status: number; text: string };
      if (o.duplicate(i)) {
        const [a, b] = await Promise.all([score(o.urls[replica] as string, row.txn), score(o.urls[(replica + 1) % n] as string, row.txn)]);
        report.duplicates.push({ id: row.txn.transactionId, a: `${a.status} ${a.text}`, b: `${b.status} ${b.text}` });
        answer = a;
      } else answer = await score(o.urls[replica] as string, row.txn);
      if (answer.status !== 200) continue;
      scoredOn.set(row.txn.transactionId, replica);
      const decision = (JSON.parse(answer.text) as { decision: string }).decision;
      const label = feedbackFor(row.txn, row.time, decision, row.fraud, o.app, random);
      if (label !== null) queue.push(label);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  for (const due of queue.popUntil(o.end)) await sendLabel(due);
  return report;
}
