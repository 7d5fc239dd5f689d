import type { LibraryHandle } from 'koffi';

declare const nativePointerBrand: unique symbol;

/** An opaque native pointer as koffi hands it out (a DMatrixHandle, BoosterHandle or buffer). */
export type NativePointer = { readonly [nativePointerBrand]: true };

/** A one-element array koffi fills for an `_Out_` parameter. */
export type OutSlot<T> = [T | null];

/** bst_ulong outputs arrive as number, or bigint when they exceed 2^53. */
export type NativeSize = number | bigint;

/**
 * The subset of the XGBoost (>= 1.7) C API this binding uses, typed for TypeScript. Every function
 * except XGBGetLastError / XGBoostVersion returns 0 on success and non-zero on failure.
 */
export interface NativeApi {
  readonly XGBGetLastError: () => string;
  readonly XGBoostVersion: (major: OutSlot<number>, minor: OutSlot<number>, patch: OutSlot<number>) => void;
  readonly XGDMatrixCreateFromMat: (
    data: Float32Array, rows: number, cols: number, missing: number, out: OutSlot<NativePointer>,
  ) => number;
  readonly XGDMatrixSetFloatInfo: (handle: NativePointer, field: string, values: Float32Array, length: number) => number;
  readonly XGDMatrixFree: (handle: NativePointer) => number;
  readonly XGBoosterCreate: (cache: NativePointer[], length: number, out: OutSlot<NativePointer>) => number;
  readonly XGBoosterFree: (handle: NativePointer) => number;
  readonly XGBoosterSetParam: (handle: NativePointer, name: string, value: string) => number;
  readonly XGBoosterUpdateOneIter: (handle: NativePointer, iteration: number, train: NativePointer) => number;
  readonly XGBoosterEvalOneIter: (
    handle: NativePointer, iteration: number, sets: NativePointer[], names: string[], length: number,
    out: OutSlot<string>,
  ) => number;
  readonly XGBoosterPredictFromDMatrix: (
    handle: NativePointer, data: NativePointer, config: string,
    outShape: OutSlot<NativePointer>, outDim: OutSlot<NativeSize>, outResult: OutSlot<NativePointer>,
  ) => number;
  readonly XGBoosterSlice: (
    handle: NativePointer, begin: number, end: number, step: number, out: OutSlot<NativePointer>,
  ) => number;
  readonly XGBoosterSaveModelToBuffer: (
    handle: NativePointer, config: string, outLength: OutSlot<NativeSize>, outBuffer: OutSlot<NativePointer>,
  ) => number;
  readonly XGBoosterLoadModelFromBuffer: (handle: NativePointer, buffer: Uint8Array, length: number) => number;
  readonly XGBoosterFeatureScore: (
    handle: NativePointer, config: string, outCount: OutSlot<NativeSize>, outNames: OutSlot<NativePointer>,
    outDim: OutSlot<NativeSize>, outShape: OutSlot<NativePointer>, outScores: OutSlot<NativePointer>,
  ) => number;
  readonly XGBoosterBoostedRounds: (handle: NativePointer, out: OutSlot<number>) => number;
}

/**
 * Declares every function of {@link NativeApi} on a loaded library. Handles are plain `void *`, so no
 * named koffi types are registered (binding twice in one process is fine).
 * Throws koffi's Error when a symbol is missing (e.g. a library older than 1.7).
 */
export function bindNativeApi(lib: LibraryHandle): NativeApi {
  return {
    XGBGetLastError: lib.func('const char *XGBGetLastError()'),
    XGBoostVersion: lib.func('void XGBoostVersion(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)'),
    XGDMatrixCreateFromMat: lib.func(
      'int XGDMatrixCreateFromMat(const float *data, uint64_t nrow, uint64_t ncol, float missing, _Out_ void **out)'),
    XGDMatrixSetFloatInfo: lib.func(
      'int XGDMatrixSetFloatInfo(void *handle, const char *field, const float *values, uint64_t len)'),
    XGDMatrixFree: lib.func('int XGDMatrixFree(void *handle)'),
    XGBoosterCreate: lib.func('int XGBoosterCreate(void **dmats, uint64_t len, _Out_ void **out)'),
    XGBoosterFree: lib.func('int XGBoosterFree(void *handle)'),
    XGBoosterSetParam: lib.func('int XGBoosterSetParam(void *handle, const char *name, const char *value)'),
    XGBoosterUpdateOneIter: lib.func('int XGBoosterUpdateOneIter(void *handle, int iter, void *dtrain)'),
    XGBoosterEvalOneIter: lib.func(
      'int XGBoosterEvalOneIter(void *handle, int iter, void **dmats, const char **names, uint64_t len, _Out_ const char **out)'),
    XGBoosterPredictFromDMatrix: lib.func(
      'int XGBoosterPredictFromDMatrix(void *handle, void *dmat, const char *config, _Out_ void **shape, _Out_ uint64_t *dim, _Out_ void **result)'),
    XGBoosterSlice: lib.func('int XGBoosterSlice(void *handle, int begin, int end, int step, _Out_ void **out)'),
    XGBoosterSaveModelToBuffer: lib.func(
      'int XGBoosterSaveModelToBuffer(void *handle, const char *config, _Out_ uint64_t *len, _Out_ void **out)'),
    XGBoosterLoadModelFromBuffer: lib.func(
      'int XGBoosterLoadModelFromBuffer(void *handle, const uint8_t *buf, uint64_t len)'),
    XGBoosterFeatureScore: lib.func(
      'int XGBoosterFeatureScore(void *handle, const char *config, _Out_ uint64_t *n, _Out_ void **names, _Out_ uint64_t *dim, _Out_ void **shape, _Out_ void **scores)'),
    XGBoosterBoostedRounds: lib.func('int XGBoosterBoostedRounds(void *handle, _Out_ int *out)'),
  };
}
