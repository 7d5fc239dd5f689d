import type { DecisionRecord } from './decision-record';
import type { SqliteValue } from './decision-field-kinds';
import { asRecord, DECISION_COLUMNS, DECISION_FIELDS, type RecordDraft } from './decision-fields';
import { WireReader, WireWriter } from './wire-bytes';

/**
 * A batch of decision records as sent to the writer thread: one ArrayBuffer (see wire-bytes.ts),
 * transferred with the message. Per record, each field of the table (decision-fields.ts) in
 * table order, as its codec writes it.
 */
export type PackedDecisions = ArrayBuffer;

// Fixed at start, one shape for all: the per-record work is a loop over these (no closure or object per record).
const HANDLERS = DECISION_FIELDS.map((f) => ({ key: f.key, at: f.at, write: f.codec.write, read: f.codec.read, readStored: f.codec.readStored }));

/** Packs records for the writer thread. */
export function packDecisions(batch: readonly DecisionRecord[]): PackedDecisions {
  const w = new WireWriter(batch.length * 512);
  for (const r of batch) {
    for (const h of HANDLERS) h.write(w, r[h.key]);
  }
  return w.finish();
}

/** The records {@link packDecisions} packed, equal field for field (absent optional transaction fields stay absent). */
export function unpackDecisions(packed: PackedDecisions): DecisionRecord[] {
  const r = new WireReader(packed);
  const out: DecisionRecord[] = [];
  while (!r.done) {
    const draft: RecordDraft = {};
    for (const h of HANDLERS) draft[h.key] = h.read(r);
    out.push(asRecord(draft));
  }
  return out;
}

/**
 * Calls `fn` with each record {@link packDecisions} packed, in order, as the SQLite parameters of
 * its row ({@link DECISION_COLUMNS} order): the writer thread's path, which builds no record and
 * no transaction object, serialises each transaction once (its canonical JSON, whose SHA-256 is
 * the request hash) and copies no vector (a blob is a view into `packed`). `fn` gets the same
 * array each time, valid only during the call. Throws a RangeError on bytes `packDecisions` did
 * not write.
 */
export function forEachStoredRow(packed: PackedDecisions, fn: (row: readonly SqliteValue[]) => void): void {
  const r = new WireReader(packed);
  const row = new Array<SqliteValue>(DECISION_COLUMNS.length).fill(null);
  while (!r.done) {
    for (const h of HANDLERS) h.readStored(r, row, h.at);
    fn(row);
  }
}
