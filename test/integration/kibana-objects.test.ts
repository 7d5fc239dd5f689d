import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/config';
import { userIdPolicy } from '../../src/telemetry/pseudonym-key';
import { userIdFields } from '../../src/telemetry/user-id-field';
import { ecsTimestamp, loggerOptions } from '../../src/telemetry/logger';
import { waitFor } from '../contract/support/wait-for';
import {
  absentFieldProblems,
  compatible,
  documentFields,
  documentProblems,
  fieldReferences,
  mappedFields,
  parseSavedObjects,
  referenceProblems,
  runTransform,
  savedQueries,
  kqlMatches,
  structuralProblems,
  transformOutputTypes,
  transformSourceFields,
  type FieldReference,
  type FieldTypes,
  type Mappings,
  type PivotTransform,
  type SavedObject,
} from '../support/kibana-objects';
import { postJson, startTestService, type TestService } from '../support/service';

// The "Kibana as code" files (k8s/kibana/, docs/kibana.md) against the events the service really
// writes: no Elasticsearch or Kibana runs here, so every field the saved objects and the transform
// name must be mapped by the index template (or the transform's destination), carried by real
// decision and label events with a value of its mapped type, and every field the events carry must
// be mapped. The last block breaks copies of the files on purpose to show the checks catch it.

const DIR = join(__dirname, '../../k8s/kibana');
const readJson = <T>(file: string) => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as T;

interface IndexTemplate {
  index_patterns: string[];
  template: { settings: Record<string, unknown>; mappings: Mappings };
}
interface DestIndex {
  mappings: Mappings;
}
interface IlmPolicy {
  policy: { phases: { delete: { min_age: string } } };
}

const template = readJson<IndexTemplate>('index-template.json');
const transform = readJson<PivotTransform>('transform-challenge-state.json');
const destIndex = readJson<DestIndex>('transform-challenge-state.index.json');
const ilm = readJson<IlmPolicy>('ilm-policy.json');
const objects = parseSavedObjects(readFileSync(join(DIR, 'saved-objects.ndjson'), 'utf8'));
const docs = readFileSync(join(__dirname, '../../docs/kibana.md'), 'utf8');

type Doc = Record<string, unknown>;

/** The fields of each data view, from its title: the template's index patterns or the transform's destination. */
function fieldsResolver(t: IndexTemplate, dest: DestIndex, objs: readonly SavedObject[]): (dataView: string) => FieldTypes | undefined {
  const eventFields = mappedFields(t.template.mappings);
  const stateFields = mappedFields(dest.mappings);
  return (dataView) => {
    if (dataView === 'source') return eventFields;
    const view = objs.find((o) => o.type === 'index-pattern' && o.id === dataView);
    const patterns = String(view?.attributes.title ?? '').split(',');
    if (patterns.every((p) => t.index_patterns.includes(p))) return eventFields;
    if (patterns.length === 1 && patterns[0] === transform.dest.index) return stateFields;
    return undefined;
  };
}

const at = (doc: Doc, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], doc);

