import { afterDeadline } from '../time/deadline';
import { settleWithin } from '../time/settle-within';
import { context as otelContext, isSpanContextValid, SpanStatusCode, trace as otelTrace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { computeFeatures, FEATURE_COUNT, FEATURE_NAMES, transactionTime, warmProfiles, type EntityRole, type ProfileState, type Reason, type Transaction } from '../../features';
import { reasonsOf } from '../records/decision-reasons';
import type { DecisionEvents, TraceIds } from '../telemetry/decision-events';
import type { DecisionLog } from '../records/decision-log';
import type { Decision, DecisionRecord, DegradedReason } from '../records/decision-record';
import type { ModelManager } from '../model/model-manager';
import type { OnnxModel } from '../model/onnx-model';
import type { EntityOutcome, ProfileStore } from '../store/profile-store';
import { countDegraded, type ServiceMetrics } from '../telemetry/metrics';
import { decide, stricter } from '../records/decide';
import { ModelRuns } from './model-runs';
import type { Reconciler } from './reconciler';
import type { GuardRails } from '../rules/guard-rails';
import type { DriftModel } from '../telemetry/drift-monitor';
import { sameTransaction } from '../hashing/request-hash';
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
  /**
   * Why a challenge or decline: the largest contributions towards fraud (one per reason code, at
   * most REASON_LIMIT of records/decision-reasons.ts); empty for an approval or when the model has no explainer.
   */
  readonly reasons: readonly Reason[];
  /** Ids of the guard-rail rules that hit (see docs/rules.md), in the rule set's order; empty when none did. */
  readonly rules: readonly string[];
}

/** A logged decision's contributions, as `GET /v1/decisions/:id` shows them. */
export interface Explanation {
  /** Stored with the decision, or computed when read (approvals). */
  readonly source: 'recorded' | 'computed';
  /** The margin every contribution adds to; `sigmoid(bias + Σ contributions)` is the score. */
  readonly bias: number;
  /** Log-odds contribution of every feature, by name. */
  readonly contributions: Readonly<Record<string, number>>;
  readonly reasons: readonly Reason[];
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
  /**
   * `sync`: a decision is answered once its record is durable (committed by the decision log, or,
   * when the log does not commit within `commitTimeoutMs`, persisted to the synced local spill
   * file). `async`: answered at once, the record written shortly after (a crash loses the last
   * moments' records).
   */
  readonly durability: 'sync' | 'async';
  /** Longest a decision waits for the log's commit before its record is persisted locally, ms. */
  readonly commitTimeoutMs: number;
}

