import { labelDelta, type EntityRole, type Transaction } from '../../features';
import type { DecisionLog } from '../records/decision-log';
import type { LabelRecord, LabelStore } from '../records/label-store';
import { labelClaim, type EntityOp, type EntityOutcome, type ProfileStore } from '../store/profile-store';
import type { ServiceMetrics } from '../telemetry/metrics';

export interface ReconcilerOptions {
  /** Delay before a round after one that merged everything it tried, ms. */
  readonly retryMs: number;
  /** Longest delay between rounds while the store keeps failing (the delay doubles up to it), ms. */
  readonly maxRetryMs: number;
  /** How often the logs are searched for changes no queue holds (a crashed replica's), ms. */
  readonly scanIntervalMs: number;
  /** Only records older than this are taken from the logs (younger ones are their writer's), ms. */
  readonly scanAgeMs: number;
  /** Jobs held in memory; beyond it new ones are left to the log scan. */
  readonly maxQueued: number;
  /** Steps per round. */
  readonly batchSize: number;
  /** Longest a round waits for the store's answers; unanswered steps are retried, ms. */
  readonly stepTimeoutMs: number;
}

export const DEFAULT_RECONCILER_OPTIONS: ReconcilerOptions = {
  retryMs: 100,
  maxRetryMs: 5_000,
  scanIntervalMs: 10_000,
  scanAgeMs: 15_000,
  maxQueued: 100_000,
  batchSize: 256,
  stepTimeoutMs: 2_000,
};

export interface ReconcilerDeps {
  readonly store: ProfileStore;
  readonly decisionLog: DecisionLog;
  readonly labels: LabelStore;
  readonly metrics: ServiceMetrics;
  /** Wall clock, ms. */
  readonly wallClock: () => number;
  readonly onError: (what: string, err: unknown) => void;
  readonly options?: Partial<ReconcilerOptions>;
}

/** One change of one entity whose merge is not yet known. */
type Job = { readonly kind: 'decision'; readonly txn: Transaction; readonly role: EntityRole } | { readonly kind: 'label'; readonly label: LabelRecord; readonly role: EntityRole };

function keyOf(job: Job): string {
  return job.kind === 'decision' ? `d/${job.role}/${job.txn.transactionId}` : `l/${job.role}/${labelClaim(job.label.source, job.label.transactionId)}`;
}

function opOf(job: Job): EntityOp {
  if (job.kind === 'decision') return { role: job.role, id: job.role === 'user' ? job.txn.userId : job.txn.merchantId, claim: job.txn.transactionId, change: { kind: 'transaction', txn: job.txn } };
  const l = job.label;
  const delta = labelDelta({ userId: l.userId, merchantId: l.merchantId, epochSeconds: l.eventTime }, l.fraudChange);
  if (delta === null) throw new RangeError(`label ${l.source} of ${l.transactionId} changes nothing`);
  return { role: job.role, id: job.role === 'user' ? l.userId : l.merchantId, claim: labelClaim(l.source, l.transactionId), change: { kind: 'delta', delta } };
}

/**
 * Makes every acknowledged change land in its profile exactly once. A step whose outcome is
 * unknown (timed out, failed, or refused by a store that lost its data) leaves its record with a
 * null version; the reconciler runs the same step again, under the same claim, until the store
 * answers: `applied` (it had not been merged) or `claimed` (it had), and records the version in the
 * log. Jobs come from this replica's own requests, and from a periodic search of the logs for
 * records older than `scanAgeMs` that nobody finished (a replica that crashed, a full queue). Safe
 * to run on every replica at once: the claims make every retry idempotent.
 */
