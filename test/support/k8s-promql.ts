import { createServiceMetrics } from '../../src/telemetry/metrics';
import { DriftMonitor } from '../../src/telemetry/drift-monitor';

// Finds the metric names and label matchers a PromQL expression uses, and the catalogue of what the
// service really exports, so the manifest tests can check alert rules and dashboard queries against
// src/telemetry/metrics.ts.

/** A vector selector in an expression: `name{label="…", …}`. */
export interface Selector {
  readonly name: string;
  /** Label names of its matchers. */
  readonly labels: readonly string[];
}

/** Words that look like identifiers but are operators or modifiers. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'atan2', 'inf', 'nan']);

/**
 * The vector selectors of a PromQL expression (Grafana's `$variables` allowed). Function and
 * aggregation names, keywords, label lists of `by`/`on`/…, ranges and strings are not selectors.
 */
export function selectorsIn(expr: string): Selector[] {
  const s = expr
    // String literals, whatever they contain (regexes, Grafana variables).
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    // Ranges and subqueries: [5m], [$__rate_interval], [1h:5m].
    .replace(/\[[^\]]*\]/g, '')
    // Label lists of grouping and vector matching.
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+-?[0-9a-z]+/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const out: Selector[] = [];
  const token = /(?<![\w.:])([a-zA-Z_:][\w:]*)\s*(\{[^}]*\})?(\s*\()?/g;
  for (let m = token.exec(s); m !== null; m = token.exec(s)) {
    const [, name, braces, call] = m as unknown as [string, string, string | undefined, string | undefined];
    if (call !== undefined && braces === undefined) continue;
    if (KEYWORDS.has(name.toLowerCase())) continue;
    const labels = braces === undefined ? [] : [...braces.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1] as string);
    out.push({ name, labels });
  }
  return out;
}

/** Labels Prometheus (with the Prometheus Operator's ServiceMonitor) attaches to every scraped series. */
export const TARGET_LABELS: readonly string[] = ['job', 'instance', 'namespace', 'pod', 'service', 'endpoint', 'container'];

/**
 * Every series name the service exports, with the label names each may carry: the real registry of
 * `createServiceMetrics()` (process defaults included), histograms expanded into `_bucket` (plus
 * `le`), `_sum` and `_count`; target labels added to all.
 */
export function serviceMetricCatalogue(): Map<string, Set<string>> {
  const { registry } = createServiceMetrics();
  // Registered beside the service metrics by the composition root (DRIFT_MONITORING=on, the default).
  new DriftMonitor(registry);
  const out = new Map<string, Set<string>>();
  const metrics = registry.getMetricsAsArray() as unknown as { name: string; type: string; labelNames?: readonly string[] }[];
  for (const m of metrics) {
    const labels = new Set([...(m.labelNames ?? []), ...TARGET_LABELS]);
    if (m.type === 'histogram') {
      out.set(`${m.name}_bucket`, new Set([...labels, 'le']));
      out.set(`${m.name}_sum`, labels);
      out.set(`${m.name}_count`, labels);
    } else if (m.type === 'summary') {
      out.set(m.name, new Set([...labels, 'quantile']));
      out.set(`${m.name}_sum`, labels);
      out.set(`${m.name}_count`, labels);
    } else {
      out.set(m.name, labels);
    }
  }
  return out;
}

/** Label names of the `by`, `without`, `on`, `ignoring`, `group_left` and `group_right` lists of an expression. */
export function groupingLabelsIn(expr: string): string[] {
  const s = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  return [...s.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g)].flatMap((m) =>
    (m[1] as string)
      .split(',')
      .map((l) => l.trim())
      .filter((l) => l !== ''),
  );
}

/**
 * Problems of one expression against the catalogue: unknown metrics, label matchers a metric does
 * not have, and grouping labels none of the expression's metrics has. Names in `alsoKnown`
 * (recording rules, other exporters) are accepted as they are, and switch the grouping check off.
 */
export function selectorProblems(
  expr: string,
  catalogue: ReadonlyMap<string, ReadonlySet<string>>,
  alsoKnown: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  const available = new Set<string>();
  let allKnown = true;
  for (const { name, labels } of selectorsIn(expr)) {
    if (alsoKnown.has(name)) {
      allKnown = false;
      continue;
    }
    const known = catalogue.get(name);
    if (known === undefined) {
      problems.push(`unknown metric ${name}`);
      allKnown = false;
      continue;
    }
    for (const l of known) available.add(l);
    for (const l of labels) if (!known.has(l)) problems.push(`${name} has no label ${l}`);
  }
  if (allKnown) for (const l of groupingLabelsIn(expr)) if (!available.has(l)) problems.push(`no metric of the expression has the grouping label ${l}`);
  return problems;
}
