import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Decision, DegradedReason } from '../records/decision-record';
import { LeanHistogram, type HistogramChild } from './lean-histogram';

/**
 * Stages of a scored request, timed on the hot path. `commit` is how long a durable answer
 * (`DECISION_DURABILITY=sync`) waits for its decision record to be committed, or persisted to the
 * spill file past the commit deadline, after the decision: the rest of the request's server time.
 */
export const STAGES = ['validate', 'store', 'features', 'model', 'decision', 'commit'] as const;
export type Stage = (typeof STAGES)[number];

const DECISIONS: readonly Decision[] = ['approve', 'challenge', 'decline'];

/** The service's metrics, registered on one registry; children with fixed labels are bound at start. */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** Labels route, method, status; bind a child per series on hot paths. */
  readonly httpDuration: LeanHistogram;
  /** Per-stage server-side timers, bound once (seconds). */
  readonly stage: Readonly<Record<Stage, HistogramChild>>;
  readonly scoringDuration: HistogramChild;
  readonly decisions: Readonly<Record<Decision, { inc(value?: number): void }>>;
  readonly degraded: Counter<'reason'>;
  readonly modelInfo: Gauge<'version' | 'role'>;
  readonly modelLoadFailures: Counter<'role'>;
  readonly shadowScores: Counter<'version'>;
  readonly storeErrors: Counter<'operation'>;
  readonly decisionLogPending: Gauge;
  readonly decisionLogSpilled: Counter;
  readonly decisionLogWriteErrors: Counter;
  readonly decisionEventsDropped: Counter;
  readonly labels: Counter<'label' | 'source' | 'outcome'>;
  readonly idempotentReplays: Counter<'outcome'>;
  readonly decisionLogCommitTimeouts: Counter;
  readonly reconcilePending: Gauge;
  readonly reconciled: Counter<'kind' | 'outcome'>;
  /** Requests refused by authentication (401) or authorization (403), by reason. */
  readonly authRefused: Counter<'reason'>;
  /** Requests refused by a client's rate limit (429), by client. */
  readonly rateLimited: Counter<'client'>;
  /** Guard-rail rules whose condition held, by rule id (see src/rules). */
  readonly ruleHits: Counter<'rule'>;
  /** Guard-rail rules whose condition failed at run time (counted as not hit), by rule id. */
  readonly ruleErrors: Counter<'rule'>;
  /** The rule set in force (value 1), by version and hash. */
  readonly ruleSetInfo: Gauge<'version' | 'hash'>;
  /** Rule set files refused (the previous set keeps serving). */
  readonly ruleSetLoadFailures: Counter;
  /** Entries in each list as this replica holds them. */
  readonly listEntries: Gauge<'list'>;
  /** Seconds since this replica's lists last caught up with the shared store. */
  readonly listSyncAge: Gauge;
  /** Failed polls of the shared list store. */
  readonly listSyncFailures: Counter;
}

/** A record with one bound metric child per key (decided once, at start). */
function bindAll<K extends string, V>(keys: readonly K[], bind: (key: K) => V): Readonly<Record<K, V>> {
  const out = {} as Record<K, V>;
  for (const k of keys) out[k] = bind(k);
  return out;
}

/** Latency buckets in seconds: sub-millisecond resolution where the budget matters. */
const HTTP_BUCKETS = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 1];
const STAGE_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05];

/**
 * Creates the service metrics on a fresh registry, so each app instance and each test has its
 * own. The service's own metrics are named `fraud_*`; prom-client's process and Node.js defaults
 * keep their standard names (`process_cpu_seconds_total`, `nodejs_eventloop_lag_p99_seconds`, …)
 * so stock Node.js dashboards find them.
 */
