import { performance } from 'node:perf_hooks';
import {
  DEFAULT_OPTIONS,
  LABEL_DELAY_MODELS,
  MERCHANT_WAVE_DEFAULTS,
  scenarioSet,
  simulate,
  type FraudScenario, scenarioFilePath, startEpochSeconds, summarize, writeEventsToFile, writeScenarioFile, type LabelDelayModel, type SimulationOptions } from '../../sim';
import { intOption, parseOptions, requireOption } from '../args';
import { printJson, UsageError, type Command } from '../command';
import { JSON_OPTION, type OptionSpecs } from '../options';
import { createProgress } from '../progress';

const OPTIONS = {
  out: { type: 'string', value: 'FILE', description: 'the NDJSON event stream to write (missing directories are created); the fraud scenarios go beside it', required: true },
  seed: { type: 'string', value: 'N', description: 'seed of every random stream', default: DEFAULT_OPTIONS.seed },
  customers: { type: 'string', value: 'N', description: 'simulated customers', default: DEFAULT_OPTIONS.customers },
  terminals: { type: 'string', value: 'N', description: 'simulated terminals (merchants)', default: DEFAULT_OPTIONS.terminals },
  days: { type: 'string', value: 'N', description: 'simulated days', default: DEFAULT_OPTIONS.days },
  'start-date': { type: 'string', value: 'YYYY-MM-DD', description: 'UTC calendar date of day 0 of the world', default: DEFAULT_OPTIONS.startDate },
  'start-day': { type: 'string', value: 'K', description: 'first simulated day, counted from --start-date (to continue a world)', default: DEFAULT_OPTIONS.startDay },
  'label-delay-model': {
    type: 'string',
    value: LABEL_DELAY_MODELS.join('|'),
    description: 'fraud labels: fixed = one chargeback 7 days later; chargeback = after LogNormal(ln 20 days, sigma 0.6) clipped to [2, 120] days',
    default: DEFAULT_OPTIONS.labelDelayModel,
  },
  'card-testing': { type: 'string', value: 'N', description: 'adds a fourth scenario: N stolen cards a day tested with tiny payments, then cashed out (0: off)', default: 0 },
  'merchant-wave': {
    type: 'string',
    value: 'DAY',
    description: `adds a fifth scenario: from world day DAY, ${MERCHANT_WAVE_DEFAULTS.merchants} merchants take ${MERCHANT_WAVE_DEFAULTS.perMerchantPerDay} stolen-card payments a day each for ${MERCHANT_WAVE_DEFAULTS.days} days`,
    default: 'off',
  },
  json: JSON_OPTION,
} as const satisfies OptionSpecs;

function parse(args: readonly string[]): { out: string; json: boolean; options: SimulationOptions; scenarios: readonly FraudScenario[] } {
  const { values } = parseOptions(args, OPTIONS);
  const model = values['label-delay-model'] ?? DEFAULT_OPTIONS.labelDelayModel;
  if (!LABEL_DELAY_MODELS.includes(model as LabelDelayModel)) {
    throw new UsageError(`--label-delay-model must be one of ${LABEL_DELAY_MODELS.join(', ')}, got "${model}"`);
  }
  const startDate = values['start-date'] ?? DEFAULT_OPTIONS.startDate;
  try {
    startEpochSeconds(startDate);
  } catch {
    throw new UsageError(`--start-date must be a date YYYY-MM-DD, got "${startDate}"`);
  }
  const cardTesting = intOption('card-testing', values['card-testing'], OPTIONS['card-testing'].default);
  const wave = values['merchant-wave'] === undefined || values['merchant-wave'] === 'off' ? null : intOption('merchant-wave', values['merchant-wave'], 0, 0);
  return {
    out: requireOption('out', values.out),
    json: values.json === true,
    scenarios: scenarioSet(cardTesting, wave),
    options: {
      ...DEFAULT_OPTIONS,
      seed: intOption('seed', values.seed, DEFAULT_OPTIONS.seed),
      customers: intOption('customers', values.customers, DEFAULT_OPTIONS.customers, 1),
      terminals: intOption('terminals', values.terminals, DEFAULT_OPTIONS.terminals, 1),
      days: intOption('days', values.days, DEFAULT_OPTIONS.days, 1),
      startDay: intOption('start-day', values['start-day'], DEFAULT_OPTIONS.startDay),
      startDate,
      labelDelayModel: model as LabelDelayModel,
    },
  };
}

/**
 * `fraudctl simulate`: writes the synthetic transaction + label NDJSON stream of `src/sim` to
 * `--out`, and beside it each fraud's scenario (`scenarioFilePath`, read by build-dataset). `--json` prints only `{transactions, frauds, fraudRate, labels, byScenario, seconds}`
 * on stdout; otherwise a short summary goes to stderr (and a progress bar on a TTY).
 */
export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'write a synthetic transaction + label event stream (NDJSON)',
  usage: 'simulate --out FILE [options]',
  options: OPTIONS,
  async run(args, io) {
    const { out, json, options, scenarios } = parse(args);
    const started = performance.now();
    const result = simulate(options, scenarios);
    const summary = summarize(result);
    const total = result.table.length + result.labels.length;
    const progress = createProgress(io, 'simulate', total, json);
    const written = writeEventsToFile(result, out, (n) => progress.update(n));
    writeScenarioFile(result, scenarioFilePath(out));
    progress.stop();
    const seconds = Math.round(performance.now() - started) / 1000;
    if (json) {
      printJson(io, { ...summary, seconds });
      return 0;
    }
    const pct = (n: number): string => (summary.frauds === 0 ? '0.0' : ((100 * n) / summary.frauds).toFixed(1));
    const shares = Object.entries(summary.byScenario).map(([k, n]) => `#${k} ${n} (${pct(n)}%)`);
    io.stderr.write(
      [
        `simulate: wrote ${written.events} events (${(written.bytes / 1e6).toFixed(1)} MB) to ${out} in ${seconds.toFixed(1)} s`,
        `  transactions ${summary.transactions}, frauds ${summary.frauds} (${(100 * summary.fraudRate).toFixed(3)}%), labels ${summary.labels}`,
        `  frauds by scenario: ${shares.join(', ')}`,
      ].join('\n') + '\n',
    );
    return 0;
  },
};