export interface ScoringDeps {
  readonly store: ProfileStore;
  readonly models: ModelManager;
  readonly decisionLog: DecisionLog;
  readonly events: DecisionEvents;
  /** Where changes whose outcome is unknown go to be merged later, exactly once. */
  readonly reconciler: Reconciler;
  /** The rules and lists every fresh decision passes after the model. */
  readonly rules: GuardRails;
  /** Where fresh, fully-informed scorings are counted for drift (see telemetry/drift-monitor.ts). */
  readonly drift: { observe(model: DriftModel, features: ArrayLike<number>, score: number, eventTime: number): void };
  readonly metrics: ServiceMetrics;
  readonly tracer: Tracer;
  /** Sampled scorings get a child span per stage (decided at start; see telemetry/tracing.ts). */
  readonly stageSpans: boolean;
  readonly policy: ScoringPolicy;
  readonly featureSpecHash: string;
  /** This replica's name, recorded in each decision it makes (`servedBy`). */
  readonly replica: string;
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

/** An answer, and (when its record is logged after it) when it is logged. */
interface Delivered {
  readonly settled: Settled;
  readonly logged: Promise<void> | null;
}

/** One entity as read by its step: its state (null = not read) and versions. */
interface EntityRead {
  readonly state: ProfileState | null;
  readonly readVersion: number | null;
  readonly appliedVersion: number | null;
  /** Why it was not read, or null. */
  readonly reason: DegradedReason | null;
  /** The step's outcome is unknown or refused: its change must be merged later. */
  readonly reconcile: boolean;
  /** The step found its claim taken. */
  readonly claimed: boolean;
}

/** A fresh scoring between its synchronous steps and the model's score. */
interface Scoring {
  readonly txn: Transaction;
  /** The authenticated client's name (recorded with the decision). */
  readonly client: string;
  readonly startedAt: number;
  readonly span: Span;
  readonly t0: number;
  readonly t1: number;
  readonly t2: number;
  readonly features: Float32Array;
  readonly versions: Pick<DecisionRecord, 'userReadVersion' | 'merchantReadVersion' | 'userVersion' | 'merchantVersion'>;
  /** Roles whose change is to be reconciled once the record is stored. */
  readonly reconcile: readonly EntityRole[];
  /** The user's step found the claim taken: another attempt at this transaction got there first. */
  readonly userClaimed: boolean;
  readonly reasons: DegradedReason[];
  readonly model: OnnxModel | null;
}

/** A profile read: what a fresh scoring knows once its steps are done. */
type ProfileRead = Omit<Scoring, 'txn' | 'client' | 'startedAt' | 'span' | 't0' | 'model'>;

const TIMEOUT = Symbol('timeout');

/** Budget kept for persisting a record locally when the log does not commit in time (an fdatasync), ms. */
const PERSIST_RESERVE_MS = 8;
/** The least a late commit's look-up of an earlier record gets, ms, even past the budget: a wrong answer to a retry costs more than a few ms. */
const MIN_LOOKUP_MS = 5;

/** Whether a record read back from the log is `mine` (this attempt's), not an earlier attempt's. */
function sameRecord(stored: DecisionRecord, mine: DecisionRecord): boolean {
  return stored.decidedAt === mine.decidedAt && stored.score === mine.score && stored.latencyMs === mine.latencyMs && stored.client === mine.client;
}

/** `p`'s value, or null when it rejects or has not settled within `ms` (<= 0: only if already settled). */
async function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | null> {
  const settled = await settleWithin(p, ms);
  return settled.kind === 'value' ? settled.value : null;
}
const NOTHING_TO_RECONCILE: readonly EntityRole[] = [];

const NO_REASONS: readonly Reason[] = Object.freeze([]);
const NO_RULES: readonly string[] = Object.freeze([]);

function responseOf(r: DecisionRecord): ScoreResponse {
  const reasons = r.contributions === null ? NO_REASONS : reasonsOf(r, r.contributions);
  return { transactionId: r.transactionId, decision: r.decision, score: r.score, modelVersion: r.modelVersion, degraded: r.degraded, degradedReasons: r.degradedReasons, reasons, rules: r.rules?.hits ?? NO_RULES };
}

function settledOf(r: DecisionRecord): Settled {
  return { txn: r.transaction, response: responseOf(r) };
}

/** The ids of `span`'s trace for the decision event; null when it has none (no tracing, no caller context). */
function traceIdsOf(span: Span): TraceIds | null {
  const c = span.spanContext();
  return isSpanContextValid(c) ? { traceId: c.traceId, spanId: c.spanId } : null;
}

const NOT_READ = (reason: DegradedReason): EntityRead => ({ state: null, readVersion: null, appliedVersion: null, reason, reconcile: true, claimed: false });

/**
 * The product's main job. `score` answers a validated transaction: idempotency (same id + same
 * body → the same answer, profiles updated once; same id + another body → conflict), one step per
 * profile (read the state and merge the transaction's change, atomically per entity, under a
 * deadline), the shared `features/` vector, the champion's score, the decision from its thresholds,
 * the decision record (with the versions read and merged at). Then: shadow score, metrics, event.
 *
 * With a log shared by every replica (PostgreSQL) the answer is the record the log stored: this
 * request's, or the one another replica committed first for the same transactionId, so concurrent
 * duplicates on different replicas get one answer, and every replica can read it once answered.
 */
export class ScoringService {
  /**
   * Answers not yet in the decision log, by transactionId: a retry while the first attempt runs
   * waits for it instead of scoring (and updating profiles) twice. An entry leaves as soon as its
   * record is appended to the log, which answers every later retry.
   */
  private readonly inFlight = new Map<string, Promise<Settled>>();
  /** A local log's synchronous read (SQLite), decided once; null for a shared log (claims and commits decide). */
  private readonly stored: ((transactionId: string) => DecisionRecord | null) | null;
  /** A shared log's records this process holds unwritten (see `DecisionLog.pendingSync`), or null. */
  private readonly held: ((transactionId: string) => DecisionRecord | null) | null;
  /** The log's commit when answers wait for durability (DECISION_DURABILITY=sync), else null. */
  private readonly commit: ((record: DecisionRecord) => Promise<DecisionRecord>) | null;
  private readonly runs: ModelRuns;
  private readonly read: (txn: Transaction, out: Float32Array) => Promise<ProfileRead> | ProfileRead;
  /** The transaction, vector and time of the synchronous step in progress (see `visit`). */
  private visiting: Transaction | null = null;
  private visitingOut: Float32Array | null = null;
  private visitedAt = 0;
  private isoAt = Number.NaN;
  private iso = '';
  /** Sum of warmProfiles results, kept only so its reads stay in the compiled code. */
  private warmth = 0;
  /** Where each request's feature vector comes from (no backing store of its own per request). */
  private readonly vectors = new VectorSlab(FEATURE_COUNT);