export class Reconciler {
  private readonly options: ReconcilerOptions;
  private readonly queue = new Map<string, Job>();
  private timer: NodeJS.Timeout | null = null;
  private scanTimer: NodeJS.Timeout | null = null;
  private delay: number;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly deps: ReconcilerDeps) {
    this.options = { ...DEFAULT_RECONCILER_OPTIONS, ...deps.options };
    this.delay = this.options.retryMs;
  }

  /** A stored decision's change of `role`, to merge. */
  decision(txn: Transaction, role: EntityRole): void {
    this.add({ kind: 'decision', txn, role });
  }

  /** A stored label's change of `role`, to merge (labels that change nothing are ignored). */
  label(label: LabelRecord, role: EntityRole): void {
    if (label.fraudChange !== 0) this.add({ kind: 'label', label, role });
  }

  /** Jobs held now. */
  pending(): number {
    return this.queue.size;
  }

  /** Starts the periodic log search (the first one right away). */
  start(): void {
    if (this.stopped || this.scanTimer !== null) return;
    const scan = () => {
      void this.scan().finally(() => {
        if (this.stopped) return;
        this.scanTimer = setTimeout(scan, this.options.scanIntervalMs);
        this.scanTimer.unref();
      });
    };
    this.scanTimer = setTimeout(scan, 0);
    this.scanTimer.unref();
  }

  /** Runs rounds until the queue is empty or a round merges nothing; for tests and shutdown. */
  async drain(): Promise<void> {
    for (;;) {
      if (this.running !== null) await this.running;
      if (this.queue.size === 0) return;
      const before = this.queue.size;
      await this.round();
      if (this.queue.size >= before) return;
    }
  }

  /** Stops the timers (jobs left are found again in the logs by the next replica's scan). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.scanTimer !== null) clearTimeout(this.scanTimer);
    this.timer = null;
    this.scanTimer = null;
    if (this.running !== null) await this.running;
  }

  /** Searches the logs once for changes nobody merged (see the class comment). */
  async scan(): Promise<void> {
    const before = new Date(this.deps.wallClock() - this.options.scanAgeMs).toISOString();
    const room = this.options.maxQueued - this.queue.size;
    if (room <= 0) return;
    try {
      for (const d of await this.deps.decisionLog.unapplied(before, room)) for (const role of d.roles) this.add({ kind: 'decision', txn: d.transaction, role });
      for (const l of await this.deps.labels.unapplied(before, room)) for (const role of l.roles) this.add({ kind: 'label', label: l.record, role });
    } catch (err) {
      this.deps.onError('reconciliation: searching the logs failed', err);
    }
  }

  private add(job: Job): void {
    const key = keyOf(job);
    if (this.queue.has(key) || this.queue.size >= this.options.maxQueued) return;
    this.queue.set(key, job);
    this.deps.metrics.reconcilePending.set(this.queue.size);
    this.schedule(this.options.retryMs);
  }

  private schedule(ms: number): void {
    if (this.stopped || this.timer !== null || this.running !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.round().then(() => {
        if (this.queue.size > 0) this.schedule(this.delay);
      });
    }, ms);
    this.timer.unref();
  }

  /** One round: up to `batchSize` jobs stepped together, versions written back for those merged. */
  private round(): Promise<void> {
    if (this.running !== null) return this.running;
    const run = async () => {
      const jobs = [...this.queue.entries()].slice(0, this.options.batchSize);
      const ops: EntityOp[] = [];
      const stepped: [string, Job][] = [];
      for (const [key, job] of jobs) {
        try {
          ops.push(opOf(job));
          stepped.push([key, job]);
        } catch (err) {
          this.queue.delete(key);
          this.deps.onError(`reconciliation: dropped ${key}`, err);
        }
      }
      let results: PromiseSettledResult<EntityOutcome>[];
      try {
        results = await this.settleWithin(this.deps.store.step(ops));
      } catch (err) {
        results = ops.map(() => ({ status: 'rejected', reason: err }));
      }
      // Write the versions back: decisions in one batch, labels one by one (they are few).
      const done: { key: string; job: Job; version: number; outcome: 'applied' | 'claimed' }[] = [];
      results.forEach((result, i) => {
        const [key, job] = stepped[i] as [string, Job];
        if (result.status === 'fulfilled' && result.value.kind !== 'lost') done.push({ key, job, version: result.value.appliedVersion, outcome: result.value.kind });
      });
      const recorded = await this.record(done);
      let merged = 0;
      done.forEach((d, i) => {
        if (recorded[i] !== true) return;
        this.queue.delete(d.key);
        merged++;
        this.deps.metrics.reconciled.inc({ kind: d.job.kind, outcome: d.outcome });
      });
      this.deps.metrics.reconcilePending.set(this.queue.size);
      this.delay = merged === stepped.length ? this.options.retryMs : Math.min(this.delay * 2, this.options.maxRetryMs);
    };
    this.running = run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Every step's outcome, or a rejection for those not answered within `stepTimeoutMs`. */
  private async settleWithin(steps: Promise<EntityOutcome>[]): Promise<PromiseSettledResult<EntityOutcome>[]> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer within the reconciliation deadline')), this.options.stepTimeoutMs);
    });
    late.catch(() => undefined);
    try {
      return await Promise.allSettled(steps.map((s) => Promise.race([s, late])));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes merged changes' versions back; false for those whose record is not stored yet (retried later). */
  private async record(done: readonly { job: Job; version: number }[]): Promise<boolean[]> {
    const flags = done.map(() => false);
    const decisions = done.flatMap((d, i) => (d.job.kind === 'decision' ? [{ i, transactionId: d.job.txn.transactionId, role: d.job.role, version: d.version }] : []));
    try {
      if (decisions.length > 0) (await this.deps.decisionLog.setAppliedVersions(decisions)).forEach((stored, k) => (flags[(decisions[k] as { i: number }).i] = stored));
    } catch (err) {
      this.deps.onError('reconciliation: recording decisions\' versions failed', err);
    }
    for (let i = 0; i < done.length; i++) {
      const { job, version } = done[i] as { job: Job; version: number };
      if (job.kind !== 'label') continue;
      try {
        await this.deps.labels.markApplied(job.label.transactionId, job.label.source, job.role, version);
        flags[i] = true;
      } catch (err) {
        this.deps.onError(`reconciliation: recording the version of ${keyOf(job)} failed`, err);
      }
    }
    return flags;
  }
}
