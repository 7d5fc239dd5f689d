import type { SpillCodec } from './buffered-writer';
import { asRecord, DECISION_FIELDS, type RecordDraft } from './decision-fields';
import type { DecisionRecord } from './decision-record';

export { featureBytes, featuresFromBytes } from './decision-field-kinds';

/**
 * One-line JSON encoding of decision records for spill files: an object of the record's keys,
 * each value as its field's codec spills it (vectors as base64). A field absent from a line
 * spilled by an older build reads as null (a field added later is nullable).
 */
export const decisionCodec: SpillCodec<DecisionRecord> = {
  encode: (r) => {
    const line: RecordDraft = {};
    for (const f of DECISION_FIELDS) line[f.key] = f.codec.toJson(r[f.key]);
    return JSON.stringify(line);
  },
  decode: (text) => {
    const line = JSON.parse(text) as Readonly<RecordDraft>;
    const draft: RecordDraft = {};
    for (const f of DECISION_FIELDS) draft[f.key] = f.codec.fromJson(line[f.key]);
    return asRecord(draft);
  },
};
