import { SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { computeFeatures, FEATURE_COUNT, transactionDelta, transactionTime, warmProfiles, type ProfileState, type Transaction } from '../../features';
import type { DecisionEvents } from '../events/decision-events';
import type { DecisionLog } from '../events/decision-log';
import type { Decision, DecisionRecord, DegradedReason } from '../events/decision-record';
import type { ModelManager } from '../model/model-manager';
import type { OnnxModel } from '../model/onnx-model';
import type { ProfilePair, ProfileStore, ProfileUpdate } from '../store/profile-store';
import { countDegraded, type ServiceMetrics } from '../telemetry/metrics';
import type { ApplySequence } from './apply-sequence';
import { decide, stricter } from './decide';
import { ModelRuns } from './model-runs';
import { sameTransaction } from './request-hash';
import { VectorSlab } from './vector-slab';

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
  /** Monotonic clock in ms (performance.now in production). */
  readonly now: () => number;
  /** Wall clock for audit timestamps. */
  readonly wallClock: () => Date;
  /** Where background failures go (one line each; never thrown at callers). */
  readonly onBackgroundError: (what: string, err: unknown) => void;
}

/** A settled answer and the transaction it answered (a retry must be the same transaction). */
interface Settled {
  readonly txn: Transaction;
  readonly response: ScoreResponse;
}

type Fetched = { readonly pair: ProfilePair; readonly reason: null } | { readonly pair: null; readonly reason: DegradedReason };

/**
 * A fresh decision's answer and its side effects, run once the answer is settled; `logged` is
 * called once its record is in the decision log (where a retry finds it from then on).
 */
interface Fresh {
  readonly response: ScoreResponse;
  readonly after: (logged: () => void) => void;
}

/** A fresh scoring between its synchronous steps and the model's score. */
interface Scoring {
  readonly txn: Transaction;
  readonly startedAt: number;
  readonly span: Span;
  readonly t0: number;
  readonly t1: number;
  readonly t2: number;
  /** Scored without profiles. */
  readonly degraded: boolean;
  readonly features: Float32Array;
  readonly applySeq: number;
  readonly reasons: DegradedReason[];
  readonly model: OnnxModel | null;
}

const TIMEOUT = Symbol('timeout');

function responseOf(r: DecisionRecord): ScoreResponse {
  return { transactionId: r.transactionId, decision: r.decision, score: r.score, modelVersion: r.modelVersion, degraded: r.degraded, degradedReasons: r.degradedReasons };
}

function settledOf(r: DecisionRecord): Settled {
  return { txn: r.transaction, response: responseOf(r) };
}

/**
 * The product's main job. `score` answers a validated transaction: idempotency (same id + same
 * body → the same answer, profiles updated once; same id + another body → conflict), one profile
 * fetch under a deadline, the shared `features/` vector, its profile deltas (issued right after the
 * read, numbered in the update sequence), the champion's score, the decision from its thresholds.
 * Then, after the answer: shadow score, decision log, metrics, event.
 */
export class ScoringService {
  /**
   * Answers not yet in the decision log, by transactionId: a retry while the first attempt runs
   * waits for it instead of scoring (and updating profiles) twice. An entry leaves as soon as its
   * record is appended to the log, which answers every later retry (from its buffer until written,
   * then from the table). Settled answers are not kept here: each one held in memory survived two
   * young-generation collections and was copied twice, about a third of every GC pause.
   */
  private readonly inFlight = new Map<string, Promise<Settled>>();
  private readonly fetch: (userId: string, merchantId: string) => Fetched | Promise<Fetched>;
  private readonly stored: (transactionId: string) => DecisionRecord | null | Promise<DecisionRecord | null>;
  private readonly runs: ModelRuns;
  private readonly apply: (txn: Transaction) => Promise<void> | void;
  private isoAt = Number.NaN;
  private iso = '';
  /** Sum of warmProfiles results, kept only so its reads stay in the compiled code. */
  private warmth = 0;
  /** Where each request's feature vector comes from (no backing store of its own per request). */
  private readonly vectors = new VectorSlab(FEATURE_COUNT);

