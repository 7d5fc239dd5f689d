// Checks of the "Kibana as code" files under k8s/kibana/ (docs/kibana.md) without Elasticsearch or
// Kibana: the saved objects' structure and references, the fields they and the transform name, the
// mapping of every field the events carry, and the type of every value. Each check returns the
// problems it found, as sentences naming the object and the field (empty when none).

/** A mapping's fields by dotted path: the leaf type, or 'object' for an object with properties. */
export type FieldTypes = ReadonlyMap<string, string>;

export interface MappingProperty {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, MappingProperty>>;
}

/** An Elasticsearch `mappings` object (as in `_index_template` or create-index bodies). */
export interface Mappings {
  readonly properties?: Readonly<Record<string, MappingProperty>>;
}

/** The fields of a `mappings` object. */
export function mappedFields(mappings: Mappings): FieldTypes {
  const out = new Map<string, string>();
  const walk = (props: Readonly<Record<string, MappingProperty>>, prefix: string) => {
    for (const [name, p] of Object.entries(props)) {
      const path = prefix + name;
      if (p.properties !== undefined) {
        out.set(path, p.type ?? 'object');
        walk(p.properties, `${path}.`);
      } else out.set(path, p.type ?? 'object');
    }
  };
  walk(mappings.properties ?? {}, '');
  return out;
}

/** Every leaf of a JSON document by dotted path (dotted keys such as `log.level` split as Elasticsearch does); arrays and nulls are leaves. */
export function documentFields(doc: Readonly<Record<string, unknown>>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (value: unknown, path: string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, path === '' ? k : `${path}.${k}`);
    } else {
      if (out.has(path)) throw new Error(`field ${path} appears twice in one document`);
      out.set(path, value);
    }
  };
  walk(doc, '');
  return out;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Whether one JSON value is indexed as `type` (arrays: every element; null: always, it indexes nothing). */
export function compatible(type: string, value: unknown): boolean {
  if (value === null) return true;
  if (Array.isArray(value)) return value.every((v) => !Array.isArray(v) && compatible(type, v));
  switch (type) {
    case 'keyword':
    case 'constant_keyword':
    case 'match_only_text':
    case 'text':
      return typeof value === 'string';
    case 'long':
    case 'integer':
      return Number.isSafeInteger(value);
    case 'double':
    case 'float':
    case 'scaled_float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'date':
      // Elasticsearch's strict_date_optional_time: upper-case T and Z.
      return typeof value === 'string' && ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
    default:
      return false;
  }
}

/**
 * Problems of `docs` against `fields`: a field carried (even null or an empty array) that is not
 * mapped, mapped as an object but holding a value, or holding a value of another type.
 */
export function documentProblems(what: string, docs: readonly Readonly<Record<string, unknown>>[], fields: FieldTypes): string[] {
  const problems = new Set<string>();
  for (const doc of docs) {
    for (const [path, value] of documentFields(doc)) {
      const type = fields.get(path);
      if (type === undefined) problems.add(`${what}: field ${path} is not mapped`);
      else if (type === 'object' ? value !== null : !compatible(type, value)) problems.add(`${what}: field ${path} holds ${JSON.stringify(value)}, not a ${type}`);
    }
  }
  return [...problems];
}

// ---------------------------------------------------------------------------------------------
// KQL: the subset the saved objects use, parsed strictly (anything else is an error, so an object
// cannot reference a field the checks do not see) and evaluated on documents.

type Kql =
  | { readonly kind: 'and' | 'or'; readonly items: readonly Kql[] }
  | { readonly kind: 'not'; readonly item: Kql }
  | { readonly kind: 'match'; readonly field: string; readonly values: readonly string[] }
  | { readonly kind: 'exists'; readonly field: string }
  | { readonly kind: 'range'; readonly field: string; readonly op: '>' | '>=' | '<' | '<='; readonly value: string };

const KQL_TOKEN = /\s*(?:(\()|(\))|(>=|<=|>|<|:)|"((?:[^"\\]|\\.)*)"|([^\s():<>"]+))/y;