export function createServiceMetrics(options: { defaultMetrics?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const stageHistogram = new LeanHistogram('fraud_scoring_stage_duration_seconds', 'Server-side time per scoring stage', ['stage'], STAGE_BUCKETS, registry);
  // Counted in plain numbers and handed to prom-client when the registry is read (`collect`):
  // its labelled `inc` hashes and checks the label set on every call, once per scored request.
  const counted: Record<Decision, number> = { approve: 0, challenge: 0, decline: 0 };
  const decisionCounter = new Counter({
    name: 'fraud_decisions_total',
    help: 'Decisions returned, by outcome',
    labelNames: ['decision'],
    registers: [registry],
    collect() {
      for (const decision of DECISIONS) {
        const n = counted[decision];
        if (n === 0) continue;
        counted[decision] = 0;
        this.inc({ decision }, n);
      }
    },
  });
  const countDecision = (decision: Decision) => (value = 1) => {
    if (!(value >= 0 && Number.isFinite(value))) throw new TypeError(`fraud_decisions_total: cannot add ${value}`);
    // An increment of 0 creates the series now (initializeSeries).
    if (value === 0) decisionCounter.inc({ decision }, 0);
    else counted[decision] += value;
  };
  return {
    registry,
    httpDuration: new LeanHistogram('fraud_http_request_duration_seconds', 'HTTP request latency by route and status', ['route', 'method', 'status'], HTTP_BUCKETS, registry),
    stage: bindAll(STAGES, (stage) => stageHistogram.child({ stage })),
    scoringDuration: new LeanHistogram(
      'fraud_scoring_duration_seconds',
      'Server-side scoring time from validated request to decision (excludes HTTP)',
      [],
      STAGE_BUCKETS,
      registry,
    ).child(),
    decisions: bindAll(DECISIONS, (d) => ({ inc: countDecision(d) })),
    degraded: new Counter({ name: 'fraud_degraded_total', help: 'Degraded responses by reason', labelNames: ['reason'], registers: [registry] }),
    modelInfo: new Gauge({ name: 'fraud_model_info', help: 'Loaded models (value 1), by version and role', labelNames: ['version', 'role'], registers: [registry] }),
    modelLoadFailures: new Counter({ name: 'fraud_model_load_failures_total', help: 'Models refused at load', labelNames: ['role'], registers: [registry] }),
    shadowScores: new Counter({ name: 'fraud_shadow_scores_total', help: 'Challenger shadow scores computed', labelNames: ['version'], registers: [registry] }),
    storeErrors: new Counter({ name: 'fraud_profile_store_errors_total', help: 'Profile store failures', labelNames: ['operation'], registers: [registry] }),
    decisionLogPending: new Gauge({ name: 'fraud_decision_log_pending', help: 'Decision records not yet durable', registers: [registry] }),
    decisionLogSpilled: new Counter({ name: 'fraud_decision_log_spilled_total', help: 'Decision records spilled to disk during a sink outage', registers: [registry] }),
    decisionLogWriteErrors: new Counter({ name: 'fraud_decision_log_write_errors_total', help: 'Failed decision log batch writes', registers: [registry] }),
    decisionEventsDropped: new Counter({
      name: 'fraud_decision_events_dropped_total',
      help: 'ECS decision events not written: stdout refused them or could not keep up',
      registers: [registry],
    }),
    labels: new Counter({ name: 'fraud_labels_total', help: 'Feedback labels received', labelNames: ['label', 'source', 'outcome'], registers: [registry] }),
    idempotentReplays: new Counter({
      name: 'fraud_idempotent_replays_total',
      help: 'Retried transactionIds: replayed (same body), conflict (different body), committed_elsewhere (a concurrent duplicate on another replica was stored first)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    decisionLogCommitTimeouts: new Counter({
      name: 'fraud_decision_log_commit_timeouts_total',
      help: 'Answers whose record the decision log did not commit within DECISION_LOG_COMMIT_TIMEOUT_MS: persisted to the synced spill file instead (the log was slow or down)',
      registers: [registry],
    }),
    reconcilePending: new Gauge({ name: 'fraud_profile_reconcile_pending', help: 'Profile changes whose merge is not yet known, queued for reconciliation', registers: [registry] }),
    reconciled: new Counter({
      name: 'fraud_profile_reconciled_total',
      help: 'Profile changes reconciled after an unknown outcome: applied (merged now) or claimed (had been merged)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    authRefused: new Counter({ name: 'fraud_auth_refused_total', help: 'Requests refused: unauthenticated (401, no or bad credentials) or forbidden (403, a scope missing)', labelNames: ['reason'], registers: [registry] }),
    rateLimited: new Counter({ name: 'fraud_rate_limited_total', help: 'Requests refused with 429 by their client\'s token bucket', labelNames: ['client'], registers: [registry] }),
    ruleHits: new Counter({ name: 'fraud_rule_hits_total', help: 'Guard-rail rules whose condition held, by rule', labelNames: ['rule'], registers: [registry] }),
    ruleErrors: new Counter({ name: 'fraud_rule_errors_total', help: 'Guard-rail rules whose condition failed at run time (not hit), by rule', labelNames: ['rule'], registers: [registry] }),
    ruleSetInfo: new Gauge({ name: 'fraud_rule_set_info', help: 'The guard-rail rule set in force (value 1)', labelNames: ['version', 'hash'], registers: [registry] }),
    ruleSetLoadFailures: new Counter({ name: 'fraud_rule_set_load_failures_total', help: 'Rule set files refused (the previous set keeps serving)', registers: [registry] }),
    listEntries: new Gauge({ name: 'fraud_list_entries', help: 'Entries of each allow or block list held by this replica', labelNames: ['list'], registers: [registry] }),
    listSyncAge: new Gauge({ name: 'fraud_list_sync_age_seconds', help: 'Seconds since this replica\'s lists last caught up with the shared store', registers: [registry] }),
    listSyncFailures: new Counter({ name: 'fraud_list_sync_failures_total', help: 'Failed polls of the shared list store', registers: [registry] }),
  };
}

/** Every degraded reason, so each series exists (at 0) from the start and increase() sees the first one. */
const DEGRADED_REASONS: readonly DegradedReason[] = ['profile_store_timeout', 'profile_store_error', 'profile_store_lost', 'no_model', 'model_error', 'budget_exceeded'];

/**
 * Profile store failures by operation: `step` / `step_timeout` / `step_lost` degrade an answer
 * (its change is reconciled later), `label_step` delays a label's change (reconciled later).
 */
const STORE_OPERATIONS = ['step', 'step_timeout', 'step_lost', 'label_step'] as const;

/** Creates the labelled series alerts rely on at 0, so a rule sees their first increment. */
export function initializeSeries(metrics: ServiceMetrics): void {
  for (const reason of DEGRADED_REASONS) metrics.degraded.inc({ reason }, 0);
  for (const role of ['champion', 'challenger']) metrics.modelLoadFailures.inc({ role }, 0);
  for (const operation of STORE_OPERATIONS) metrics.storeErrors.inc({ operation }, 0);
  for (const d of DECISIONS) metrics.decisions[d].inc(0);
  for (const reason of ['unauthenticated', 'forbidden']) metrics.authRefused.inc({ reason }, 0);
}

/** Counts a degraded response once per reason. */
export function countDegraded(metrics: ServiceMetrics, reasons: readonly DegradedReason[]): void {
  for (const r of reasons) metrics.degraded.inc({ reason: r });
}
