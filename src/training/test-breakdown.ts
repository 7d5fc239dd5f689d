import { CHANNELS, FEATURE_NAMES } from '../../features';
import { calibration, tallyDecisions, type Calibration, type Cutoffs, type DecisionTally, type SegmentTally } from './metrics';

/** Upper bounds (exclusive) of the amount bands, EUR; the last band is open. */
export const AMOUNT_BAND_EDGES_EUR: readonly number[] = [10, 50, 200, 1000];

/** The amount bands' names, in order: `< 10`, `10–50`, …, `≥ 1000` (EUR). */
export const AMOUNT_BANDS: readonly string[] = [
  `< ${AMOUNT_BAND_EDGES_EUR[0]}`,
  ...AMOUNT_BAND_EDGES_EUR.slice(1).map((to, i) => `${AMOUNT_BAND_EDGES_EUR[i]}–${to}`),
  `≥ ${AMOUNT_BAND_EDGES_EUR[AMOUNT_BAND_EDGES_EUR.length - 1]}`,
];

/** The segment of a row without a channel (the field is optional in the contract). */
export const NO_CHANNEL = 'absent';
/** The segment of every legitimate row in the per-scenario breakdown. */
export const LEGITIMATE = 'legitimate';

// Where the segmenting features sit in a vector, fixed once.
const AMOUNT = FEATURE_NAMES.indexOf('amount');
const CHANNEL = FEATURE_NAMES.indexOf('tx_channel');

/**
 * The amount band of an amount in EUR (the `amount` feature: the transaction's amount converted
 * by `referenceCents` at the rate of its day, in major units). The band edges are whole euros,
 * which float32 holds exactly, so a float32 amount falls in the band its exact value does.
 */
export function amountBand(eur: number): string {
  let band = 0;
  while (band < AMOUNT_BAND_EDGES_EUR.length && eur >= (AMOUNT_BAND_EDGES_EUR[band] as number)) band++;
  return AMOUNT_BANDS[band] as string;
}

/** The channel of a `tx_channel` code (NaN when the transaction had none). */
export function channelOfCode(code: number): string {
  return CHANNELS[code] ?? NO_CHANNEL;
}

/** The simulator's scenario of each row, when the data carries it. */
export interface RowScenarios {
  /** Per row: the scenario number of a fraud, 0 otherwise. */
  readonly ids: ArrayLike<number>;
  /** Names by number (as a string). */
  readonly names: Readonly<Record<string, string>>;
}

/** The test set's decisions at the chosen thresholds, and how they fare per segment. */
export interface TestBreakdown {
  readonly calibration: Calibration;
  /** Every row by outcome and class (the confusion at the thresholds). */
  readonly confusion: DecisionTally;
  /**
   * Fraud rows by the simulator's scenario, then every legitimate row under {@link LEGITIMATE};
   * null when the data does not carry the scenario (see `scenarioNote`).
   */
  readonly scenarios: readonly SegmentTally[] | null;
  /** Why `scenarios` is null, or where it comes from. */
  readonly scenarioNote: string;
  /** By channel (the `tx_channel` feature). */
  readonly channels: readonly SegmentTally[];
  /** By amount band in EUR (the `amount` feature). */
  readonly amountBands: readonly SegmentTally[];
}

export interface TestBreakdownInput {
  /** The served scores of the test rows, probabilities. */
  readonly scores: Float32Array;
  readonly labels: Uint8Array;
  readonly thresholds: Cutoffs;
  /** The test rows' served vectors, row-major in spec order. */
  readonly vectors: Float32Array;
  /** The rows' scenarios, or why there are none. */
  readonly scenarios: RowScenarios | { readonly missing: string };
}

/**
 * Calibration, confusion and per-segment tallies of a scored test set (pure). Segments come from
 * the served vectors (channel code, amount in EUR) and, when known, the simulator's scenario of
 * each fraud. Throws a RangeError on scores outside [0, 1], mismatched lengths, or vectors that
 * are not one per score.
 */
export function testBreakdown(input: TestBreakdownInput): TestBreakdown {
  const { scores, labels, thresholds, vectors } = input;
  const cols = FEATURE_NAMES.length;
  if (vectors.length !== scores.length * cols) throw new RangeError(`${vectors.length} vector values for ${scores.length} rows of ${cols} features`);
  const channels = tallyDecisions(scores, labels, thresholds, (r) => channelOfCode(vectors[r * cols + CHANNEL] as number), [...CHANNELS]);
  const amounts = tallyDecisions(scores, labels, thresholds, (r) => amountBand(vectors[r * cols + AMOUNT] as number), AMOUNT_BANDS);
  let scenarios: readonly SegmentTally[] | null = null;
  let scenarioNote: string;
  if ('missing' in input.scenarios) scenarioNote = input.scenarios.missing;
  else {
    const { ids, names } = input.scenarios;
    if (ids.length !== scores.length) throw new RangeError(`${ids.length} scenarios for ${scores.length} rows`);
    const nameOf = (id: number): string => (id === 0 ? 'fraud without a recorded scenario' : `#${id} ${names[String(id)] ?? 'unknown'}`);
    const order = [...Object.keys(names).map(Number).sort((a, b) => a - b).map(nameOf), LEGITIMATE];
    scenarios = tallyDecisions(scores, labels, thresholds, (r) => (labels[r] === 1 ? nameOf(ids[r] as number) : LEGITIMATE), order).segments;
    scenarioNote = 'the simulator\'s scenario of each fraud (its scenario file, carried into the dataset by build-dataset)';
  }
  return {
    calibration: calibration(scores, labels),
    confusion: channels.total,
    scenarios,
    scenarioNote,
    channels: channels.segments,
    amountBands: amounts.segments,
  };
}
