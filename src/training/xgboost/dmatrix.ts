import type { NativeContext } from './native-context';
import type { NativePointer, OutSlot } from './native-api';
import { NativeHandle } from './native-handle';

/** A dense, row-major float32 matrix for XGBoost. */
export interface DMatrixInit {
  /** rows × cols values, row-major; NaN (or `missing`) marks a missing value. */
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
  /** One label per row (0/1 for binary:logistic). */
  readonly labels?: Float32Array;
  /** One non-negative instance weight per row. */
  readonly weights?: Float32Array;
  /** The value treated as missing in addition to NaN semantics; NaN by default. */
  readonly missing?: number;
}

/**
 * An XGBoost DMatrix (native memory). Create it with `XGBoost.createDMatrix()`; free it with
 * `free()` / `using` / `withResource()`. Any method after free() throws XGBoostFreedError.
 */
export class DMatrix implements Disposable {
  readonly rows: number;
  readonly cols: number;
  readonly #context: NativeContext;
  readonly #handle: NativeHandle;

  /**
   * Copies `init.data` into a new native DMatrix and sets labels / weights when given.
   * Throws RangeError on inconsistent sizes, XGBoostCallError when XGBoost refuses the data.
   */
  constructor(context: NativeContext, init: DMatrixInit) {
    const { data, rows, cols } = init;
    if (!Number.isSafeInteger(rows) || rows < 1) throw new RangeError(`DMatrix rows must be a positive integer, got ${rows}`);
    if (!Number.isSafeInteger(cols) || cols < 1) throw new RangeError(`DMatrix cols must be a positive integer, got ${cols}`);
    if (data.length !== rows * cols) {
      throw new RangeError(`DMatrix data has ${data.length} values, expected rows × cols = ${rows * cols}`);
    }
    const out: OutSlot<NativePointer> = [null];
    context.check(context.api.XGDMatrixCreateFromMat(data, rows, cols, init.missing ?? Number.NaN, out), 'XGDMatrixCreateFromMat');
    if (out[0] === null) throw new RangeError('XGDMatrixCreateFromMat returned a null handle');
    this.rows = rows;
    this.cols = cols;
    this.#context = context;
    this.#handle = new NativeHandle('DMatrix', out[0], context.api.XGDMatrixFree, context.registry);
    try {
      if (init.labels) this.setLabels(init.labels);
      if (init.weights) this.setWeights(init.weights);
    } catch (error) {
      this.#handle.free();
      throw error;
    }
  }

  /** True once free() has run. */
  get freed(): boolean {
    return this.#handle.freed;
  }

  /** Sets one label per row. Throws RangeError on a length mismatch. */
  setLabels(labels: Float32Array): void {
    this.#setFloatInfo('label', labels);
  }

  /** Sets one instance weight per row. Throws RangeError on a length mismatch. */
  setWeights(weights: Float32Array): void {
    this.#setFloatInfo('weight', weights);
  }

  /** The live native handle, for Booster calls. Throws XGBoostFreedError after free(). */
  nativePointer(operation: string): NativePointer {
    return this.#handle.use(operation);
  }

  /** Frees the native matrix; idempotent. Throws XGBoostCallError if XGDMatrixFree fails. */
  free(): void {
    this.#context.check(this.#handle.free(), 'XGDMatrixFree');
  }

  [Symbol.dispose](): void {
    this.free();
  }

  #setFloatInfo(field: 'label' | 'weight', values: Float32Array): void {
    if (values.length !== this.rows) {
      throw new RangeError(`DMatrix ${field} has ${values.length} values, expected one per row (${this.rows})`);
    }
    const pointer = this.#handle.use(`set ${field}`);
    this.#context.check(this.#context.api.XGDMatrixSetFloatInfo(pointer, field, values, values.length), 'XGDMatrixSetFloatInfo');
  }
}
