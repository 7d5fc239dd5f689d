import type { DMatrix } from './dmatrix';
import { XGBoostCallError } from './errors';
import type { NativeContext } from './native-context';
import type { NativePointer, NativeSize, OutSlot } from './native-api';
import { NativeHandle } from './native-handle';
import { copyBytes, copyFloat32, readSizes, readStrings, sizeToNumber } from './native-memory';

/** XGBoost parameters as name → string value pairs, applied in order. */
export type XGBoostParamList = Iterable<readonly [string, string]>;

/** Options of {@link Booster.predict}. */
export interface PredictOptions {
  /** First boosting round to use (0-based, inclusive); 0 by default. */
  readonly iterationBegin?: number;
  /** Round to stop before (exclusive); 0 (the default) means all rounds. */
  readonly iterationEnd?: number;
  /** Return raw margins (log-odds for binary:logistic) instead of transformed predictions. */
  readonly outputMargin?: boolean;
  /**
   * Return XGBoost's exact TreeSHAP contributions instead: per row, one value per feature then
   * the bias (rows × (features + 1)), in margin units, summing to the row's margin.
   */
  readonly contributions?: boolean;
}

/** Feature importance measures XGBoost computes. */
export type ImportanceType = 'weight' | 'gain' | 'cover' | 'total_gain' | 'total_cover';

/** XGBoosterSlice returns -2 (not -1) when the requested range exceeds the trained rounds. */
const SLICE_OUT_OF_RANGE = -2;

/**
 * An XGBoost booster (native memory). Create it with `XGBoost.createBooster()`; free it with
 * `free()` / `using` / `withResource()`. Every method throws XGBoostFreedError after free() and
 * XGBoostCallError (with XGBoost's own message) when a native call fails.
 */
export class Booster implements Disposable {
  readonly #context: NativeContext;
  readonly #handle: NativeHandle;

  /** Takes ownership of a native BoosterHandle. */
  constructor(context: NativeContext, pointer: NativePointer) {
    this.#context = context;
    this.#handle = new NativeHandle('Booster', pointer, context.api.XGBoosterFree, context.registry);
  }

  /** True once free() has run. */
  get freed(): boolean {
    return this.#handle.freed;
  }

  /** Sets one XGBoost parameter (e.g. "max_depth", "6"). */
  setParam(name: string, value: string): void {
    const pointer = this.#handle.use('set a parameter');
    this.#context.check(this.#context.api.XGBoosterSetParam(pointer, name, value), 'XGBoosterSetParam');
  }

  /** Sets parameters in iteration order. */
  setParams(params: XGBoostParamList): void {
    for (const [name, value] of params) this.setParam(name, value);
  }

  /** Runs one boosting round `iteration` (0-based) on `train`, which must carry labels. */
  updateOneIter(iteration: number, train: DMatrix): void {
    const pointer = this.#handle.use('update');
    const data = train.nativePointer('train a booster');
    this.#context.check(this.#context.api.XGBoosterUpdateOneIter(pointer, iteration, data), 'XGBoosterUpdateOneIter');
  }

  /**
   * Evaluates the configured eval_metric(s) on labelled sets. Returns XGBoost's line, e.g.
   * "[3]\tvalid-aucpr:0.81" (see parseEvalLine()).
   */
  evalOneIter(iteration: number, sets: ReadonlyArray<readonly [DMatrix, string]>): string {
    const pointer = this.#handle.use('evaluate');
    const handles = sets.map(([matrix]) => matrix.nativePointer('evaluate a booster'));
    const names = sets.map(([, name]) => name);
    const out: OutSlot<string> = [null];
    this.#context.check(
      this.#context.api.XGBoosterEvalOneIter(pointer, iteration, handles, names, sets.length, out), 'XGBoosterEvalOneIter');
    return out[0] ?? '';
  }

