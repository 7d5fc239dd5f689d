import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { featureSpecHash } from '../../model/feature-spec-hash';
import { ModelRegistry } from '../../model/registry/model-registry';
import { BacktestInputError, replayRow, type BacktestLists, type BacktestRow } from '../../rules/backtest';
import { datasetBacktestRows, type DatasetBacktestSource } from '../../rules/backtest-dataset';
import { decisionLogBacktestRows, type DecisionLogBacktestSource } from '../../rules/backtest-decision-log';
import { backtestLists } from '../../rules/backtest-lists';
import { openBacktestStores } from '../../rules/backtest-log-stores';
import type { BacktestReport } from '../../rules/backtest-report';
import { renderBacktestReport } from '../../rules/backtest-report-html';
import { BacktestTally, CHANGES } from '../../rules/backtest-tally';
import { compileRuleSet, type RuleSet } from '../../rules/rule-set';
import { parseOptions } from '../args';
import { CommandExit, printJson, UsageError, type CliIO, type CommandAction } from '../command';
import { REGISTRY_OPTION, registryDir } from '../common-options';
import { configFromEnv } from '../environment';
import { requireDataset, requireInput, requireRegistry } from '../inputs';
import { JSON_OPTION, type OptionSpecs } from '../options';
import { createProgress, type Progress } from '../progress';

const DAY = 86_400;
/** The decision log's default window: the last 30 days of event time. */
const DEFAULT_LOG_DAYS = 30;

const OPTIONS = {
  dataset: {
    type: 'string',
    value: 'DIR',
    description:
      'replay the rows of this build-dataset directory, scored by the champion of --registry; baseline = the champion\'s decision without rules',
    default: 'none (give one of --dataset and --decision-log)',
  },
  events: {
    type: 'string',
    value: 'FILE',
    description: 'with --dataset: the event stream DIR was built from (the transaction fields rules read come from it)',
    default: 'the stream found beside DIR',
  },
  'decision-log': {
    type: 'boolean',
    description:
      'replay the service\'s decisions (SQLite in DATA_DIR, or DECISION_LOG=postgres) with the labels known now; baseline = the recorded decision, ' +
      'the model decision = the record\'s score through its model\'s thresholds (DEGRADED_POLICY when a profile was unread)',
  },
  lists: { type: 'string', value: 'FILE', description: 'the lists the rules read: JSON {"<list name>": ["value", ...]}', default: 'every declared list empty' },
  since: {
    type: 'string',
    value: 'ISO',
    description: 'first event time replayed (a date YYYY-MM-DD, or a date-time with an offset)',
    default: `--dataset: the champion's test window, else the handbook test week; --decision-log: ${DEFAULT_LOG_DAYS} days before --until`,
  },
  until: {
    type: 'string',
    value: 'ISO',
    description: 'end of the window, exclusive',
    default: `--dataset: the champion's test window, else the handbook test week; --decision-log: now, or ${DEFAULT_LOG_DAYS} days after --since`,
  },
  registry: { ...REGISTRY_OPTION, description: 'the model registry whose champion scores the dataset rows and whose models\' thresholds apply to the log' },
  report: { type: 'string', value: 'PATH', description: 'the HTML page to write (its directory must exist)', default: 'rules-backtest.html' },
  json: JSON_OPTION,
} as const satisfies OptionSpecs;

/** What `fraudctl rules test --help` says after the options: what it does and what the figures mean. */
const NOTES = [
  'Replays the rule set FILE over history and compares its decisions with a baseline (nothing is changed anywhere).',
  'Labels: fraud = the labels resolve to fraud by source precedence; every other row (unlabelled too) is legitimate.',
  'Figures: changed = new decision differs from the baseline (by from->to); fraud caught = fraud the baseline approved, now challenged/declined',
  '  (count, EUR cents); friction added = legitimate the baseline approved, now challenged/declined (count, per 1,000 legitimate rows);',
  '  friction removed = legitimate the baseline challenged/declined, now approved; fraud let through = fraud the baseline',
  '  challenged/declined, now approved; per rule: hits, on fraud, on legitimate, changed alone (changes where it was the only hit),',
  '  errors, and the new decisions of the rows it hit.',
  'An invalid rule set or lists file, a missing dataset, stream, registry or decision log exits 2. See docs/rules-backtest.md.',
];

