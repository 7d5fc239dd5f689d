import koffi from 'koffi';
import { Booster, type XGBoostParamList } from './booster';
import { DMatrix, type DMatrixInit } from './dmatrix';
import { XGBoostUnavailableError } from './errors';
import { bindNativeApi, type NativeApi, type NativePointer, type OutSlot } from './native-api';
import { createNativeContext, type NativeContext } from './native-context';
import { createHandleRegistry } from './native-handle';

/** The soname Debian's libxgboost0 installs; found through the normal dynamic-loader search. */
export const DEFAULT_XGBOOST_LIBRARY = 'libxgboost.so.0';

/** Oldest release whose C API and JSON model format this binding relies on. */
export const MIN_XGBOOST_VERSION: XGBoostVersion = { major: 1, minor: 7, patch: 0 };

/** Where to find the library. Nothing is read from process.env: pass the environment in. */
export interface LoadXGBoostOptions {
  /** Explicit path (or soname); wins over the environment. */
  readonly libraryPath?: string;
  /** Environment to read XGBOOST_LIBRARY_PATH from. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface XGBoostVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** Options of {@link XGBoost.createBooster}. */
export interface CreateBoosterOptions {
  /** Matrices XGBoost may cache predictions for (typically train and valid). */
  readonly cache?: readonly DMatrix[];
  readonly params?: XGBoostParamList;
}

/** A loaded XGBoost library. The library stays loaded for the life of the process. */
export interface XGBoost {
  /** The path or soname the library was loaded from. */
  readonly libraryPath: string;
  version(): XGBoostVersion;
  /** A new DMatrix (caller frees it). Throws RangeError / XGBoostCallError (see DMatrix). */
  createDMatrix(init: DMatrixInit): DMatrix;
  /** A new booster (caller frees it). Throws XGBoostCallError when a parameter is refused. */
  createBooster(options?: CreateBoosterOptions): Booster;
  /** A booster restored from saveJson() text (caller frees it). Throws XGBoostCallError on bad input. */
  loadBoosterJson(json: string): Booster;
}

/**
 * Loads the XGBoost shared library: `options.libraryPath`, else `env.XGBOOST_LIBRARY_PATH`, else
 * {@link DEFAULT_XGBOOST_LIBRARY}. Synchronous (dlopen is), and nothing happens at import time.
 * Throws XGBoostUnavailableError (one-line message naming what to install) when the library cannot
 * be loaded, lacks a needed symbol, or is older than {@link MIN_XGBOOST_VERSION}.
 */
export function loadXGBoost(options: LoadXGBoostOptions = {}): XGBoost {
  const libraryPath = options.libraryPath ?? nonEmpty(options.env?.XGBOOST_LIBRARY_PATH) ?? DEFAULT_XGBOOST_LIBRARY;
  let api: NativeApi;
  try {
    api = bindNativeApi(koffi.load(libraryPath));
  } catch (error) {
    throw new XGBoostUnavailableError(libraryPath, error instanceof Error ? error.message : String(error), { cause: error });
  }
  const version = readVersion(api);
  if (compareVersions(version, MIN_XGBOOST_VERSION) < 0) {
    throw new XGBoostUnavailableError(libraryPath, `version ${formatVersion(version)} is older than ${formatVersion(MIN_XGBOOST_VERSION)}`);
  }
  return createXGBoost(libraryPath, createNativeContext(api, createHandleRegistry()), version);
}

function createXGBoost(libraryPath: string, context: NativeContext, version: XGBoostVersion): XGBoost {
  const createBooster = (options: CreateBoosterOptions = {}): Booster => {
    const cache = (options.cache ?? []).map((matrix) => matrix.nativePointer('create a booster'));
    const out: OutSlot<NativePointer> = [null];
    context.check(context.api.XGBoosterCreate(cache, cache.length, out), 'XGBoosterCreate');
    if (out[0] === null) throw new RangeError('XGBoosterCreate returned a null handle');
    const booster = new Booster(context, out[0]);
    try {
      if (options.params) booster.setParams(options.params);
    } catch (error) {
      booster.free();
      throw error;
    }
    return booster;
  };
  return {
    libraryPath,
    version: () => version,
    createDMatrix: (init) => new DMatrix(context, init),
    createBooster,
    loadBoosterJson(json) {
      const booster = createBooster();
      try {
        booster.loadJson(json);
      } catch (error) {
        booster.free();
        throw error;
      }
      return booster;
    },
  };
}

function readVersion(api: NativeApi): XGBoostVersion {
  const major: OutSlot<number> = [null];
  const minor: OutSlot<number> = [null];
  const patch: OutSlot<number> = [null];
  api.XGBoostVersion(major, minor, patch);
  return { major: major[0] ?? 0, minor: minor[0] ?? 0, patch: patch[0] ?? 0 };
}

function compareVersions(a: XGBoostVersion, b: XGBoostVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

function formatVersion(v: XGBoostVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
