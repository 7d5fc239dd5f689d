/**
 * On-disk layout of a training dataset directory, written by `fraudctl build-dataset`:
 *
 * - `features.f32`: the feature matrix, float32 little-endian, row-major, `rows × featureNames.length`,
 *   NaN = missing;
 * - `dataset.json`: this sidecar. Per-row columns are parallel arrays in row order (= arrival order
 *   of the transactions).
 */
export interface DatasetSidecar {
  readonly format: 'fraud-dataset/v1';
  readonly featureNames: readonly string[];
  readonly specHash: string;
  readonly rows: number;
  readonly matrix: { readonly file: string; readonly dtype: 'float32'; readonly byteOrder: 'little'; readonly layout: 'row-major' };
  readonly source: {
    readonly file: string;
    readonly events: number;
    readonly transactions: number;
    readonly labels: number;
    readonly duplicateTransactions: number;
    readonly duplicateLabels: number;
    readonly unknownTransactionLabels: number;
  };
  /**
   * Names of the simulator's fraud scenarios by number (as a string), when the stream came with
   * its scenario file (`src/sim/output/scenario-file.ts`); then `columns.scenario` is present.
   */
  readonly scenarios?: Readonly<Record<string, string>>;
  readonly columns: {
    readonly transactionId: readonly string[];
    /** Transaction event time, epoch seconds. */
    readonly timestamp: readonly number[];
    readonly userId: readonly string[];
    readonly merchantId: readonly string[];
    /** Ground truth at the end of the stream: 1 = fraud, 0 = legitimate or never labeled. */
    readonly label: readonly number[];
    /** When that label became known (arrival of the label event that set it), epoch seconds; null = never labeled. */
    readonly labelKnownAt: readonly (number | null)[];
    /** The simulator's scenario of each fraudulent transaction, 0 for the others; only with `scenarios`. */
    readonly scenario?: readonly number[];
  };
}

export const MATRIX_FILE = 'features.f32';
export const SIDECAR_FILE = 'dataset.json';
