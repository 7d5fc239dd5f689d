import { SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { computeFeatures, transactionDelta, transactionTime, type ProfileState, type Transaction } from '../../features';
import type { DecisionEvents } from '../events/decision-events';
import type { DecisionLog } from '../events/decision-log';
import type { Decision, DecisionRecord, DegradedReason } from '../events/decision-record';
import type { ModelManager } from '../model/model-manager';
import type { ProfilePair, ProfileStore } from '../store/profile-store';
import { countDegraded, type ServiceMetrics } from '../telemetry/metrics';
import type { ApplySequence } from './apply-sequence';
import { decide, stricter } from './decide';
import { ModelRuns } from './model-runs';
import { RecentResponses } from './recent-responses';
import { requestHash } from './request-hash';

/** The body of a `POST /v1/score` answer. */
export interface ScoreResponse {
  readonly transactionId: string;
  readonly decision: Decision;
  /** P(fraud) from the champion; null when no model scored. */
  readonly score: number | null;
  readonly modelVersion: string | null;
  /** True when the answer was produced with less than full information (see degradedReasons). */
  readonly degraded: boolean;
  readonly degradedReasons: readonly DegradedReason[];
}

/** Outcome of one scoring request. */
export type ScoreOutcome =
  | { readonly kind: 'scored'; readonly response: ScoreResponse; readonly replayed: boolean }
  | { readonly kind: 'conflict' };

export interface ScoringPolicy {
  /** When profiles are unavailable: score on partial features, or a fixed (at least this strict) decision. */
  readonly degradedPolicy: 'score' | Decision;
  /** The answer when no model can score. */
  readonly noModelDecision: Decision;
  readonly storeTimeoutMs: number;
  readonly budgetMs: number;
}

export interface ScoringDeps {
  readonly store: ProfileStore;
  /** The profile-update order shared with feedback labels. */
  readonly sequence: ApplySequence;
  readonly models: ModelManager;
  readonly decisionLog: DecisionLog;
  readonly events: DecisionEvents;
  readonly metrics: ServiceMetrics;
  readonly tracer: Tracer;
  readonly policy: ScoringPolicy;
  readonly featureSpecHash: string;
  readonly recentCapacity: number;
  /** Monotonic clock in ms (performance.now in production). */
  readonly now: () => number;
  /** Wall clock for audit timestamps. */
  readonly wallClock: () => Date;
  /** Where background failures go (one line each; never thrown at callers). */
  readonly onBackgroundError: (what: string, err: unknown) => void;
}

interface Settled {
  readonly hash: string;
  readonly response: ScoreResponse;
}

type Fetched = { readonly pair: ProfilePair; readonly reason: null } | { readonly pair: null; readonly reason: DegradedReason };

const TIMEOUT = Symbol('timeout');

function responseOf(r: DecisionRecord): ScoreResponse {
  return { transactionId: r.transactionId, decision: r.decision, score: r.score, modelVersion: r.modelVersion, degraded: r.degraded, degradedReasons: r.degradedReasons };
}

/**
 * The product's main job. `score` answers a validated transaction: idempotency (same id + same
 * body → the same answer, profiles updated once; same id + another body → conflict), one profile
 * fetch under a deadline, the shared `features/` vector, its profile deltas (issued right after the
 * read, numbered in the update sequence), the champion's score, the decision from its thresholds.
 * Then, after the answer: shadow score, decision log, metrics, event.
 */
export class ScoringService {
  private readonly recent: RecentResponses<Settled>;
  private readonly fetch: (userId: string, merchantId: string) => Fetched | Promise<Fetched>;
  private readonly runs = new ModelRuns();

  constructor(private readonly deps: ScoringDeps) {
    this.recent = new RecentResponses(deps.recentCapacity);
    this.fetch = this.chooseFetch();
  }

  /** Answers one validated transaction (see the class comment). Rejects only on internal faults. */
  async score(txn: Transaction, startedAt: number): Promise<ScoreOutcome> {
    const hash = requestHash(txn);
    const id = txn.transactionId;
    const existing = this.recent.get(id);
    if (existing !== undefined) return this.replay(await existing, hash);
    let after: (() => void) | null = null;
    const settle = (async (): Promise<Settled> => {
      const stored = await this.deps.decisionLog.get(id);
      if (stored !== null) return { hash: stored.requestHash, response: responseOf(stored) };
      const fresh = await this.scoreFresh(txn, hash, startedAt);
      after = fresh.after;
      return { hash, response: fresh.response };
    })();
    this.recent.set(id, settle);
    let settled: Settled;
    try {
      settled = await settle;
    } catch (err) {
      this.recent.delete(id);
      throw err;
    }
    const run = after as (() => void) | null;
    if (run === null) return this.replay(settled, hash);
    run();
    return { kind: 'scored', response: settled.response, replayed: false };
  }

  /** The stored decision for audit, or null. */
  decision(transactionId: string): Promise<DecisionRecord | null> {
    return this.deps.decisionLog.get(transactionId);
  }

  private replay(settled: Settled, hash: string): ScoreOutcome {
    if (settled.hash !== hash) {
      this.deps.metrics.idempotentReplays.inc({ outcome: 'conflict' });
      return { kind: 'conflict' };
    }
    this.deps.metrics.idempotentReplays.inc({ outcome: 'replayed' });
    return { kind: 'scored', response: settled.response, replayed: true };
  }

  /** Decided once at start: a store with a synchronous read skips the deadline timer. */
  private chooseFetch(): (userId: string, merchantId: string) => Fetched | Promise<Fetched> {
    const { store, policy, metrics } = this.deps;
    const sync = (store as Partial<{ getSync(u: string, m: string): ProfilePair }>).getSync;
    if (typeof sync === 'function') return (u, m) => ({ pair: sync.call(store, u, m), reason: null });
    return async (u, m) => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<typeof TIMEOUT>((resolve) => {
        timer = setTimeout(() => resolve(TIMEOUT), policy.storeTimeoutMs);
      });
      try {
        const got = await Promise.race([store.get(u, m), deadline]);
        if (got === TIMEOUT) {
          metrics.storeErrors.inc({ operation: 'get_timeout' });
          return { pair: null, reason: 'profile_store_timeout' };
        }
        return { pair: got, reason: null };
      } catch (err) {
        metrics.storeErrors.inc({ operation: 'get' });
        this.deps.onBackgroundError('profile store read failed', err);
        return { pair: null, reason: 'profile_store_error' };
      } finally {
        clearTimeout(timer);
      }
    };
  }

  private async scoreFresh(txn: Transaction, hash: string, startedAt: number): Promise<{ response: ScoreResponse; after: () => void }> {
    const { deps } = this;
    const { metrics, policy, now } = deps;
    const reasons: DegradedReason[] = [];
    const span = deps.tracer.startSpan('fraud.score', { attributes: { 'fraud.transaction_id': txn.transactionId } });
    const t0 = now();
    const fetched = await this.fetch(txn.userId, txn.merchantId);
    const t1 = now();
    metrics.stage.store.observe((t1 - t0) / 1000);
    let user: ProfileState | null = null;
    let merchant: ProfileState | null = null;
    if (fetched.pair !== null) {
      user = fetched.pair.user;
      merchant = fetched.pair.merchant;
    } else reasons.push(fetched.reason);
    const features = computeFeatures(txn, user, merchant);
    // Score first, then update: the vector above was computed from the state before this
    // transaction; its own deltas go out now, in the same synchronous step as the read (for the
    // memory store the read-and-update is atomic, so every served vector is reproducible by a
    // replay in applySeq order, even under concurrent requests).
    const applySeq = this.applyTransaction(txn);
    const t2 = now();
    metrics.stage.features.observe((t2 - t1) / 1000);

    const model = deps.models.champion();
    let score: number | null = null;
    if (model === null) reasons.push('no_model');
    else {
      try {
        score = await this.runs.score(model, features);
      } catch (err) {
        reasons.push('model_error');
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'model failed to score' });
        deps.onBackgroundError(`model ${model.version} failed to score`, err);
      }
    }
    const t3 = now();
    metrics.stage.model.observe((t3 - t2) / 1000);

    let decision: Decision;
    if (score === null || model === null) decision = policy.noModelDecision;
    else {
      decision = decide(score, model.metadata.thresholds);
      if (fetched.pair === null && policy.degradedPolicy !== 'score') decision = stricter(decision, policy.degradedPolicy);
    }
    const t4 = now();
    metrics.stage.decision.observe((t4 - t3) / 1000);
    if (t4 - startedAt > policy.budgetMs) reasons.push('budget_exceeded');
    metrics.scoringDuration.observe((t4 - t0) / 1000);
    if (span.isRecording()) {
      span.setAttributes({
        'fraud.decision': decision,
        'fraud.score': score ?? -1,
        'fraud.model_version': model?.version ?? '',
        'fraud.degraded': reasons.length > 0,
        'fraud.degraded_reasons': reasons,
        'fraud.stage.store_ms': t1 - t0,
        'fraud.stage.features_ms': t2 - t1,
        'fraud.stage.model_ms': t3 - t2,
      });
    }
    span.end();

    const response: ScoreResponse = {
      transactionId: txn.transactionId,
      decision,
      score,
      modelVersion: model?.version ?? null,
      degraded: reasons.length > 0,
      degradedReasons: reasons,
    };
    const record: DecisionRecord = {
      transactionId: txn.transactionId,
      requestHash: hash,
      transaction: txn,
      eventTime: transactionTime(txn),
      features,
      featureSpecHash: deps.featureSpecHash,
      score,
      decision,
      modelVersion: response.modelVersion,
      shadow: null,
      degraded: response.degraded,
      degradedReasons: reasons,
      latencyMs: t4 - startedAt,
      decidedAt: deps.wallClock().toISOString(),
      applySeq,
    };
    return { response, after: () => this.afterResponse(record) };
  }

  /** Issues a transaction's profile deltas (not awaited) and returns its place in the update order. */
  private applyTransaction(txn: Transaction): number {
    const { deps } = this;
    const seq = deps.sequence.next();
    deps.store
      .apply([
        { role: 'user', id: txn.userId, delta: transactionDelta('user', txn) },
        { role: 'merchant', id: txn.merchantId, delta: transactionDelta('merchant', txn) },
      ])
      .catch((err: unknown) => {
        deps.metrics.storeErrors.inc({ operation: 'apply' });
        deps.onBackgroundError(`profile update for ${txn.transactionId} failed`, err);
      });
    return seq;
  }

  /** Side effects of a fresh decision once it is answered: metrics, shadow score, log, event. */
  private afterResponse(record: DecisionRecord): void {
    const { deps } = this;
    deps.metrics.decisions[record.decision].inc();
    countDegraded(deps.metrics, record.degradedReasons);
    const challenger = deps.models.challenger();
    const finish = (shadow: DecisionRecord['shadow']) => {
      const final = shadow === null ? record : { ...record, shadow };
      deps.decisionLog.append(final);
      deps.events.emit(final);
    };
    if (challenger === null) {
      finish(null);
      return;
    }
    challenger.score(record.features).then(
      (score) => {
        deps.metrics.shadowScores.inc({ version: challenger.version });
        finish({ version: challenger.version, score });
      },
      (err: unknown) => {
        deps.onBackgroundError(`challenger ${challenger.version} failed to score`, err);
        finish(null);
      },
    );
  }
}