/**
 * Epoch seconds of an ISO 8601 date (UTC midnight) or date-time with an offset (a zone-less one
 * would be read in the machine's zone); undefined when not given. Throws a UsageError naming it.
 */
function timeOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}(T[^Z+-]*([+-]\d{2}:?\d{2}|Z))?$/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new UsageError(`--${name} must be an ISO 8601 date (YYYY-MM-DD) or date-time with an offset, got "${value}"`);
  return Math.floor(ms / 1000);
}

function readText(what: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CommandExit(`cannot read ${what} ${path}: ${(err as Error).message}`, existsSync(path) ? 'invalid_input' : 'not_found');
  }
}

/** The compiled rule set of `file`; an unreadable or invalid file ends the command (exit 2) with compileRuleSet's message. */
function readRuleSet(file: string): RuleSet {
  const text = readText('rule set', file);
  try {
    return compileRuleSet(text);
  } catch (err) {
    throw new CommandExit(`${file}: ${(err as Error).message}`, 'invalid_input');
  }
}

/** The lists of `path` (a --lists file) for `set`, or every declared list empty; a bad file ends the command (exit 2). */
function readLists(set: RuleSet, path: string | undefined): BacktestLists {
  if (path === undefined) return backtestLists(set, null);
  const text = readText('lists file', path);
  try {
    return backtestLists(set, text);
  } catch (err) {
    if (err instanceof BacktestInputError) throw new CommandExit(`${path}: ${err.message}`, 'invalid_input');
    throw err;
  }
}

function registryAt(root: string): ModelRegistry {
  return new ModelRegistry(requireRegistry(root));
}

/** Progress drawn lazily, once the total is known. */
function lazyProgress(io: CliIO, label: string, quiet: boolean) {
  let bar: Progress | undefined;
  return {
    update: (done: number, total: number) => (bar ??= createProgress(io, label, total, quiet)).update(done),
    stop: () => bar?.stop(),
  };
}

/**
 * `fraudctl rules test`: backtests a rule set (see its {@link OPTIONS} and {@link NOTES}), writes
 * the HTML page and prints the figures (one JSON object with --json). Bad input (an invalid rule
 * or lists file, a missing dataset, stream, registry or decision log) ends it with exit code 2.
 */
export const rulesTestAction: CommandAction = {
  name: 'test',
  summary: 'backtest a rule set on a dataset or the decision log: decisions changed, fraud caught, friction, per rule',
  usage: 'rules test FILE (--dataset DIR [--events FILE] | --decision-log) [options]',
  options: OPTIONS,
  notes: NOTES,
  run: runRulesTest,
};

