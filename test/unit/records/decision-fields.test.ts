import { decisionCodec, featureBytes } from '../../../src/records/decision-codec';
import { DECISION_COLUMNS, DECISION_FIELDS } from '../../../src/records/decision-fields';
import { insertDecisionsSql } from '../../../src/records/postgres/postgres-decision-rows';
import { comparable, decisionRecord } from '../../contract/support/decision-records';

describe('the decision record table', () => {
  test('names each record key once and each column once, `seq` (the log position) aside', () => {
    const keys = DECISION_FIELDS.map((f) => f.key);
    const columns = DECISION_COLUMNS.map((c) => c.name);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(columns).size).toBe(columns.length);
    expect(keys).toEqual(expect.arrayContaining(Object.keys(decisionRecord('k', 1))));
    expect(keys).toHaveLength(Object.keys(decisionRecord('k', 1)).length);
    expect(columns).not.toContain('seq');
  });

  test('places each field at its columns, one after the other', () => {
    let at = 0;
    for (const f of DECISION_FIELDS) {
      expect(f.at).toBe(at);
      at += f.codec.columns.length;
    }
    expect(at).toBe(DECISION_COLUMNS.length);
  });

  test('derives the PostgreSQL batch insert: one typed array parameter per column, reasons unnested from JSON', () => {
    const sql = insertDecisionsSql('s');
    DECISION_COLUMNS.forEach((c, i) => expect(sql).toContain(`$${i + 1}::${c.pgParam}[]`));
    expect(sql).toContain('$1::text[]');
    expect(sql).toContain('ARRAY(SELECT json_array_elements_text(r.degraded_reasons))');
    expect(sql).toContain('r.features');
    expect(sql).not.toContain(`$${DECISION_COLUMNS.length + 1}`);
  });
});

describe('spilled decision lines', () => {
  const full = decisionRecord('full', 1_535_796_000, {
    shadow: { version: 'v2', score: 0.25 },
    contributions: Float32Array.from([0.5, -0.25]),
    rules: { version: 'r-1', hash: 'h', hits: ['velocity'] },
    degraded: true,
    degradedReasons: ['profile_store_timeout'],
  });

  test('come back equal, field for field', () => {
    expect(comparable(decisionCodec.decode(decisionCodec.encode(full)))).toEqual(comparable(full));
    const bare = decisionRecord('bare', 1, { score: null, modelVersion: null, client: null, userVersion: null });
    expect(comparable(decisionCodec.decode(decisionCodec.encode(bare)))).toEqual(comparable(bare));
  });

  test('keep the format of earlier builds: the record as JSON, vectors as base64', () => {
    const line = JSON.parse(decisionCodec.encode(full)) as Record<string, unknown>;
    expect(line).toEqual({ ...JSON.parse(JSON.stringify(full)), features: featureBytes(full.features).toString('base64'), contributions: featureBytes(full.contributions as Float32Array).toString('base64') });
  });

  test('of a build without clients, contributions or rules read with those fields null', () => {
    const { client: _client, contributions: _contributions, rules: _rules, ...older } = full;
    const line = JSON.stringify({ ...older, features: featureBytes(full.features).toString('base64') });
    const back = decisionCodec.decode(line);
    expect([back.client, back.contributions, back.rules]).toEqual([null, null, null]);
    expect(comparable(back)).toEqual(comparable({ ...full, client: null, contributions: null, rules: null }));
  });
});