  constructor(private readonly deps: ScoringDeps) {
    this.runs = new ModelRuns(deps.now);
    const log = deps.decisionLog;
    this.commit = deps.policy.durability === 'sync' ? log.commit.bind(log) : null;
    this.stored = log.getSync !== undefined ? log.getSync.bind(log) : null;
    this.held = this.stored === null && log.pendingSync !== undefined ? log.pendingSync.bind(log) : null;
    this.read = deps.store.transactionSync !== undefined ? this.readSync.bind(this) : this.readAsync.bind(this);
  }

  /**
   * Answers one validated transaction for `client` (its name goes into the record) (see the class
   * comment). `trace`: the caller's trace context (W3C traceparent), which the scoring's span
   * continues; undefined starts a trace of its own. Rejects only on internal faults.
   */
  score(txn: Transaction, startedAt: number, client: string, trace?: Context): Promise<ScoreOutcome> {
    const id = txn.transactionId;
    const existing = this.inFlight.get(id);
    if (existing !== undefined) return existing.then((settled) => this.replay(settled, txn));
    let run: Promise<Delivered>;
    try {
      const stored = this.stored !== null ? this.stored(id) : this.held !== null ? this.held(id) : null;
      run = stored !== null ? Promise.resolve({ settled: settledOf(stored), logged: null }) : this.scoreFresh(txn, startedAt, client, trace);
    } catch (err) {
      run = Promise.reject(err);
    }
    const settle = run.then((d) => d.settled);
    this.inFlight.set(id, settle);
    const release = () => {
      if (this.inFlight.get(id) === settle) this.inFlight.delete(id);
    };
    return run.then(
      ({ settled, logged }) => {
        // Until its record is in the log (which answers every later retry), a retry waits here.
        if (logged === null) release();
        else void logged.then(release);
        // A fresh scoring answers its own record, or (shared log) the one another replica committed first.
        if (settled.txn === txn) return { kind: 'scored', response: settled.response, replayed: false };
        return this.replay(settled, txn);
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

  /**
   * Every feature's contribution to a logged decision's score: the recorded ones (challenges and
   * declines), else computed now from its logged vector with its model version's explainer (the
   * same figures: TreeSHAP is a function of the vector and the trees). Null when no model scored
   * it or that version cannot explain (no explainer, or gone from the registry).
   */
  explanation(record: DecisionRecord): Explanation | null {
    let values = record.contributions;
    let source: Explanation['source'] = 'recorded';
    if (values === null) {
      if (record.score === null || record.modelVersion === null) return null;
      const shap = this.deps.models.explainerFor(record.modelVersion);
      if (shap === null || shap.featureCount !== record.features.length) return null;
      values = shap.explain(record.features);
      source = 'computed';
    }
    const n = FEATURE_NAMES.length;
    return {
      source,
      bias: values[n] as number,
      contributions: Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, values[i] as number])),
      reasons: reasonsOf(record, values),
    };
  }

