import type { Transaction } from '../../features';
import { TRANSACTION_FIELDS as FIELDS, TRANSACTION_JSON_PREFIXES as JSON_PREFIXES } from '../scoring/request-hash';
import type { DecisionRecord } from './decision-record';
import { WireReader, WireWriter, type WireValue } from './wire-bytes';

/**
 * A batch of decision records as sent to the writer thread: one ArrayBuffer (see wire-bytes.ts),
 * transferred with the message. Per record, in order: the transaction's fields (contract order,
 * an absent optional one as undefined), then the record's own fields, the vector, then the
 * contributions (a vector or null).
 */
export type PackedDecisions = ArrayBuffer;

type Reason = DecisionRecord['degradedReasons'][number];

/** Appends a record's shadow score (null, or its version and score) and its degraded reasons. */
export function writeShadowAndReasons(w: WireWriter, r: Pick<DecisionRecord, 'shadow' | 'degradedReasons'>): void {
  w.value(r.shadow === null ? null : r.shadow.version);
  if (r.shadow !== null) w.value(r.shadow.score);
  w.value(r.degradedReasons.length);
  for (const reason of r.degradedReasons) w.value(reason);
}

/** Reads back what {@link writeShadowAndReasons} appended. */
export function readShadowAndReasons(r: WireReader): Pick<DecisionRecord, 'shadow' | 'degradedReasons'> {
  const version = r.value() as string | null;
  const shadow = version === null ? null : { version, score: r.value() as number };
  const count = r.value() as number;
  const degradedReasons: Reason[] = [];
  for (let i = 0; i < count; i++) degradedReasons.push(r.value() as Reason);
  return { shadow, degradedReasons };
}

/** Appends a record's rules: null, or the set's version and hash and the ids of the rules that hit. */
function writeRules(w: WireWriter, rules: DecisionRecord['rules']): void {
  w.value(rules === null ? null : rules.version);
  if (rules === null) return;
  w.value(rules.hash);
  w.value(rules.hits.length);
  for (const id of rules.hits) w.value(id);
}

/** Reads back what {@link writeRules} appended. */
function readRules(r: WireReader): DecisionRecord['rules'] {
  const version = r.value() as string | null;
  if (version === null) return null;
  const hash = r.value() as string;
  const hits: string[] = [];
  for (let i = r.value() as number; i > 0; i--) hits.push(r.value() as string);
  return { version, hash, hits };
}

/** Packs records for the writer thread. */
export function packDecisions(batch: readonly DecisionRecord[]): PackedDecisions {
  const w = new WireWriter(batch.length * 512);
  for (const r of batch) {
    const t = r.transaction as unknown as Readonly<Record<string, WireValue>>;
    for (const f of FIELDS) w.value(t[f]);
    w.value(r.transactionId);
    w.value(r.eventTime);
    w.value(r.featureSpecHash);
    w.value(r.score);
    w.value(r.decision);
    w.value(r.modelVersion);
    w.value(r.degraded);
    writeShadowAndReasons(w, r);
    w.value(r.latencyMs);
    w.value(r.decidedAt);
    w.value(r.client);
    w.value(r.userReadVersion);
    w.value(r.merchantReadVersion);
    w.value(r.userVersion);
    w.value(r.merchantVersion);
    writeRules(w, r.rules);
    w.floats(r.features);
    w.optionalFloats(r.contributions);
  }
  return w.finish();
}

/** A packed record's own fields, read after its transaction and before its vector. */
type RecordFields = Omit<DecisionRecord, 'transaction' | 'features' | 'contributions'>;

/** Reads what {@link packDecisions} wrote between a record's transaction fields and its vector. */
function readRecordFields(r: WireReader): RecordFields {
  const transactionId = r.value() as string;
  const eventTime = r.value() as number;
  const featureSpecHash = r.value() as string;
  const score = r.value() as number | null;
  const decision = r.value() as DecisionRecord['decision'];
  const modelVersion = r.value() as string | null;
  const degraded = r.value() as boolean;
  const { shadow, degradedReasons } = readShadowAndReasons(r);
  const latencyMs = r.value() as number;
  const decidedAt = r.value() as string;
  const client = r.value() as string | null;
  const userReadVersion = r.value() as number | null;
  const merchantReadVersion = r.value() as number | null;
  const userVersion = r.value() as number | null;
  const merchantVersion = r.value() as number | null;
  const rules = readRules(r);
  return { transactionId, eventTime, featureSpecHash, score, decision, modelVersion, rules, shadow, degraded, degradedReasons, latencyMs, decidedAt, client, userReadVersion, merchantReadVersion, userVersion, merchantVersion };
}

/** The records {@link packDecisions} packed, equal field for field (absent optional fields stay absent). */
export function unpackDecisions(packed: PackedDecisions): DecisionRecord[] {
  const r = new WireReader(packed);
  const out: DecisionRecord[] = [];
  while (!r.done) {
    const transaction: Record<string, unknown> = {};
    for (const f of FIELDS) {
      const v = r.value();
      if (v !== undefined) transaction[f] = v;
    }
    const fields = readRecordFields(r);
    out.push({ ...fields, transaction: transaction as unknown as Transaction, features: r.floats(), contributions: r.optionalFloats() });
  }
  return out;
}

const USER_ID = FIELDS.indexOf('userId');
const MERCHANT_ID = FIELDS.indexOf('merchantId');

/**
 * One packed record as the decision log stores it. `transactionJson` is the transaction's JSON
 * with its fields in contract order, which is sorted: exactly `JSON.stringify` of the unpacked
 * transaction, and exactly its canonical JSON (the text `requestHash` hashes). `features` is the
 * vector's float32 little-endian bytes, a view into the packed buffer; `contributions` likewise.
 */
export interface StoredDecision {
  /** The record's own fields (nested, not spread: copying them into one object per record doubled the writer's cost). */
  readonly fields: RecordFields;
  readonly transactionJson: string;
  readonly userId: string;
  readonly merchantId: string;
  readonly features: Buffer;
  readonly contributions: Buffer | null;
}

/**
 * Calls `fn` with each record {@link packDecisions} packed, in order, as the decision log stores
 * it: the writer thread's path, which builds no transaction object and serialises each
 * transaction once. Throws a RangeError on bytes `packDecisions` did not write.
 */
export function forEachStoredDecision(packed: PackedDecisions, fn: (d: StoredDecision) => void): void {
  const r = new WireReader(packed);
  while (!r.done) {
    let json = '{';
    let userId = '';
    let merchantId = '';
    for (let i = 0; i < FIELDS.length; i++) {
      const v = r.value();
      if (v === undefined) continue;
      if (i === USER_ID) userId = v as string;
      else if (i === MERCHANT_ID) merchantId = v as string;
      if (json.length > 1) json += ',';
      json += (JSON_PREFIXES[i] as string) + JSON.stringify(v);
    }
    const fields = readRecordFields(r);
    const features = r.floatBytes();
    fn({ fields, transactionJson: `${json}}`, userId, merchantId, features, contributions: r.optionalFloatBytes() });
  }
}
