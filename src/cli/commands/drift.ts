import { existsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Config } from '../../config/config';
import type { DecisionLog } from '../../records/decision-log';
import { decisionLogDrift, type DecisionLogDrift, type DriftModel } from '../../model/drift/decision-log-drift';
import { driftReport, type DriftReport } from '../../model/drift/drift-report';
import { renderDriftReport } from '../../model/drift/drift-report-html';
import { psiLevel } from '../../model/drift/drift-window';
import { RegistryError, type RegistryEntry } from '../../model/registry/model-registry';
import { openRegistry, trustSettingsFromEnv } from '../../model/registry/open-registry';
import { openBacktestStores } from '../../rules/backtest-log-stores';
import { parseOptions, requireOption } from '../args';
import { CommandExit, printJson, UsageError, type Command, type CliIO } from '../command';
import { REGISTRY_OPTION } from '../common-options';
import { configFromEnv } from '../environment';
import { requireRegistry } from '../inputs';
import { JSON_OPTION, type OptionSpecs } from '../options';
import { createProgress, type Progress } from '../progress';

const OPTIONS = {
  since: { type: 'string', value: 'ISO', description: 'start of the window of event time (a date YYYY-MM-DD, or a date-time with an offset)', required: true },
  until: { type: 'string', value: 'ISO', description: 'end of the window, exclusive', required: true },
  model: { type: 'string', value: 'VERSION', description: 'the model whose drift reference (its model.json `drift`, recorded at training) to compare with', default: 'the champion of --registry' },
  registry: REGISTRY_OPTION,
  report: { type: 'string', value: 'PATH', description: 'the HTML page to write (its directory must exist)', default: 'drift-report.html' },
  json: JSON_OPTION,
} as const satisfies OptionSpecs;

const NOTES = [
  'Compares the service\'s traffic with a model\'s drift reference: the served vectors and scores of the decision log (SQLite in DATA_DIR,',
  'or DECISION_LOG=postgres) with event time in [--since, --until), read beside a running service (nothing is written to it). Scores count',
  'where they are that model\'s (it decided, or it ran in shadow). Figures: the PSI of the score and of every feature with the reference and',
  'observed share per bin; PSI < 0.1 stable, 0.1-0.2 moderate, > 0.2 a major shift (flagged). See docs/drift.md.',
];

/**
 * Epoch seconds of an ISO 8601 date (UTC midnight) or date-time with an offset (a zone-less one
 * would be read in the machine's zone). Throws a UsageError naming the option.
 */
function timeOption(name: string, value: string | undefined): number {
  const text = requireOption(name, value);
  const ms = /^\d{4}-\d{2}-\d{2}(T[^Z+-]*([+-]\d{2}:?\d{2}|Z))?$/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new UsageError(`--${name} must be an ISO 8601 date (YYYY-MM-DD) or date-time with an offset, got "${text}"`);
  return Math.floor(ms / 1000);
}

/** The model to compare with; a missing registry, model or reference ends the command (exit 2), an untrusted one is refused (exit 1). */
function modelOf(root: string, version: string | undefined, io: CliIO): DriftModel {
  requireRegistry(root);
  const registry = openRegistry(root, trustSettingsFromEnv(io.env), { sign: false });
  let entry: RegistryEntry | null;
  try {
    entry = version === undefined ? registry.champion() : registry.get(version);
  } catch (err) {
    if (err instanceof RegistryError) throw new CommandExit(`drift: ${err.message}`, 'not_found');
    throw err;
  }
  if (entry === null) throw new CommandExit(`drift: the registry ${root} has no champion: name a model with --model VERSION`, 'not_found');
  try {
    // The reference is part of the signed manifest: compare only with one the registry trusts.
    registry.verify(entry);
  } catch (err) {
    if (err instanceof RegistryError) throw new CommandExit(`REFUSED: ${err.message}`, 'refused');
    throw err;
  }
  const m = entry.metadata;
  if (m.drift === undefined) {
    throw new CommandExit(
      `drift: model ${m.version} has no drift reference (model.json has no "drift": it was made before references were recorded); ` +
        'train, retrain or import a model to get one, or name another with --model',
      'invalid_input',
    );
  }
  return { version: m.version, featureSpecHash: m.featureSpecHash, featureNames: m.featureNames, drift: m.drift };
}

/** Counts the window of the configured decision log (a reader beside the service); no log in DATA_DIR ends the command (exit 2). */
async function countWindow(io: CliIO, config: Config, o: { readonly model: DriftModel; readonly from: number; readonly to: number; readonly quiet: boolean }): Promise<{ figures: DecisionLogDrift; log: DecisionLog['kind'] }> {
  let bar: Progress | undefined;
  try {
    const stores = await openBacktestStores(config);
    try {
      const figures = await decisionLogDrift({
        decisionLog: stores.decisionLog,
        model: o.model,
        from: o.from,
        to: o.to,
        onProgress: (done, total) => (bar ??= createProgress(io, 'drift (hours)', total, o.quiet)).update(done),
      });
      return { figures, log: stores.decisionLog.kind };
    } finally {
      await stores.close();
    }
  } finally {
    bar?.stop();
  }
}

/** The figures as a few lines of text. */
function summary(r: DriftReport): string {
  const psi = (v: number | null) => (v === null ? '-' : v.toFixed(4));
  const lines = [
    `drift of model ${r.model} over the decision log (${r.log}) [${r.window.from}, ${r.window.to}): ${r.rows} served vectors, ${r.scoredRows} scored by the model`,
    `  score PSI ${psi(r.score.psi)} (${psiLevel(r.score.psi)})`,
    `  ${'FEATURE'.padEnd(38)} ${'PSI'.padStart(8)}  READING`,
    ...r.top.map((t) => `  ${t.feature.padEnd(38)} ${psi(t.psi).padStart(8)}  ${psiLevel(t.psi)}`),
  ];
  if (r.skipped.featureSpec > 0) lines.push(`  skipped: ${r.skipped.featureSpec} records of another feature spec`);
  lines.push(`report: ${r.report}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `fraudctl drift`: PSI of the score and of every feature of a window of the decision log against
 * a model's drift reference (see {@link OPTIONS} and {@link NOTES}); writes the HTML page and prints the
 * figures (one JSON object, {@link DriftReport}, with --json). Bad input (a window that is not
 * one, no registry, model, reference or decision log) ends it with exit code 2.
 */
export const driftCommand: Command = {
  name: 'drift',
  summary: 'compare served traffic with a model\'s drift reference: PSI of the score and every feature',
  usage: 'drift --since ISO --until ISO [options]',
  options: OPTIONS,
  notes: NOTES,
  async run(args, io) {
    const { values } = parseOptions(args, OPTIONS);
    const from = timeOption('since', values.since);
    const to = timeOption('until', values.until);
    if (from >= to) throw new UsageError('--since must be before --until');
    const json = values.json === true;
    const reportPath = values.report ?? OPTIONS.report.default;
    if (!existsSync(dirname(resolve(reportPath)))) throw new UsageError(`--report: no directory ${dirname(resolve(reportPath))}`);
    const config = configFromEnv(io);
    const model = modelOf(values.registry ?? config.MODEL_REGISTRY_DIR, values.model, io);
    const { figures, log } = await countWindow(io, config, { model, from, to, quiet: json });
    const report = driftReport(figures, { model: model.version, reference: { featureRows: model.drift.featureRows, scoreRows: model.drift.scoreRows }, log, from, to, report: reportPath });
    writeFileSync(reportPath, renderDriftReport(report));
    if (json) printJson(io, report);
    else io.stdout.write(summary(report));
    return 0;
  },
};