async function runRulesTest(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS, true);
  const [file, ...extra] = positionals;
  if (file === undefined) throw new UsageError('test needs the rule set FILE');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const fromDataset = values.dataset !== undefined;
  if (fromDataset === (values['decision-log'] === true)) throw new UsageError('give one of --dataset DIR and --decision-log');
  if (values.events !== undefined && !fromDataset) throw new UsageError('--events goes with --dataset');
  const since = timeOption('since', values.since);
  const until = timeOption('until', values.until);
  if (since !== undefined && until !== undefined && since >= until) throw new UsageError('--since must be before --until');
  const json = values.json === true;
  const set = readRuleSet(file);
  const lists = readLists(set, values.lists);
  const reportPath = values.report ?? OPTIONS.report.default;
  // Found out before the replay, not after it.
  requireInput('directory', dirname(resolve(reportPath)), `for --report ${reportPath}`);
  const tally = new BacktestTally(set);
  const progress = lazyProgress(io, fromDataset ? 'rules test (MB)' : 'rules test (hours)', json);
  let source: DatasetBacktestSource | DecisionLogBacktestSource;
  try {
    const onRow = (row: BacktestRow) => tally.add(replayRow(set, lists, row));
    if (fromDataset) {
      const dir = requireDataset(values.dataset as string);
      const window = since === undefined && until === undefined ? null : { from: since ?? -Infinity, to: until ?? Infinity };
      const registry = registryAt(registryDir(values.registry, io.env));
      source = await datasetBacktestRows(
        { dir, events: values.events, registry, window, specHash: featureSpecHash(), onProgress: (n, total) => progress.update(Math.floor(n / 1e6), Math.ceil(total / 1e6)) },
        onRow,
      );
    } else {
      const config = configFromEnv(io);
      const registry = registryAt(values.registry ?? config.MODEL_REGISTRY_DIR);
      const to = until ?? (since === undefined ? Math.floor(Date.now() / 1000) : since + DEFAULT_LOG_DAYS * DAY);
      const from = since ?? to - DEFAULT_LOG_DAYS * DAY;
      const stores = await openBacktestStores(config);
      try {
        const policy = { degradedPolicy: config.DEGRADED_POLICY, noModelDecision: config.NO_MODEL_DECISION };
        source = await decisionLogBacktestRows({ ...stores, registry, from, to, policy, specHash: featureSpecHash(), onProgress: progress.update }, onRow);
      } finally {
        await stores.close();
      }
    }
  } catch (err) {
    if (err instanceof BacktestInputError) throw new CommandExit(`rules test: ${err.message}`, 'invalid_input');
    throw err;
  } finally {
    progress.stop();
  }
  const report: BacktestReport = {
    ruleSet: { file, version: set.version, hash: set.hash },
    source,
    lists: Object.fromEntries(Object.entries(lists).map(([name, entries]) => [name, entries.size])),
    ...tally.figures(),
    report: reportPath,
  };
  writeFileSync(reportPath, renderBacktestReport(report));
  if (json) printJson(io, report);
  else io.stdout.write(summary(report));
  return 0;
}

/** The figures as a few lines of text. */
function summary(r: BacktestReport): string {
  const t = r.totals;
  const s = r.source;
  const where = s.kind === 'dataset' ? `dataset ${s.dataset}, champion ${s.model}, ${s.windowOf} [${s.window.from ?? '-∞'}, ${s.window.to ?? '∞'})` : `decision log (${s.log}) [${s.window.from}, ${s.window.to})`;
  const eur = (cents: number) => `EUR ${(cents / 100).toFixed(2)}`;
  const changes = CHANGES.filter((c) => t.changed.byChange[c] > 0).map((c) => `${c} ${t.changed.byChange[c]}`);
  const lines = [
    `rule set ${r.ruleSet.version} on ${t.rows} rows of ${where}: ${t.frauds} fraud, ${t.legitimate} legitimate (${t.unlabelled} unlabelled)`,
    `  decisions changed ${t.changed.total}${changes.length > 0 ? ` (${changes.join(', ')})` : ''}`,
    `  fraud caught ${t.fraudCaught.count} (${eur(t.fraudCaught.amountCents)}); legitimate friction added ${t.frictionAdded.count} (${t.frictionAdded.per1000Legit} per 1,000); ` +
      `friction removed ${t.frictionRemoved.count}; fraud let through ${t.fraudLetThrough.count} (${eur(t.fraudLetThrough.amountCents)})`,
    `  ${'RULE'.padEnd(28)} ${'OUTCOME'.padEnd(16)} ${'HITS'.padStart(8)} ${'FRAUD'.padStart(7)} ${'LEGIT'.padStart(8)} ${'CHANGED ALONE'.padStart(13)} ${'ERRORS'.padStart(6)}`,
    ...r.rules.map((x) => `  ${x.id.padEnd(28)} ${x.outcome.padEnd(16)} ${String(x.hits).padStart(8)} ${String(x.fraudHits).padStart(7)} ${String(x.legitHits).padStart(8)} ${String(x.changedAlone).padStart(13)} ${String(x.errors).padStart(6)}`),
  ];
  if (s.kind === 'decision-log' && s.skipped.featureSpec + s.skipped.unknownModel > 0) {
    lines.push(`  skipped: ${s.skipped.featureSpec} records of another feature spec, ${s.skipped.unknownModel} with rule hits whose model is not in the registry`);
  }
  lines.push(`report: ${r.report}`);
  return `${lines.join('\n')}\n`;
}
