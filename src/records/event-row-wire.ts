import { nullableText, text, textList, float, type WireCodec } from './decision-field-kinds';
import { fieldCodec } from './decision-fields';
import { decisionEventRow, type DecisionEventRow, type TraceIds } from '../telemetry/decision-events';
import type { DecisionRecord } from './decision-record';
import { WireReader, type WireWriter } from './wire-bytes';

/** An optional transaction field: absent stays absent (undefined). */
const optionalText: WireCodec<string | undefined> = { write: (w, v) => w.value(v), read: (r) => r.value() as string | undefined };

/**
 * The wire codec of each element of a decision-event row, in row order: typed by the row, so a
 * row element without its codec, or with a codec of another type, does not compile. Elements
 * that are record fields use the record's own codecs (decision-fields.ts).
 */
type CodecsOf<Row extends readonly unknown[]> = { readonly [I in keyof Row]: WireCodec<Row[I]> };
const ROW_WIRE: CodecsOf<DecisionEventRow> = [
  fieldCodec('transactionId'), text(), text(), float, text(), optionalText, optionalText, text(),
  fieldCodec('decision'), fieldCodec('score'), fieldCodec('modelVersion'), fieldCodec('degraded'), fieldCodec('degradedReasons'),
  fieldCodec('shadow'), fieldCodec('latencyMs'), fieldCodec('client'),
  textList(), textList(), nullableText(), nullableText(), nullableText(),
];
// Arrays of functions, fixed at start: the codecs are objects of different shapes.
const WRITE = (ROW_WIRE as readonly WireCodec<unknown>[]).map((c) => c.write);
const READ = (ROW_WIRE as readonly WireCodec<unknown>[]).map((c) => c.read);
const LENGTH = ROW_WIRE.length;

/**
 * Appends the decision-event row of `r` (`decisionEventRow`) to `w`: done when the event is
 * emitted, while the record is still in the cache, so that a batch leaves for the writer thread
 * as one transferred buffer (see wire-bytes.ts).
 */
export function writeEventRow(w: WireWriter, r: DecisionRecord, trace: TraceIds | null = null): void {
  const row = decisionEventRow(r, trace);
  for (let i = 0; i < LENGTH; i++) (WRITE[i] as (w: WireWriter, v: unknown) => void)(w, row[i]);
}

/** The rows {@link writeEventRow} appended, in order; each equals `decisionEventRow` of its record. */
export function readEventRows(bytes: ArrayBuffer): DecisionEventRow[] {
  const r = new WireReader(bytes);
  const rows: DecisionEventRow[] = [];
  while (!r.done) {
    const row = new Array<unknown>(LENGTH);
    for (let i = 0; i < LENGTH; i++) row[i] = (READ[i] as (r: WireReader) => unknown)(r);
    // Each element was read by the codec of its type (ROW_WIRE is typed by the row).
    rows.push(row as unknown as DecisionEventRow);
  }
  return rows;
}
