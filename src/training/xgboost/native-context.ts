import { XGBoostCallError } from './errors';
import type { NativeApi } from './native-api';
import type { HandleRegistry } from './native-handle';

/** What DMatrix and Booster share: the typed C API, the safety-net registry and the rc check. */
export interface NativeContext {
  readonly api: NativeApi;
  readonly registry: HandleRegistry;
  /** Throws {@link XGBoostCallError} with XGBGetLastError()'s text when `returnCode` is not 0. */
  check(returnCode: number, functionName: string): void;
}

/** Builds the context for one loaded library. */
export function createNativeContext(api: NativeApi, registry: HandleRegistry): NativeContext {
  return {
    api,
    registry,
    check(returnCode, functionName) {
      if (returnCode !== 0) throw new XGBoostCallError(functionName, returnCode, api.XGBGetLastError());
    },
  };
}