/** Parses a KQL query of the subset (`field : value`, `field : (a or b)`, `field : *`, ranges, and/or/not, parentheses); '' is null. Throws naming what it cannot read. */
export function parseKql(query: string): Kql | null {
  const tokens: { kind: 'open' | 'close' | 'op' | 'quoted' | 'word'; text: string }[] = [];
  KQL_TOKEN.lastIndex = 0;
  while (KQL_TOKEN.lastIndex < query.length && query.slice(KQL_TOKEN.lastIndex).trim() !== '') {
    const at = KQL_TOKEN.lastIndex;
    const m = KQL_TOKEN.exec(query);
    if (m === null) throw new Error(`KQL ${JSON.stringify(query)}: cannot read at ${at}`);
    if (m[1] !== undefined) tokens.push({ kind: 'open', text: '(' });
    else if (m[2] !== undefined) tokens.push({ kind: 'close', text: ')' });
    else if (m[3] !== undefined) tokens.push({ kind: 'op', text: m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: 'quoted', text: m[4].replace(/\\(.)/g, '$1') });
    else tokens.push({ kind: 'word', text: m[5] as string });
  }
  if (tokens.length === 0) return null;
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`KQL ${JSON.stringify(query)}: ${why} at token ${i}`);
  };
  const peekWord = (word: string) => tokens[i]?.kind === 'word' && tokens[i]?.text.toLowerCase() === word;
  const value = (): string => {
    const t = tokens[i++];
    if (t === undefined || (t.kind !== 'quoted' && t.kind !== 'word')) return fail('expected a value');
    return t.text;
  };
  const values = (): string[] => {
    const out = [value()];
    while (peekWord('or')) {
      i++;
      out.push(value());
    }
    return out;
  };
  const primary = (): Kql => {
    const t = tokens[i];
    if (t?.kind === 'open') {
      i++;
      const inner = or();
      if (tokens[i++]?.kind !== 'close') fail('expected )');
      return inner;
    }
    if (t?.kind !== 'word') return fail('expected a field');
    i++;
    const op = tokens[i++];
    if (op?.kind !== 'op') return fail(`expected : or a comparison after ${t.text}`);
    if (op.text !== ':') return { kind: 'range', field: t.text, op: op.text as '>' | '>=' | '<' | '<=', value: value() };
    if (tokens[i]?.kind === 'word' && tokens[i]?.text === '*') {
      i++;
      return { kind: 'exists', field: t.text };
    }
    if (tokens[i]?.kind === 'open') {
      i++;
      const list = values();
      if (tokens[i++]?.kind !== 'close') fail('expected )');
      return { kind: 'match', field: t.text, values: list };
    }
    const v = value();
    if (v.includes('*') && tokens[i - 1]?.kind === 'word') fail('wildcards are outside the subset');
    return { kind: 'match', field: t.text, values: [v] };
  };
  const not = (): Kql => {
    if (peekWord('not')) {
      i++;
      return { kind: 'not', item: not() };
    }
    return primary();
  };
  const chain = (word: 'and' | 'or', next: () => Kql) => (): Kql => {
    const items = [next()];
    while (peekWord(word)) {
      i++;
      items.push(next());
    }
    return items.length === 1 ? (items[0] as Kql) : { kind: word, items };
  };
  const and = chain('and', not);
  const or = chain('or', and);
  const tree = or();
  if (i !== tokens.length) fail('unexpected text');
  return tree;
}

/** The fields a KQL query names. */
export function kqlFields(query: string): string[] {
  const out: string[] = [];
  const walk = (q: Kql) => {
    if ('items' in q) q.items.forEach(walk);
    else if ('item' in q) walk(q.item);
    else out.push(q.field);
  };
  const tree = parseKql(query);
  if (tree !== null) walk(tree);
  return out;
}