  private replay(settled: Settled, txn: Transaction): ScoreOutcome {
    if (!sameTransaction(settled.txn, txn)) {
      this.deps.metrics.idempotentReplays.inc({ outcome: 'conflict' });
      return { kind: 'conflict' };
    }
    this.deps.metrics.idempotentReplays.inc({ outcome: 'replayed' });
    return { kind: 'scored', response: settled.response, replayed: true };
  }

  /** Scores a transaction not seen before: the steps, the features, the model in its batch, the decision, the record. */
  private scoreFresh(txn: Transaction, startedAt: number, client: string, trace: Context | undefined): Promise<Delivered> {
    const span = this.deps.tracer.startSpan('fraud.score', { attributes: { 'fraud.transaction_id': txn.transactionId } }, trace);
    const t0 = this.deps.now();
    const out = this.vectors.next();
    const read = this.read(txn, out);
    if (read instanceof Promise) {
      return read.then(async (r) => {
        // A later attempt at a transaction another one (on any replica) claimed first answers with
        // that attempt's record, once committed; it offers its own only if none comes in time
        // (the first attempt died before committing), so every change keeps a record.
        if (r.userClaimed && this.stored === null) {
          const stored = await this.awaitStored(txn.transactionId, startedAt);
          if (stored !== null) {
            span.end();
            return { settled: settledOf(stored), logged: null };
          }
        }
        return this.scoreRead(this.scoring(r, txn, client, startedAt, span, t0));
      });
    }
    return this.scoreRead(this.scoring(read, txn, client, startedAt, span, t0));
  }

  /** The scoring of a read (one literal of a fixed shape: a spread per request was measurably slow). */
  private scoring(r: ProfileRead, txn: Transaction, client: string, startedAt: number, span: Span, t0: number): Scoring {
    return {
      txn,
      client,
      startedAt,
      span,
      t0,
      t1: r.t1,
      t2: r.t2,
      features: r.features,
      versions: r.versions,
      reconcile: r.reconcile,
      reasons: r.reasons,
      userClaimed: r.userClaimed,
      model: this.deps.models.champion(),
    };
  }

  /**
   * The record the shared log holds for `transactionId`, looked up with growing pauses until
   * the budget is half spent (the rest is for scoring and committing this attempt's own); null
   * when none came. A failed or late look-up counts as none: the log never holds an answer past
   * that deadline.
   */
  private async awaitStored(transactionId: string, startedAt: number): Promise<DecisionRecord | null> {
    const { deps } = this;
    const until = startedAt + deps.policy.budgetMs / 2;
    for (let pause = 1; ; pause = Math.min(2 * pause, 16)) {
      const stored = await withDeadline(deps.decisionLog.get(transactionId), until - deps.now());
      if (stored !== null) return stored;
      const left = until - deps.now();
      if (left <= 0) return null;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    }
  }

  /**
   * The in-process store's step (declared by `transactionSync`): no promise, no deadline. The
   * features are computed inside the step, from the states as it reads them.
   */
  private readSync(txn: Transaction, out: Float32Array): ProfileRead {
    const { metrics, now } = this.deps;
    // The visitor is one function made at start; what it needs goes through fields (the call is synchronous).
    this.visiting = txn;
    this.visitingOut = out;
    const versions = (this.deps.store.transactionSync as NonNullable<ProfileStore['transactionSync']>)(txn, this.visit);
    const t1 = this.visitedAt;
    const t2 = now();
    metrics.stage.features.observe((t2 - t1) / 1000);
    return {
      t1,
      t2,
      features: out,
      versions: { userReadVersion: versions.user.version, merchantReadVersion: versions.merchant.version, userVersion: versions.user.appliedVersion, merchantVersion: versions.merchant.appliedVersion },
      reconcile: NOTHING_TO_RECONCILE,
      reasons: [],
      userClaimed: versions.user.kind === 'claimed',
    };
  }

  /** The synchronous step's visitor: the features of `visiting` from the states the step reads. */
  private readonly visit = (user: ProfileState, merchant: ProfileState): void => {
    this.visitedAt = this.deps.now();
    // Start both profiles' cache misses together (see warmProfiles): cheaper than one by one.
    this.warmth += warmProfiles(user, merchant);
    computeFeatures(this.visiting as Transaction, user, merchant, this.visitingOut as Float32Array);
  };

