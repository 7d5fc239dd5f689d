import type { Logger } from 'pino';
import { stringHash32 } from '../hashing/string-hash';
import type { DecisionRecord } from '../records/decision-record';
import { reasonCodesOf } from '../records/decision-reasons';
import { userIdFields, type UserIdPolicy } from './user-id-field';

/** The trace a decision was made in (W3C ids, lower-case hex), as ECS `trace.id` and `span.id`. */
export interface TraceIds {
  readonly traceId: string;
  readonly spanId: string;
}

/** Writes one ECS decision event per decision (for Filebeat → Elasticsearch → Kibana). */
export interface DecisionEvents {
  /** `trace`: the scoring span's ids (its trace is the caller's when it sent a traceparent), or none. */
  emit(record: DecisionRecord, trace?: TraceIds | null): void;
  /** Writes out every event emitted so far; call once, after the last emit. */
  close(): Promise<void>;
}

export const DECISION_EVENTS_OFF: DecisionEvents = { emit: () => undefined, close: () => Promise.resolve() };

/**
 * A stable per-transaction sampling draw in [0, 1), uniform even over ids that differ only in
 * their last characters (`tx-1`, `tx-2`, ...): the hash must avalanche (plain FNV-1a does not).
 */
function sampleDraw(id: string): number {
  return stringHash32(id) / 0x1_0000_0000;
}

/**
 * Whether `r` gets an event: challenges and declines always, approvals with probability
 * `sampleRate`, decided by the transaction id so a retry makes the same choice.
 */
export function isSampled(r: DecisionRecord, sampleRate: number): boolean {
  return r.decision !== 'approve' || sampleRate >= 1 || sampleDraw(r.transactionId) < sampleRate;
}

/**
 * What a decision event says, as a flat row in a fixed order: cheap to build on the scoring thread
 * and to clone to a writer thread (no property names, no feature vector).
 */
export type DecisionEventRow = readonly [
  transactionId: string,
  userId: string,
  merchantId: string,
  amountMinor: number,
  currency: string,
  channel: string | undefined,
  merchantCountry: string | undefined,
  eventTime: string,
  decision: DecisionRecord['decision'],
  score: number | null,
  modelVersion: string | null,
  degraded: boolean,
  degradedReasons: DecisionRecord['degradedReasons'],
  challenger: DecisionRecord['shadow'],
  latencyMs: number,
  client: string | null,
  /** The codes of the reasons the answer named (challenges and declines; empty for approvals). */
  reasonCodes: readonly string[],
  /** The guard-rail rules that hit (empty when none did or no rule set is configured). */
  ruleHits: readonly string[],
  /** The rule set in force, or null. */
  ruleSetVersion: string | null,
  /** The scoring span's trace and span ids, or null. */
  traceId: string | null,
  spanId: string | null,
];

const NO_HITS: readonly string[] = Object.freeze([]);

export function decisionEventRow(r: DecisionRecord, trace: TraceIds | null = null): DecisionEventRow {
  const t = r.transaction;
  return [r.transactionId, t.userId, t.merchantId, t.amountMinor, t.currency, t.channel, t.merchantCountry, t.timestamp, r.decision, r.score, r.modelVersion, r.degraded, r.degradedReasons, r.shadow, r.latencyMs, r.client, reasonCodesOf(r), r.rules?.hits ?? NO_HITS, r.rules?.version ?? null, trace?.traceId ?? null, trace?.spanId ?? null];
}

/**
 * Logs one decision event (info level): ECS `event.*` fields plus the `fraud.*` fields of the row,
 * the user as `userFields` gives it (see user-id-field.ts: a pseudonym by default).
 */
export function writeDecisionEvent(logger: Logger, row: DecisionEventRow, userFields: (userId: string) => Readonly<Record<string, string>>): void {
  const [transactionId, userId, merchantId, amountMinor, currency, channel, merchantCountry, eventTime, decision, score, modelVersion, degraded, degradedReasons, challenger, latencyMs, client, reasonCodes, ruleHits, ruleSetVersion, traceId, spanId] = row;
  logger.info(
    {
      ...(traceId === null ? {} : { trace: { id: traceId } }),
      ...(spanId === null ? {} : { span: { id: spanId } }),
      event: {
        dataset: 'fraud.decision',
        module: 'fraud-scoring',
        kind: 'event',
        action: 'transaction-scored',
        outcome: 'success',
        duration: Math.round(latencyMs * 1e6),
      },
      fraud: {
        transaction_id: transactionId,
        ...userFields(userId),
        merchant_id: merchantId,
        amount_minor: amountMinor,
        currency,
        channel,
        merchant_country: merchantCountry,
        // RFC 3339 allows a lower-case t and z; Elasticsearch's date parser does not.
        event_time: eventTime.toUpperCase(),
        decision,
        score,
        model_version: modelVersion,
        degraded,
        degraded_reasons: degradedReasons,
        challenger,
        client,
        reason_codes: reasonCodes,
        rule_hits: ruleHits,
        rule_set_version: ruleSetVersion,
      },
    },
    `${decision} ${transactionId}`,
  );
}

/**
 * Decision events formatted and written on this thread, on the given logger (sampled by
 * {@link isSampled}). The service writes them from a thread of their own
 * (`threaded-decision-events.ts`), which formats with this same function; this one serves where
 * that thread cannot run (sources run by ts-jest) and tests that capture a logger.
 */
export function createDecisionEvents(logger: Logger, opts: { sampleRate: number; userId: UserIdPolicy }): DecisionEvents {
  const userFields = userIdFields(opts.userId);
  return {
    emit(r, trace = null) {
      if (isSampled(r, opts.sampleRate)) writeDecisionEvent(logger, decisionEventRow(r, trace), userFields);
    },
    close: () => Promise.resolve(),
  };
}