describe('Kibana as code: the template, transform and saved objects against real decision and label events', () => {
  let svc: TestService;
  /** The decision and label events, as the service's ECS logger writes them. */
  let events: Doc[];
  /** What the transform writes for them. */
  let state: Doc[];
  let transformProblems: string[];
  const fieldsOf = fieldsResolver(template, destIndex, objects);
  const refs: FieldReference[] = [...fieldReferences(objects), ...transformSourceFields(transform)];
  /** The documents a data view shows: the transform's output for its destination, else the events. */
  const docsOf = (dataView: string) => (objects.find((o) => o.id === dataView)?.attributes.title === transform.dest.index ? state : events);

  beforeAll(async () => {
    svc = await startTestService({ DECISION_EVENT_SAMPLE_RATE: '1' });
    const call = async (method: string, path: string) => (await fetch(`${svc.url}${path}`, { method })).status;
    expect(await call('PUT', '/v1/lists/blocked_merchants/m-kbn-blocked')).toBe(201);
    expect(await call('PUT', '/v1/lists/review_merchants/m-kbn-review')).toBe(201);
    let seq = 0;
    const score = async (id: string, over: Record<string, unknown>) => {
      seq += 1;
      const txn = {
        transactionId: id,
        timestamp: new Date(Date.UTC(2018, 8, 1, 8) + seq * 97_000).toISOString(),
        userId: `kbn-user-${seq}`,
        merchantId: 'm-kbn-1',
        amountMinor: 1_500,
        currency: 'EUR',
        channel: 'contactless',
        merchantCountry: 'BE',
        userCountry: 'BE',
        ...over,
      };
      const r = await postJson(`${svc.url}/v1/score`, txn);
      expect(r.status).toBe(200);
      return r.body.decision;
    };
    expect(await score('kbn-approve', {})).toBe('approve');
    expect(await score('kbn-decline', { amountMinor: 95_000, merchantCountry: 'FR' })).toBe('decline');
    expect(await score('kbn-blocked', { merchantId: 'm-kbn-blocked', channel: undefined, merchantCountry: undefined })).toBe('decline');
    expect(await score('kbn-challenge-answered', { merchantId: 'm-kbn-review' })).toBe('challenge');
    expect(await score('kbn-challenge-open', { merchantId: 'm-kbn-review', currency: 'USD' })).toBe('challenge');
    const label = (transactionId: string, value: string, source: string) => postJson(`${svc.url}/v1/feedback`, { transactionId, label: value, source, reportedAt: '2018-09-01t12:00:00z' });
    expect((await label('kbn-challenge-answered', 'legitimate', 'user_confirmation')).status).toBe(201);
    expect((await label('kbn-challenge-answered', 'legitimate', 'user_confirmation')).status).toBe(200); // a retry: no second event
    expect((await label('kbn-decline', 'fraud', 'analyst')).status).toBe(201);

    const ours = () => svc.logs.filter((l) => ['fraud.decision', 'fraud.label'].includes(String(at(l, 'event.dataset'))));
    await waitFor('5 decision and 2 label events', () => ours().length === 7);
    // The test service captures plain pino lines; write each event's fields, at its own time, with
    // the service's logger options (what stdout carries in production) to get the line Filebeat ships.
    const lines: string[] = [];
    let now = 0;
    const ecs = pino({ ...loggerOptions('info'), timestamp: ecsTimestamp(() => now) }, { write: (line: string) => void lines.push(line) });
    for (const l of ours()) {
      const { level: _level, time, pid: _pid, hostname: _hostname, msg, ...fields } = l;
      now = time as number;
      ecs.info(fields, String(msg));
    }
    events = lines.map((line) => JSON.parse(line) as Doc);
    ({ docs: state, problems: transformProblems } = runTransform(transform, events, mappedFields(template.template.mappings)));
  });
  afterAll(async () => {
    await svc?.close();
  });

  const byId = (id: string, dataset: string) => events.filter((e) => at(e, 'fraud.transaction_id') === id && at(e, 'event.dataset') === dataset);

  it('the NDJSON parses line by line; each object has type, id, attributes, references; ids are unique; every reference and dashboard panel resolves', () => {
    expect(objects.map((o) => `${o.type} ${o.id}`)).toEqual([
      'index-pattern fraud-events',
      'index-pattern fraud-challenge-state',
      'search fraud-search-challenges-awaiting-answer',
      'search fraud-search-declines-by-merchant',
      'lens fraud-lens-decisions-over-time',
      'lens fraud-lens-top-merchants-declines',
      'lens fraud-lens-top-countries-declines',
      'lens fraud-lens-challenge-answers',
      'lens fraud-lens-amount-distribution',
      'lens fraud-lens-top-reason-codes',
      'lens fraud-lens-top-rule-hits',
      'dashboard fraud-analysts-dashboard',
    ]);
    expect(structuralProblems(objects)).toEqual([]);
    const dashboard = objects.find((o) => o.type === 'dashboard') as SavedObject;
    const panels = JSON.parse(dashboard.attributes.panelsJSON as string) as { panelIndex: string }[];
    expect(panels).toHaveLength(objects.filter((o) => o.type === 'lens' || o.type === 'search').length);
  });

  it('every field a saved object or the transform names is mapped (the template, or the transform destination for its data view)', () => {
    expect(refs.length).toBeGreaterThan(40);
    expect(referenceProblems(refs, fieldsOf)).toEqual([]);
  });

  it('the transform writes exactly the fields its destination maps, each with the type of its source field', () => {
    const expected = transformOutputTypes(transform, mappedFields(template.template.mappings));
    const leaves = [...mappedFields(destIndex.mappings)].filter(([, type]) => type !== 'object');
    expect(new Map(leaves)).toEqual(expected);
    expect(mappedFields(template.template.mappings).get(transform.sync?.time.field ?? '')).toBe('date');
    expect(mappedFields(destIndex.mappings).get(transform.retention_policy?.time.field ?? '')).toBe('date');
    expect(transform.source.index).toEqual(template.index_patterns);
    expect(transformProblems).toEqual([]);
  });

  it('every field the real events carry is mapped, with a value of its mapped type (none excluded); so is every field the transform writes', () => {
    const eventFields = mappedFields(template.template.mappings);
    expect(documentProblems('decision events', events.filter((e) => at(e, 'event.dataset') === 'fraud.decision'), eventFields)).toEqual([]);
    expect(documentProblems('label events', events.filter((e) => at(e, 'event.dataset') === 'fraud.label'), eventFields)).toEqual([]);
    expect(documentProblems('fraud-challenge-state', state, mappedFields(destIndex.mappings))).toEqual([]);
    // What the index template itself must hold for a data stream.
    expect(eventFields.get('@timestamp')).toBe('date');
    expect(eventFields.get('trace.id')).toBe('keyword');
    expect(eventFields.get('span.id')).toBe('keyword');
  });

  it('every field a saved object or the transform names has a value in the real events (or in what the transform writes for them)', () => {
    expect(absentFieldProblems(refs, docsOf)).toEqual([]);
  });

  it('the saved queries select what their titles say, on the real events', () => {
    const queries = savedQueries(objects);
    const matching = (id: string, docsIn: Doc[]) => docsIn.filter((d) => kqlMatches(queries.get(id) as string, d)).map((d) => `${String(at(d, 'fraud.transaction_id'))}`);
    expect(matching('fraud-search-declines-by-merchant', events).sort()).toEqual(['kbn-blocked', 'kbn-decline']);
    expect(matching('fraud-search-challenges-awaiting-answer', state)).toEqual(['kbn-challenge-open']);
    expect(matching('fraud-lens-challenge-answers', events)).toEqual(['kbn-challenge-answered']);
    expect(matching('fraud-lens-decisions-over-time', events)).toHaveLength(5);
    expect(matching('fraud-lens-top-reason-codes', events).sort()).toEqual(['kbn-blocked', 'kbn-challenge-answered', 'kbn-challenge-open', 'kbn-decline']);
    // The transform's documents, by field path (top_metrics writes dotted keys, as Elasticsearch does).
    const stateOf = (id: string) => Object.fromEntries(documentFields(state.find((d) => at(d, 'fraud.transaction_id') === id) ?? {}));
    const stamp = (id: string, dataset: string) => at(byId(id, dataset)[0] as Doc, '@timestamp');
    const challenge = { 'challenge.fraud.merchant_id': 'm-kbn-review', 'challenge.fraud.amount_minor': 1_500 };
    expect(stateOf('kbn-challenge-answered')).toEqual({
      'fraud.transaction_id': 'kbn-challenge-answered',
      challenged_at: stamp('kbn-challenge-answered', 'fraud.decision'),
      last_event_at: stamp('kbn-challenge-answered', 'fraud.label'),
      decisions: 1,
      answers: 1,
      ...challenge,
      'challenge.fraud.currency': 'EUR',
      'answer.fraud.label': 'legitimate',
    });
    const opened = stamp('kbn-challenge-open', 'fraud.decision');
    expect(stateOf('kbn-challenge-open')).toEqual({ 'fraud.transaction_id': 'kbn-challenge-open', challenged_at: opened, last_event_at: opened, decisions: 1, answers: 0, ...challenge, 'challenge.fraud.currency': 'USD' });
    expect(state).toHaveLength(2);
  });

  it('a recorded label is one label event carrying the user like its decision event (a pseudonym, never the raw id); a retry writes none', () => {
    const [answered, ...again] = byId('kbn-challenge-answered', 'fraud.label');
    expect(again).toEqual([]);
    const [decision] = byId('kbn-challenge-answered', 'fraud.decision');
    expect(answered?.fraud).toEqual({
      transaction_id: 'kbn-challenge-answered',
      user_pseudonym: at(decision as Doc, 'fraud.user_pseudonym'),
      merchant_id: 'm-kbn-review',
      label: 'legitimate',
      source: 'user_confirmation',
      reported_at: '2018-09-01T12:00:00Z',
      resolved_label: 'legitimate',
      client: 'anonymous',
    });
    expect(at(answered as Doc, 'fraud.user_pseudonym')).toBe(userIdFields(userIdPolicy('pseudonym', undefined, svc.dataDir).policy)('kbn-user-4').user_pseudonym);
    expect(JSON.stringify(events)).not.toMatch(/kbn-user-\d/);
    expect(byId('kbn-decline', 'fraud.label').map((e) => [at(e, 'fraud.source'), at(e, 'fraud.resolved_label')])).toEqual([['analyst', 'fraud']]);
    expect(at(byId('kbn-blocked', 'fraud.decision')[0] as Doc, 'fraud.rule_hits')).toEqual(['blocked-merchant']);
  });

  it('the ILM policy keeps events as long as the decision log keeps rows, and docs/kibana.md names every file and the policy the template uses', () => {
    expect(ilm.policy.phases.delete.min_age).toBe(`${loadConfig({}).DECISION_LOG_RETENTION_DAYS}d`);
    expect(docs).toContain(`_ilm/policy/${String(template.template.settings['index.lifecycle.name'])}`);
    expect(docs).toContain(`_transform/${transform.dest.index}`);
    for (const file of readdirSync(DIR)) expect(docs).toContain(`@k8s/kibana/${file}`);
  });

  describe('the checks catch a broken copy', () => {
    const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
    const withObject = (id: string, change: (o: SavedObject) => void) => {
      const copy = clone(objects);
      change(copy.find((o) => o.id === id) as SavedObject);
      return copy;
    };

    it('a misspelled field in a Lens column, a search column or a query', () => {
      const lens = withObject('fraud-lens-top-merchants-declines', (o) => {
        const state = o.attributes.state as { datasourceStates: { formBased: { layers: Record<string, { columns: Record<string, { sourceField?: string }> }> } } };
        const x = state.datasourceStates.formBased.layers.layer1?.columns.x as { sourceField?: string };
        x.sourceField = 'fraud.merchantid';
      });
      expect(referenceProblems(fieldReferences(lens), fieldsResolver(template, destIndex, lens))).toEqual(['lens fraud-lens-top-merchants-declines column x: field fraud.merchantid is not mapped in data view fraud-events']);

      const search = withObject('fraud-search-challenges-awaiting-answer', (o) => {
        o.attributes.columns = ['fraud.transaction_id', 'challenge.fraud.merchant'];
      });
      expect(referenceProblems(fieldReferences(search), fieldsResolver(template, destIndex, search))).toEqual(['search fraud-search-challenges-awaiting-answer columns: field challenge.fraud.merchant is not mapped in data view fraud-challenge-state']);

      const query = withObject('fraud-lens-challenge-answers', (o) => {
        (o.attributes.state as { query: { query: string } }).query.query = 'event.dataset : "fraud.label" and fraud.sources : "user_confirmation"';
      });
      expect(referenceProblems(fieldReferences(query), fieldsResolver(template, destIndex, query))).toEqual(['lens fraud-lens-challenge-answers query: field fraud.sources is not mapped in data view fraud-events']);
    });

    it('a field mapped but never emitted (a renamed event field), and an emitted field not mapped', () => {
      const renamed = events.map((e) => {
        const copy = clone(e);
        const fraud = copy.fraud as Record<string, unknown>;
        if ('rule_hits' in fraud) {
          fraud.rules_hit = fraud.rule_hits;
          delete fraud.rule_hits;
        }
        return copy;
      });
      expect(absentFieldProblems(refs, (v) => (v === 'fraud-challenge-state' ? state : renamed))).toEqual([
        'search fraud-search-declines-by-merchant columns: field fraud.rule_hits has a value in no fraud-events document',
        'lens fraud-lens-top-rule-hits column x: field fraud.rule_hits has a value in no fraud-events document',
      ]);
      expect(documentProblems('decision events', renamed, mappedFields(template.template.mappings))).toEqual(['decision events: field fraud.rules_hit is not mapped']);
    });

    it('a mapping removed from the template', () => {
      const broken = clone(template);
      delete (broken.template.mappings.properties?.fraud?.properties as Record<string, unknown>).merchant_country;
      const problems = referenceProblems(refs, fieldsResolver(broken, destIndex, objects));
      expect(problems).toContain('lens fraud-lens-top-countries-declines column x: field fraud.merchant_country is not mapped in data view fraud-events');
      expect(problems).toContain('search fraud-search-declines-by-merchant columns: field fraud.merchant_country is not mapped in data view fraud-events');
      expect(documentProblems('decision events', events, mappedFields(broken.template.mappings))).toEqual(['decision events: field fraud.merchant_country is not mapped']);
    });

    it('a value of another type than mapped, and a date Elasticsearch would refuse', () => {
      expect(documentProblems('decision events', [{ fraud: { amount_minor: '1500' } }], mappedFields(template.template.mappings))).toEqual(['decision events: field fraud.amount_minor holds "1500", not a long']);
      expect(compatible('date', '2018-09-01t10:00:00z')).toBe(false);
      expect(compatible('date', '2018-09-01T10:00:00.123456+02:00')).toBe(true);
      expect(compatible('keyword', ['a', 1])).toBe(false);
    });

    it('a broken dashboard panel reference, a dangling reference, a duplicate id', () => {
      const panel = withObject('fraud-analysts-dashboard', (o) => {
        (o.references[0] as { name: string }).name = 'decisions:panel_x';
      });
      expect(structuralProblems(panel)).toEqual(['dashboard fraud-analysts-dashboard: panel decisions has no reference decisions:panel_decisions']);
      const dangling = withObject('fraud-lens-top-rule-hits', (o) => {
        (o.references[0] as { id: string }).id = 'fraud-event';
      });
      expect(structuralProblems(dangling)).toEqual(['lens fraud-lens-top-rule-hits: reference indexpattern-datasource-layer-layer1 to index-pattern fraud-event is not in the file']);
      expect(structuralProblems([...objects, clone(objects[0] as SavedObject)])).toEqual(['index-pattern fraud-events: id fraud-events is used twice']);
    });

    it('a transform metric that some documents lack (Elasticsearch would write the string "null")', () => {
      const broken = clone(transform) as { pivot: { aggregations: Record<string, { top_metrics?: { metrics: { field: string }[] } }> } };
      broken.pivot.aggregations.challenge?.top_metrics?.metrics.push({ field: 'fraud.channel' });
      const blocked = events.map((e) => (at(e, 'fraud.transaction_id') === 'kbn-challenge-open' ? { ...e, fraud: { ...(e.fraud as object), channel: undefined } } : e));
      expect(runTransform(broken as unknown as PivotTransform, JSON.parse(JSON.stringify(blocked)) as Doc[], mappedFields(template.template.mappings)).problems).toEqual([
        'transform fraud-challenge-state: top metric fraud.channel of challenge is missing on the top document of kbn-challenge-open (Elasticsearch writes "null")',
      ]);
    });
  });
});