  constructor(private readonly deps: ScoringDeps) {
    this.fetch = this.chooseFetch();
    this.apply = this.chooseApply();
    this.runs = new ModelRuns(deps.now);
    // Decided once: a log with a synchronous read (SQLite) is asked without a promise.
    const log = deps.decisionLog;
    this.stored = log.getSync !== undefined ? log.getSync.bind(log) : (id) => log.get(id);
  }

  /** Answers one validated transaction (see the class comment). Rejects only on internal faults. */
  score(txn: Transaction, startedAt: number): Promise<ScoreOutcome> {
    const id = txn.transactionId;
    const existing = this.inFlight.get(id);
    if (existing !== undefined) return existing.then((settled) => this.replay(settled, txn));
    // Set when this call scored the transaction (rather than finding it stored): its side effects.
    let after: ((logged: () => void) => void) | null = null;
    const fresh = (): Promise<Settled> =>
      this.scoreFresh(txn, startedAt).then((f) => {
        after = f.after;
        return { txn, response: f.response };
      });
    let settle: Promise<Settled>;
    try {
      const stored = this.stored(id);
      if (stored instanceof Promise) settle = stored.then((r) => (r !== null ? settledOf(r) : fresh()));
      else settle = stored !== null ? Promise.resolve(settledOf(stored)) : fresh();
    } catch (err) {
      settle = Promise.reject(err);
    }
    this.inFlight.set(id, settle);
    const release = () => {
      if (this.inFlight.get(id) === settle) this.inFlight.delete(id);
    };
    return settle.then(
      (settled) => {
        const run = after as ((logged: () => void) => void) | null;
        if (run === null) {
          release();
          return this.replay(settled, txn);
        }
        run(release);
        return { kind: 'scored', response: settled.response, replayed: false };
      },
      (err: unknown) => {
        release();
        throw err;
      },
    );
  }

  /** The stored decision for audit, or null. */
  decision(transactionId: string): Promise<DecisionRecord | null> {
    return this.deps.decisionLog.get(transactionId);
  }

  private replay(settled: Settled, txn: Transaction): ScoreOutcome {
    if (!sameTransaction(settled.txn, txn)) {
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

  /** Scores a transaction not seen before: the sync steps now, the model in its batch, then the decision. */
  private scoreFresh(txn: Transaction, startedAt: number): Promise<Fresh> {
    const span = this.deps.tracer.startSpan('fraud.score', { attributes: { 'fraud.transaction_id': txn.transactionId } });
    const t0 = this.deps.now();
    const fetched = this.fetch(txn.userId, txn.merchantId);
    if (fetched instanceof Promise) return fetched.then((f) => this.scoreFetched(txn, startedAt, span, t0, f));
    return this.scoreFetched(txn, startedAt, span, t0, fetched);
  }

  private scoreFetched(txn: Transaction, startedAt: number, span: Span, t0: number, fetched: Fetched): Promise<Fresh> {
    const { metrics, now } = this.deps;
    const reasons: DegradedReason[] = [];
    const t1 = now();
    metrics.stage.store.observe((t1 - t0) / 1000);
    let user: ProfileState | null = null;
    let merchant: ProfileState | null = null;
    if (fetched.pair !== null) {
      user = fetched.pair.user;
      merchant = fetched.pair.merchant;
      // Start both profiles' cache misses together (see warmProfiles): cheaper than one by one.
      this.warmth += warmProfiles(user, merchant);
    } else reasons.push(fetched.reason);
    const features = computeFeatures(txn, user, merchant, this.vectors.next());
    // Score first, then update: the vector above was computed from the state before this
    // transaction; its own deltas go out now, in the same synchronous step as the read (for the
    // memory store the read-and-update is atomic, so every served vector is reproducible by a
    // replay in applySeq order, even under concurrent requests).
    const applySeq = this.applyTransaction(txn);
    const t2 = now();
    metrics.stage.features.observe((t2 - t1) / 1000);
    const ctx: Scoring = { txn, startedAt, span, t0, t1, t2, degraded: fetched.pair === null, features, applySeq, reasons, model: this.deps.models.champion() };
    const model = ctx.model;
    if (model === null) {
      reasons.push('no_model');
      return Promise.resolve(this.conclude(ctx, null));
    }
    return this.runs.score(model, features).then(
      (score) => this.conclude(ctx, score),
      (err: unknown) => {
        reasons.push('model_error');
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'model failed to score' });
        this.deps.onBackgroundError(`model ${model.version} failed to score`, err);
        return this.conclude(ctx, null);
      },
    );
  }