function valuesAt(doc: Readonly<Record<string, unknown>>, field: string): unknown[] {
  const v = documentFields(doc).get(field);
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** Whether `doc` matches a KQL query of the subset (numbers and dates compared by value). */
export function kqlMatches(query: string, doc: Readonly<Record<string, unknown>>): boolean {
  const asNumber = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && ISO_DATE_TIME.test(v) ? Date.parse(v) : Number(v));
  const test = (q: Kql): boolean => {
    switch (q.kind) {
      case 'and':
        return q.items.every(test);
      case 'or':
        return q.items.some(test);
      case 'not':
        return !test(q.item);
      case 'exists':
        return valuesAt(doc, q.field).length > 0;
      case 'match':
        return valuesAt(doc, q.field).some((v) => q.values.some((w) => (typeof v === 'number' ? v === Number(w) : String(v) === w)));
      case 'range': {
        const bound = asNumber(q.value);
        return valuesAt(doc, q.field).some((v) => {
          const n = asNumber(v);
          return q.op === '>' ? n > bound : q.op === '>=' ? n >= bound : q.op === '<' ? n < bound : n <= bound;
        });
      }
    }
  };
  const tree = parseKql(query);
  return tree === null || test(tree);
}

// ---------------------------------------------------------------------------------------------
// Saved objects (Kibana's export format: one JSON object a line).

export interface SavedObjectReference {
  readonly type: string;
  readonly id: string;
  readonly name: string;
}

export interface SavedObject {
  readonly type: string;
  readonly id: string;
  readonly attributes: Record<string, unknown>;
  readonly references: readonly SavedObjectReference[];
  readonly coreMigrationVersion?: string;
  readonly typeMigrationVersion?: string;
}

/** Parses an NDJSON export line by line; throws naming the line that is not JSON. */
export function parseSavedObjects(ndjson: string): SavedObject[] {
  return ndjson
    .split('\n')
    .map((line, n) => [line, n + 1] as const)
    .filter(([line]) => line.trim() !== '')
    .map(([line, n]) => {
      try {
        return JSON.parse(line) as SavedObject;
      } catch (err) {
        throw new Error(`saved objects line ${n}: ${(err as Error).message}`);
      }
    });
}

const name = (o: SavedObject) => `${o.type} ${o.id}`;
const SEMVER = /^\d+\.\d+\.\d+$/;

function parsedJson(o: SavedObject, what: string, text: unknown, problems: string[]): unknown {
  if (typeof text !== 'string') {
    problems.push(`${name(o)}: ${what} is not a JSON string`);
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    problems.push(`${name(o)}: ${what} does not parse: ${(err as Error).message}`);
    return undefined;
  }
}

interface LensLayer {
  readonly columnOrder: readonly string[];
  readonly columns: Readonly<Record<string, { readonly sourceField?: string; readonly operationType: string; readonly params?: { readonly orderBy?: { readonly columnId?: string } } }>>;
}
interface LensState {
  readonly datasourceStates: { readonly formBased?: { readonly layers: Readonly<Record<string, LensLayer>> } };
  readonly query: { readonly language: string; readonly query: string };
  readonly filters: readonly unknown[];
  readonly visualization: { readonly layers: readonly { readonly layerId: string; readonly xAccessor?: string; readonly splitAccessor?: string; readonly accessors: readonly string[] }[] };
}
interface Panel {
  readonly type: string;
  readonly panelIndex: string;
  readonly panelRefName?: string;
  readonly gridData: { readonly x: number; readonly y: number; readonly w: number; readonly h: number; readonly i: string };
}

/**
 * Structural problems: each object has `type`, `id`, `attributes`, `references` and migration
 * versions; ids are unique; every reference resolves to an object of the file; searches and Lens
 * layers reference their data view under the names Kibana looks up; Lens accessors are columns of
 * their layer; the dashboard's `panelsJSON` parses, each panel's reference resolves to an object of
 * the panel's type, and panels fit the 48-column grid without overlapping.
 */