  /** A networked store's steps: user and merchant concurrently, one deadline for both. */
  private async readAsync(txn: Transaction, out: Float32Array): Promise<ProfileRead> {
    const { store, policy, metrics, now } = this.deps;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMEOUT>((resolve) => {
      timer = afterDeadline(policy.storeTimeoutMs, () => resolve(TIMEOUT));
    });
    let steps: Promise<EntityOutcome>[];
    try {
      steps = store.step([
        { role: 'user', id: txn.userId, claim: txn.transactionId, change: { kind: 'transaction', txn } },
        { role: 'merchant', id: txn.merchantId, claim: txn.transactionId, change: { kind: 'transaction', txn } },
      ]);
    } catch (err) {
      const failed = Promise.reject(err as Error);
      steps = [failed, failed];
    }
    let user: EntityRead;
    let merchant: EntityRead;
    try {
      [user, merchant] = await Promise.all([this.settleStep(steps[0] as Promise<EntityOutcome>, deadline), this.settleStep(steps[1] as Promise<EntityOutcome>, deadline)]);
    } finally {
      clearTimeout(timer);
    }
    const t1 = now();
    if (user.state !== null && merchant.state !== null) this.warmth += warmProfiles(user.state, merchant.state);
    computeFeatures(txn, user.state, merchant.state, out);
    const t2 = now();
    metrics.stage.features.observe((t2 - t1) / 1000);
    const reasons: DegradedReason[] = [];
    for (const r of [user.reason, merchant.reason]) if (r !== null && !reasons.includes(r)) reasons.push(r);
    const reconcile: EntityRole[] = [];
    if (user.reconcile) reconcile.push('user');
    if (merchant.reconcile) reconcile.push('merchant');
    return {
      t1,
      t2,
      features: out,
      versions: { userReadVersion: user.readVersion, merchantReadVersion: merchant.readVersion, userVersion: user.appliedVersion, merchantVersion: merchant.appliedVersion },
      reconcile,
      reasons,
      userClaimed: user.claimed,
    };
  }

  private async settleStep(step: Promise<EntityOutcome>, deadline: Promise<typeof TIMEOUT>): Promise<EntityRead> {
    const { metrics } = this.deps;
    try {
      const got = await Promise.race([step, deadline]);
      if (got === TIMEOUT) {
        // The step may still run: its outcome is unknown until reconciliation asks again.
        step.catch(() => undefined);
        metrics.storeErrors.inc({ operation: 'step_timeout' });
        return NOT_READ('profile_store_timeout');
      }
      if (got.kind === 'lost') {
        metrics.storeErrors.inc({ operation: 'step_lost' });
        return NOT_READ('profile_store_lost');
      }
      return { state: got.state, readVersion: got.version, appliedVersion: got.appliedVersion, reason: null, reconcile: false, claimed: got.kind === 'claimed' };
    } catch (err) {
      metrics.storeErrors.inc({ operation: 'step' });
      this.deps.onBackgroundError('profile store step failed', err);
      return NOT_READ('profile_store_error');
    }
  }

  private scoreRead(ctx: Scoring): Promise<Delivered> {
    const { metrics } = this.deps;
    metrics.stage.store.observe((ctx.t1 - ctx.t0) / 1000);
    const model = ctx.model;
    if (model === null) {
      ctx.reasons.push('no_model');
      return this.conclude(ctx, null);
    }
    return this.runs.score(model, ctx.features).then(
      (score) => this.conclude(ctx, score),
      (err: unknown) => {
        ctx.reasons.push('model_error');
        ctx.span.recordException(err as Error);
        ctx.span.setStatus({ code: SpanStatusCode.ERROR, message: 'model failed to score' });
        this.deps.onBackgroundError(`model ${model.version} failed to score`, err);
        return this.conclude(ctx, null);
      },
    );
  }