  /** The decision from the model's score (null: no model or it failed), its answer and its record. */
  private conclude(ctx: Scoring, score: number | null): Fresh {
    const { deps } = this;
    const { metrics, policy, now } = deps;
    const { txn, model, reasons, t0, t1, t2, span } = ctx;
    const t3 = now();
    metrics.stage.model.observe((t3 - t2) / 1000);
    let decision: Decision;
    if (score === null || model === null) decision = policy.noModelDecision;
    else {
      decision = decide(score, model.metadata.thresholds);
      if (ctx.degraded && policy.degradedPolicy !== 'score') decision = stricter(decision, policy.degradedPolicy);
    }
    const t4 = now();
    metrics.stage.decision.observe((t4 - t3) / 1000);
    if (t4 - ctx.startedAt > policy.budgetMs) reasons.push('budget_exceeded');
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
      transaction: txn,
      eventTime: transactionTime(txn),
      features: ctx.features,
      featureSpecHash: deps.featureSpecHash,
      score,
      decision,
      modelVersion: response.modelVersion,
      shadow: null,
      degraded: response.degraded,
      degradedReasons: reasons,
      latencyMs: t4 - ctx.startedAt,
      decidedAt: this.decidedAt(),
      applySeq: ctx.applySeq,
    };
    return { response, after: (logged) => this.afterResponse(record, logged) };
  }

  /** The wall clock as ISO 8601, formatted once per millisecond (many decisions share one under load). */
  private decidedAt(): string {
    const t = this.deps.wallClock();
    const ms = t.getTime();
    if (ms !== this.isoAt) {
      this.isoAt = ms;
      this.iso = t.toISOString();
    }
    return this.iso;
  }

  /**
   * Decided once at start: a store that applies a whole transaction synchronously (the memory
   * store) gets it as is, with no deltas built and no promise; any other gets its two deltas.
   */
  private chooseApply(): (txn: Transaction) => Promise<void> | void {
    const { store } = this.deps;
    const sync = (store as Partial<{ applyTransactionSync(txn: Transaction): void }>).applyTransactionSync;
    if (typeof sync === 'function') return (txn) => sync.call(store, txn);
    return (txn) =>
      store.apply([
        { role: 'user', id: txn.userId, delta: transactionDelta('user', txn) },
        { role: 'merchant', id: txn.merchantId, delta: transactionDelta('merchant', txn) },
      ] satisfies ProfileUpdate[]);
  }

  /** Issues a transaction's profile deltas (not awaited) and returns its place in the update order. */
  private applyTransaction(txn: Transaction): number {
    const seq = this.deps.sequence.next();
    try {
      const applied = this.apply(txn);
      if (applied instanceof Promise) applied.catch((err: unknown) => this.applyFailed(txn, err));
    } catch (err) {
      this.applyFailed(txn, err);
    }
    return seq;
  }

  private applyFailed(txn: Transaction, err: unknown): void {
    this.deps.metrics.storeErrors.inc({ operation: 'apply' });
    this.deps.onBackgroundError(`profile update for ${txn.transactionId} failed`, err);
  }

  /**
   * Side effects of a fresh decision once it is answered: metrics, shadow score, log, event.
   * `logged` is called right after the record is appended to the decision log.
   */
  private afterResponse(record: DecisionRecord, logged: () => void): void {
    const { deps } = this;
    deps.metrics.decisions[record.decision].inc();
    countDegraded(deps.metrics, record.degradedReasons);
    const challenger = deps.models.challenger();
    const finish = (shadow: DecisionRecord['shadow']) => {
      const final = shadow === null ? record : { ...record, shadow };
      deps.decisionLog.append(final);
      logged();
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