export function structuralProblems(objects: readonly SavedObject[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, SavedObject>();
  for (const o of objects) {
    if (typeof o.type !== 'string' || typeof o.id !== 'string' || o.id === '') problems.push(`an object without a type or id: ${JSON.stringify(o).slice(0, 80)}`);
    if (o.attributes === null || typeof o.attributes !== 'object') problems.push(`${name(o)}: no attributes`);
    if (!Array.isArray(o.references)) problems.push(`${name(o)}: no references array`);
    if (!SEMVER.test(o.coreMigrationVersion ?? '') || !SEMVER.test(o.typeMigrationVersion ?? '')) problems.push(`${name(o)}: coreMigrationVersion and typeMigrationVersion must be versions`);
    if (seen.has(o.id)) problems.push(`${name(o)}: id ${o.id} is used twice`);
    seen.set(o.id, o);
  }
  const resolve = (o: SavedObject, ref: SavedObjectReference) => {
    const target = seen.get(ref.id);
    if (target === undefined || target.type !== ref.type) problems.push(`${name(o)}: reference ${ref.name} to ${ref.type} ${ref.id} is not in the file`);
  };
  for (const o of objects) {
    if (!Array.isArray(o.references)) continue;
    for (const ref of o.references) resolve(o, ref);
    const refNames = new Set(o.references.map((r) => r.name));
    if (o.type === 'search') {
      const source = parsedJson(o, 'searchSourceJSON', (o.attributes.kibanaSavedObjectMeta as { searchSourceJSON?: unknown } | undefined)?.searchSourceJSON, problems) as { indexRefName?: string } | undefined;
      if (source !== undefined && (source.indexRefName === undefined || !refNames.has(source.indexRefName))) problems.push(`${name(o)}: its data view reference (indexRefName) does not resolve`);
    }
    if (o.type === 'lens') {
      const state = o.attributes.state as LensState;
      const layers = state.datasourceStates.formBased?.layers ?? {};
      for (const vl of state.visualization.layers) {
        const layer = layers[vl.layerId];
        if (layer === undefined) {
          problems.push(`${name(o)}: visualization layer ${vl.layerId} has no datasource layer`);
          continue;
        }
        if (!refNames.has(`indexpattern-datasource-layer-${vl.layerId}`)) problems.push(`${name(o)}: layer ${vl.layerId} has no data view reference`);
        for (const accessor of [vl.xAccessor, vl.splitAccessor, ...vl.accessors]) {
          if (accessor !== undefined && layer.columns[accessor] === undefined) problems.push(`${name(o)}: accessor ${accessor} is not a column of layer ${vl.layerId}`);
        }
        if ([...layer.columnOrder].sort().join() !== Object.keys(layer.columns).sort().join()) problems.push(`${name(o)}: columnOrder of layer ${vl.layerId} is not its columns`);
        for (const [id, c] of Object.entries(layer.columns)) {
          const orderBy = c.params?.orderBy?.columnId;
          if (orderBy !== undefined && layer.columns[orderBy] === undefined) problems.push(`${name(o)}: column ${id} is ordered by a column not in its layer`);
        }
      }
    }
    if (o.type === 'dashboard') {
      const panels = parsedJson(o, 'panelsJSON', o.attributes.panelsJSON, problems) as Panel[] | undefined;
      for (const p of panels ?? []) {
        const ref = o.references.find((r) => r.name === `${p.panelIndex}:${p.panelRefName ?? ''}`);
        if (ref === undefined) problems.push(`${name(o)}: panel ${p.panelIndex} has no reference ${p.panelIndex}:${p.panelRefName ?? '(no panelRefName)'}`);
        else if (ref.type !== p.type) problems.push(`${name(o)}: panel ${p.panelIndex} is a ${p.type} but references a ${ref.type}`);
        const g = p.gridData;
        if (g.i !== p.panelIndex || g.x < 0 || g.w < 1 || g.x + g.w > 48 || g.y < 0 || g.h < 1) problems.push(`${name(o)}: panel ${p.panelIndex} is off the 48-column grid`);
      }
      for (const [a, b] of (panels ?? []).flatMap((p, k) => (panels ?? []).slice(k + 1).map((q) => [p, q] as const))) {
        const [ga, gb] = [a.gridData, b.gridData];
        if (ga.x < gb.x + gb.w && gb.x < ga.x + ga.w && ga.y < gb.y + gb.h && gb.y < ga.y + ga.h) problems.push(`${name(o)}: panels ${a.panelIndex} and ${b.panelIndex} overlap`);
      }
      parsedJson(o, 'optionsJSON', o.attributes.optionsJSON, problems);
    }
  }
  return problems;
}

/** A field an object names, and the data view it is read from. */
export interface FieldReference {
  readonly where: string;
  readonly dataView: string;
  readonly field: string;
}

/** Lens's pseudo-field of a count: no field of any index. */
const RECORDS = '___records___';

/**
 * Every field the saved objects name, with the data view id it is read in: data views' time field,
 * field formats and attributes; searches' columns, sort and KQL query; Lens columns' fields and
 * KQL query; dashboards' KQL query (against every data view their panels read).
 */
export function fieldReferences(objects: readonly SavedObject[]): FieldReference[] {
  const out: FieldReference[] = [];
  const byId = new Map(objects.map((o) => [o.id, o]));
  const kql = (where: string, dataView: string, query: { language?: string; query?: unknown } | undefined) => {
    if (query === undefined) return;
    if (query.language !== 'kuery' || typeof query.query !== 'string') throw new Error(`${where}: only KQL string queries are checked`);
    for (const field of kqlFields(query.query)) out.push({ where: `${where} query`, dataView, field });
  };
  const dataViewsOf = (o: SavedObject): string[] => o.references.filter((r) => r.type === 'index-pattern').map((r) => r.id);
  for (const o of objects) {
    const where = name(o);
    const a = o.attributes;
    if (o.type === 'index-pattern') {
      if (typeof a.timeFieldName === 'string') out.push({ where: `${where} timeFieldName`, dataView: o.id, field: a.timeFieldName });
      for (const key of ['fieldFormatMap', 'fieldAttrs'] as const) {
        for (const field of Object.keys(JSON.parse((a[key] as string | undefined) ?? '{}') as object)) out.push({ where: `${where} ${key}`, dataView: o.id, field });
      }
    } else if (o.type === 'search') {
      const [dataView = '(none)'] = dataViewsOf(o);
      for (const field of a.columns as string[]) out.push({ where: `${where} columns`, dataView, field });
      for (const [field] of a.sort as [string, string][]) out.push({ where: `${where} sort`, dataView, field });
      const source = JSON.parse((a.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON) as { query?: { language?: string; query?: unknown } };
      kql(where, dataView, source.query);
    } else if (o.type === 'lens') {
      const state = a.state as LensState;
      for (const [layerId, layer] of Object.entries(state.datasourceStates.formBased?.layers ?? {})) {
        const dataView = o.references.find((r) => r.name === `indexpattern-datasource-layer-${layerId}`)?.id ?? '(none)';
        for (const [columnId, c] of Object.entries(layer.columns)) {
          if (c.sourceField !== undefined && c.sourceField !== RECORDS) out.push({ where: `${where} column ${columnId}`, dataView, field: c.sourceField });
        }
        kql(where, dataView, state.query);
      }
    } else if (o.type === 'dashboard') {
      const source = JSON.parse((a.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON) as { query?: { language?: string; query?: unknown } };
      const panelDataViews = new Set(o.references.flatMap((r) => dataViewsOf(byId.get(r.id) ?? o)));
      for (const dataView of panelDataViews) kql(where, dataView, source.query);
    }
  }
  return out;
}

/** The KQL queries of searches and Lens objects, by object id. */
export function savedQueries(objects: readonly SavedObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of objects) {
    if (o.type === 'search') out.set(o.id, (JSON.parse((o.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON) as { query: { query: string } }).query.query);
    if (o.type === 'lens') out.set(o.id, (o.attributes.state as LensState).query.query);
  }
  return out;
}

/** Problems of references against the fields of each data view: a field not mapped (or mapped as an object). */
export function referenceProblems(refs: readonly FieldReference[], fieldsOf: (dataView: string) => FieldTypes | undefined): string[] {
  const problems: string[] = [];
  for (const r of refs) {
    const fields = fieldsOf(r.dataView);
    if (fields === undefined) problems.push(`${r.where}: data view ${r.dataView} has no known mapping`);
    else if (fields.get(r.field) === undefined || fields.get(r.field) === 'object') problems.push(`${r.where}: field ${r.field} is not mapped in data view ${r.dataView}`);
  }
  return problems;
}

/** Problems of references against real documents: a field no document carries a value in. */
export function absentFieldProblems(refs: readonly FieldReference[], docsOf: (dataView: string) => readonly Readonly<Record<string, unknown>>[]): string[] {
  const problems = new Set<string>();
  for (const r of refs) {
    const present = docsOf(r.dataView).some((d) => valuesAt(d, r.field).length > 0);
    if (!present) problems.add(`${r.where}: field ${r.field} has a value in no ${r.dataView} document`);
  }
  return [...problems];
}

// ---------------------------------------------------------------------------------------------
// The transform (a pivot), as Elasticsearch runs it: the subset the repository's transform uses.

type EsQuery =
  | { readonly bool: { readonly should?: readonly EsQuery[]; readonly filter?: readonly EsQuery[]; readonly must?: readonly EsQuery[]; readonly must_not?: readonly EsQuery[]; readonly minimum_should_match?: number } }
  | { readonly term: Readonly<Record<string, string | number | boolean>> }
  | { readonly terms: Readonly<Record<string, readonly (string | number | boolean)[]>> };

interface FieldAgg {
  readonly field: string;
}
type Aggregation =
  | { readonly min: FieldAgg }
  | { readonly max: FieldAgg }
  | { readonly value_count: FieldAgg }
  | { readonly top_metrics: { readonly metrics: readonly FieldAgg[]; readonly sort: Readonly<Record<string, 'asc' | 'desc'>> } };

export interface PivotTransform {
  readonly source: { readonly index: readonly string[]; readonly query?: EsQuery };
  readonly dest: { readonly index: string };
  readonly sync?: { readonly time: { readonly field: string } };
  readonly retention_policy?: { readonly time: { readonly field: string } };
  readonly pivot: {
    readonly group_by: Readonly<Record<string, { readonly terms: FieldAgg }>>;
    readonly aggregations: Readonly<Record<string, Aggregation>>;
  };
}

function queryFields(q: EsQuery): string[] {
  if ('bool' in q) return [...(q.bool.should ?? []), ...(q.bool.filter ?? []), ...(q.bool.must ?? []), ...(q.bool.must_not ?? [])].flatMap(queryFields);
  if ('term' in q) return Object.keys(q.term);
  if ('terms' in q) return Object.keys(q.terms);
  throw new Error(`query ${JSON.stringify(q)} is outside the checked subset`);
}

function aggFields(agg: Aggregation): string[] {
  if ('min' in agg) return [agg.min.field];
  if ('max' in agg) return [agg.max.field];
  if ('value_count' in agg) return [agg.value_count.field];
  if ('top_metrics' in agg) return [...agg.top_metrics.metrics.map((m) => m.field), ...Object.keys(agg.top_metrics.sort)];
  throw new Error(`aggregation ${JSON.stringify(agg)} is outside the checked subset`);
}

/** Every source field the transform reads: its query, sync field, group_by and aggregation fields. */
export function transformSourceFields(t: PivotTransform): FieldReference[] {
  const where = `transform ${t.dest.index}`;
  const refs = (what: string, fields: readonly string[]) => fields.map((field) => ({ where: `${where} ${what}`, dataView: 'source', field }));
  return [
    ...refs('query', t.source.query === undefined ? [] : queryFields(t.source.query)),
    ...refs('sync', t.sync === undefined ? [] : [t.sync.time.field]),
    ...refs('group_by', Object.values(t.pivot.group_by).map((g) => g.terms.field)),
    ...Object.entries(t.pivot.aggregations).flatMap(([aggName, agg]) => refs(`aggregation ${aggName}`, aggFields(agg))),
  ];
}

/** The fields the transform writes to its destination, with the type each must be mapped as given the source's. */
export function transformOutputTypes(t: PivotTransform, source: FieldTypes): Map<string, string> {
  const out = new Map<string, string>();
  const typeOf = (field: string) => source.get(field) ?? `(unmapped ${field})`;
  for (const [dest, g] of Object.entries(t.pivot.group_by)) out.set(dest, typeOf(g.terms.field));
  for (const [aggName, agg] of Object.entries(t.pivot.aggregations)) {
    if ('min' in agg) out.set(aggName, typeOf(agg.min.field));
    else if ('max' in agg) out.set(aggName, typeOf(agg.max.field));
    else if ('value_count' in agg) out.set(aggName, 'long');
    else for (const m of agg.top_metrics.metrics) out.set(`${aggName}.${m.field}`, typeOf(m.field));
  }
  return out;
}

function matchesQuery(q: EsQuery, doc: Readonly<Record<string, unknown>>): boolean {
  if ('term' in q) return Object.entries(q.term).every(([f, v]) => valuesAt(doc, f).includes(v));
  if ('terms' in q) return Object.entries(q.terms).every(([f, vs]) => valuesAt(doc, f).some((v) => vs.includes(v as string)));
  const { should = [], filter = [], must = [], must_not: mustNot = [], minimum_should_match: min = should.length > 0 && filter.length + must.length === 0 ? 1 : 0 } = q.bool;
  return [...filter, ...must].every((c) => matchesQuery(c, doc)) && !mustNot.some((c) => matchesQuery(c, doc)) && should.filter((c) => matchesQuery(c, doc)).length >= min;
}

/**
 * The destination documents the transform writes for `docs` (its source), as Elasticsearch
 * computes them: min/max of dates as ISO strings, value_count as counts, top_metrics from the
 * document with the highest (desc) or lowest (asc) sort value among those that have one, none when
 * no document has one. `problems`: a top metric missing on its top document (Elasticsearch then
 * writes the string "null").
 */
export function runTransform(t: PivotTransform, docs: readonly Readonly<Record<string, unknown>>[], source: FieldTypes): { docs: Record<string, unknown>[]; problems: string[] } {
  const problems: string[] = [];
  const selected = docs.filter((d) => t.source.query === undefined || matchesQuery(t.source.query, d));
  const [groupDest, group] = Object.entries(t.pivot.group_by)[0] ?? [];
  if (groupDest === undefined || group === undefined || Object.keys(t.pivot.group_by).length !== 1) throw new Error('one terms group_by is checked');
  const buckets = new Map<string, Readonly<Record<string, unknown>>[]>();
  for (const d of selected) {
    for (const key of valuesAt(d, group.terms.field)) buckets.set(String(key), [...(buckets.get(String(key)) ?? []), d]);
  }
  const asNumber = (field: string, v: unknown) => (source.get(field) === 'date' ? Date.parse(v as string) : (v as number));
  const out: Record<string, unknown>[] = [];
  for (const [key, members] of buckets) {
    const doc: Record<string, unknown> = {};
    const put = (path: string, value: unknown) => {
      const parts = path.split('.');
      let at = doc;
      for (const p of parts.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
      at[parts[parts.length - 1] as string] = value;
    };
    put(groupDest, key);
    for (const [aggName, agg] of Object.entries(t.pivot.aggregations)) {
      if ('value_count' in agg) put(aggName, members.reduce((n, d) => n + valuesAt(d, agg.value_count.field).length, 0));
      else if ('min' in agg || 'max' in agg) {
        const field = 'min' in agg ? agg.min.field : agg.max.field;
        const values = members.flatMap((d) => valuesAt(d, field).map((v) => asNumber(field, v)));
        const best = values.length === 0 ? null : 'min' in agg ? Math.min(...values) : Math.max(...values);
        put(aggName, best === null ? null : source.get(field) === 'date' ? new Date(best).toISOString() : best);
      } else {
        const [[sortField, order] = ['', 'desc']] = Object.entries(agg.top_metrics.sort);
        const ranked = members
          .filter((d) => valuesAt(d, sortField).length > 0)
          .map((d) => [asNumber(sortField, valuesAt(d, sortField)[0]), d] as const)
          .sort((a, b) => (order === 'desc' ? b[0] - a[0] : a[0] - b[0]));
        const top = ranked[0]?.[1];
        const metrics: Record<string, unknown> = {};
        for (const m of agg.top_metrics.metrics) {
          if (top === undefined) continue;
          const [value] = valuesAt(top, m.field);
          if (value === undefined) problems.push(`transform ${t.dest.index}: top metric ${m.field} of ${aggName} is missing on the top document of ${key} (Elasticsearch writes "null")`);
          metrics[m.field] = value ?? 'null';
        }
        put(aggName, metrics);
      }
    }
    out.push(doc);
  }
  return { docs: out, problems };
}