  /**
   * Predicts every row of `data`: probabilities for binary:logistic, margins with `outputMargin`,
   * feature contributions with `contributions`.
   * Returns a JS-owned copy (XGBoost reuses its buffer on the next call), length rows × outputs.
   */
  predict(data: DMatrix, options: PredictOptions = {}): Float32Array {
    const pointer = this.#handle.use('predict');
    const matrix = data.nativePointer('predict with a booster');
    const config = JSON.stringify({
      type: options.contributions ? 2 : options.outputMargin ? 1 : 0,
      training: false,
      iteration_begin: options.iterationBegin ?? 0,
      iteration_end: options.iterationEnd ?? 0,
      strict_shape: false,
    });
    const shape: OutSlot<NativePointer> = [null];
    const dim: OutSlot<NativeSize> = [null];
    const result: OutSlot<NativePointer> = [null];
    this.#context.check(
      this.#context.api.XGBoosterPredictFromDMatrix(pointer, matrix, config, shape, dim, result),
      'XGBoosterPredictFromDMatrix');
    const dims = readSizes(shape[0], sizeToNumber(dim[0], 'prediction dimension'));
    const count = dims.reduce((product, d) => product * d, 1);
    return copyFloat32(result[0], count);
  }

  /**
   * A new, independent booster holding rounds [begin, end) (step `step`). The caller owns it.
   * Throws RangeError when the range exceeds the trained rounds.
   */
  slice(begin: number, end: number, step = 1): Booster {
    const pointer = this.#handle.use('slice');
    const out: OutSlot<NativePointer> = [null];
    const rc = this.#context.api.XGBoosterSlice(pointer, begin, end, step, out);
    if (rc === SLICE_OUT_OF_RANGE) {
      throw new RangeError(`cannot slice rounds [${begin}, ${end}) of a booster with ${this.boostedRounds()} rounds`);
    }
    this.#context.check(rc, 'XGBoosterSlice');
    if (out[0] === null) throw new XGBoostCallError('XGBoosterSlice', rc, 'returned a null handle');
    return new Booster(this.#context, out[0]);
  }

  /** The model as XGBoost's JSON document (learner, trees, version). */
  saveJson(): string {
    const pointer = this.#handle.use('save');
    const length: OutSlot<NativeSize> = [null];
    const buffer: OutSlot<NativePointer> = [null];
    this.#context.check(
      this.#context.api.XGBoosterSaveModelToBuffer(pointer, '{"format":"json"}', length, buffer), 'XGBoosterSaveModelToBuffer');
    const bytes = copyBytes(buffer[0], sizeToNumber(length[0], 'model length'));
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }

  /** Replaces this booster's model with saveJson() text. Throws XGBoostCallError on a bad document. */
  loadJson(json: string): void {
    const pointer = this.#handle.use('load a model');
    const bytes = Buffer.from(json, 'utf8');
    this.#context.check(
      this.#context.api.XGBoosterLoadModelFromBuffer(pointer, bytes, bytes.length), 'XGBoosterLoadModelFromBuffer');
  }

  /**
   * Importance per used feature ("f0", "f1", … unless feature names were set); features never
   * split on are absent. Throws RangeError for multi-output scores (not produced by binary models).
   */
  featureScore(importanceType: ImportanceType): ReadonlyMap<string, number> {
    const pointer = this.#handle.use('compute feature scores');
    const count: OutSlot<NativeSize> = [null];
    const names: OutSlot<NativePointer> = [null];
    const dim: OutSlot<NativeSize> = [null];
    const shape: OutSlot<NativePointer> = [null];
    const scores: OutSlot<NativePointer> = [null];
    const config = JSON.stringify({ importance_type: importanceType, feature_map: '' });
    this.#context.check(
      this.#context.api.XGBoosterFeatureScore(pointer, config, count, names, dim, shape, scores), 'XGBoosterFeatureScore');
    const features = readStrings(names[0], sizeToNumber(count[0], 'feature count'));
    const dims = readSizes(shape[0], sizeToNumber(dim[0], 'score dimension'));
    const total = dims.reduce((product, d) => product * d, 1);
    if (total !== features.length) {
      throw new RangeError(`featureScore supports one score per feature; XGBoost returned shape [${dims.join(', ')}]`);
    }
    const values = copyFloat32(scores[0], total);
    return new Map(features.map((name, i) => [name, values[i] ?? Number.NaN]));
  }

  /** Number of boosting rounds the model holds. */
  boostedRounds(): number {
    const pointer = this.#handle.use('count rounds');
    const out: OutSlot<number> = [null];
    this.#context.check(this.#context.api.XGBoosterBoostedRounds(pointer, out), 'XGBoosterBoostedRounds');
    return out[0] ?? 0;
  }

  /** Frees the native booster; idempotent. Throws XGBoostCallError if XGBoosterFree fails. */
  free(): void {
    this.#context.check(this.#handle.free(), 'XGBoosterFree');
  }

  [Symbol.dispose](): void {
    this.free();
  }
}