  /** The decision from the model's score (null: no model or it failed), its record, and the answer. */
  private conclude(ctx: Scoring, score: number | null): Promise<Delivered> {
    const { deps } = this;
    const { metrics, policy, now } = deps;
    const { txn, model, reasons, t0, t1, t2, span } = ctx;
    const t3 = now();
    metrics.stage.model.observe((t3 - t2) / 1000);
    const unread = ctx.versions.userReadVersion === null || ctx.versions.merchantReadVersion === null;
    let decision: Decision;
    if (score === null || model === null) decision = policy.noModelDecision;
    else {
      decision = decide(score, model.metadata.thresholds);
      if (unread && policy.degradedPolicy !== 'score') decision = stricter(decision, policy.degradedPolicy);
    }
    // Drift is measured on what the model saw with full information: a degraded vector's NaNs are an outage, not a shift.
    const eventTime = transactionTime(txn);
    if (score !== null && model !== null && reasons.length === 0) deps.drift.observe(model, ctx.features, score, eventTime);
    const guarded = deps.rules.check({ txn, features: ctx.features, score: model === null ? null : score, decision, degraded: reasons.length > 0 });
    decision = guarded.decision;
    // Only fully informed challenges and declines are explained now (a few percent of answers).
    // A degraded answer is not: its reason is what was missing (degradedReasons), and when a store
    // outage or an overload degrades most answers, explaining each would add a TreeSHAP pass to
    // every answer just when the service is short of time (a profile of the production topology
    // with 55 % of answers degraded challenges: 14 % of the scoring thread's time was TreeSHAP;
    // docs/performance.md, fifteenth round). Both are explained from the logged vector when read.
    const contributions = decision !== 'approve' && reasons.length === 0 && score !== null && model?.explainer ? model.explainer.explain(ctx.features) : null;
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
        'fraud.rule_hits': (guarded.rules?.hits ?? NO_RULES) as string[],
      });
    }
    // Stage spans are made after the fact from the times already taken (nothing extra on the way).
    const stages = deps.stageSpans && span.isRecording() ? otelTrace.setSpan(otelContext.active(), span) : null;
    if (stages !== null) {
      this.stageSpan('fraud.profile_store', stages, t0, t1);
      this.stageSpan('fraud.features', stages, t1, t2);
      this.stageSpan('fraud.model', stages, t2, t3);
      this.stageSpan('fraud.decision', stages, t3, t4);
    }
    const record: DecisionRecord = {
      transactionId: txn.transactionId,
      transaction: txn,
      eventTime,
      features: ctx.features,
      contributions,
      featureSpecHash: deps.featureSpecHash,
      score,
      decision,
      modelVersion: model?.version ?? null,
      rules: guarded.rules,
      shadow: null,
      degraded: reasons.length > 0,
      degradedReasons: reasons,
      latencyMs: t4 - ctx.startedAt,
      decidedAt: this.decidedAt(),
      client: ctx.client,
      servedBy: deps.replica,
      ...ctx.versions,
    };
    return this.deliver(record, ctx.reconcile, span, stages);
  }

  /** A finished child span of a scoring stage from `start` to `end` (the `now` clock, ms). */
  private stageSpan(name: string, parent: Context, start: number, end: number): Span {
    const s = this.deps.tracer.startSpan(name, { startTime: start }, parent);
    s.end(end);
    return s;
  }

  /**
   * Logs a fresh record and settles its answer. Durable answers (the default): the record is
   * committed first, or persisted locally when the log does not commit in time (see
   * {@link durable}), and the answer is what the log stored (for a shared log, possibly the record
   * another replica committed first for the same transactionId). Async: answered now, appended
   * right away (or once the challenger's shadow score is in). Metrics, the event and
   * reconciliation follow for a record that was stored.
   */
  private deliver(record: DecisionRecord, reconcile: readonly EntityRole[], span: Span, stages: Context | null): Promise<Delivered> {
    const { deps } = this;
    const challenger = deps.models.challenger();
    const withShadow: Promise<DecisionRecord> | DecisionRecord =
      challenger === null
        ? record
        : challenger.score(record.features).then(
            (score) => {
              deps.metrics.shadowScores.inc({ version: challenger.version });
              return { ...record, shadow: { version: challenger.version, score } };
            },
            (err: unknown) => {
              deps.onBackgroundError(`challenger ${challenger.version} failed to score`, err);
              return record;
            },
          );
    const commit = this.commit;
    const traceIds = traceIdsOf(span);
    if (commit !== null) {
      const logStart = deps.now();
      return Promise.resolve(withShadow)
        .then((final) => this.durable(final, reconcile, commit, traceIds))
        .finally(() => {
          const logEnd = deps.now();
          deps.metrics.stage.commit.observe((logEnd - logStart) / 1000);
          if (stages !== null) this.stageSpan('fraud.decision_log', stages, logStart, logEnd);
          span.end();
        });
    }
    span.end();
    const settled: Settled = { txn: record.transaction, response: responseOf(record) };
    const append = (final: DecisionRecord): void => {
      deps.decisionLog.append(final);
      this.afterLogged(final, reconcile, traceIds);
    };
    if (withShadow instanceof Promise) return Promise.resolve({ settled, logged: withShadow.then(append) });
    append(withShadow);
    return Promise.resolve({ settled, logged: null });
  }

  /**
   * A durable answer: the log's commit is awaited for at most `commitTimeoutMs` (less when the
   * budget is nearly spent, none while the log is known unavailable); past that the record is
   * persisted to the synced local spill file (a few ms), so the hot path never waits on a slow
   * or stopped log and no acknowledged record is lost. When even that fails (the local disk
   * refuses), the record stays buffered and is answered all the same: counted and reported.
   */
  private async durable(record: DecisionRecord, reconcile: readonly EntityRole[], commit: (r: DecisionRecord) => Promise<DecisionRecord>, traceIds: TraceIds | null): Promise<Delivered> {
    const { deps } = this;
    const log = deps.decisionLog;
    const { commitTimeoutMs } = deps.policy;
    const committing = commit(record);
    const state = log.writeState(commitTimeoutMs);
    // Failing: no wait. Replaying a spill (new records are written after it): a short one, so
    // answers neither hold for the whole backlog nor all spill, which would keep a backlog alive.
    const deadline = state === 'ok' ? commitTimeoutMs : state === 'replaying' ? commitTimeoutMs / 4 : 0;
    const wait = Math.min(deadline, deps.policy.budgetMs - PERSIST_RESERVE_MS - record.latencyMs);
    let stored = await withDeadline(committing, wait);
    if (stored === null && state !== 'failing' && log.getCommitted !== undefined) {
      // The commit is late (a replay of a spill ahead of it, a slow disk). This transaction may be
      // a retry of one the shared log already holds (answered before a restart, whose claim a
      // fresh store does not know): its answer is that record's, never this new scoring's. One
      // look-up by id of what is committed, on the log's read connections, settles it; a record
      // equal to this one is this commit landing.
      const earlier = await withDeadline(log.getCommitted(record.transactionId).catch(() => null), Math.max(MIN_LOOKUP_MS, deps.policy.budgetMs - PERSIST_RESERVE_MS - record.latencyMs - wait));
      if (earlier !== null) {
        if (!sameRecord(earlier, record)) {
          deps.metrics.idempotentReplays.inc({ outcome: 'committed_elsewhere' });
          return { settled: settledOf(earlier), logged: null };
        }
        stored = record;
      }
    }
    if (stored === null) {
      deps.metrics.decisionLogCommitTimeouts.inc();
      try {
        await log.persist();
      } catch (err) {
        deps.onBackgroundError('persisting decision records to the spill file failed', err);
      }
      stored = await withDeadline(committing, 0);
      if (stored === null) stored = record;
    }
    if (stored !== record) {
      // Another replica committed this transactionId first: its record is the answer. Each
      // entity's change was merged once, on its claim; the stored record's writer reconciles its own.
      deps.metrics.idempotentReplays.inc({ outcome: 'committed_elsewhere' });
      return { settled: settledOf(stored), logged: null };
    }
    this.afterLogged(record, reconcile, traceIds);
    return { settled: { txn: record.transaction, response: responseOf(record) }, logged: null };
  }

  /** What follows a fresh record this replica logged: reconciliation of its unknown changes, metrics and the event. */
  private afterLogged(record: DecisionRecord, reconcile: readonly EntityRole[], traceIds: TraceIds | null): void {
    for (const role of reconcile) this.deps.reconciler.decision(record.transaction, role);
    this.deps.metrics.decisions[record.decision].inc();
    countDegraded(this.deps.metrics, record.degradedReasons);
    this.deps.events.emit(record, traceIds);
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
}
