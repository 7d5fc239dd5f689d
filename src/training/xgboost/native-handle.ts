import { XGBoostFreedError } from './errors';
import type { NativePointer } from './native-api';

/** What the safety-net finalizer needs to release a handle nobody freed explicitly. */
export interface HeldNative {
  readonly pointer: NativePointer;
  readonly release: (pointer: NativePointer) => number;
}

/** One finalization registry per loaded library; a safety net only, never the primary mechanism. */
export type HandleRegistry = FinalizationRegistry<HeldNative>;

/** Creates the safety-net registry: it releases handles whose owner was collected without free(). */
export function createHandleRegistry(): HandleRegistry {
  // The return code is ignored: a finalizer has nobody to report to.
  return new FinalizationRegistry<HeldNative>((held) => void held.release(held.pointer));
}

/**
 * Ownership of one native XGBoost handle. `use()` hands the pointer out while it is live and throws
 * {@link XGBoostFreedError} after `free()`, so a use-after-free is a JS error, never a native crash.
 * `free()` is idempotent.
 */
export class NativeHandle {
  readonly kind: 'DMatrix' | 'Booster';
  #pointer: NativePointer | null;
  readonly #release: (pointer: NativePointer) => number;
  readonly #registry: HandleRegistry;

  constructor(
    kind: 'DMatrix' | 'Booster',
    pointer: NativePointer,
    release: (pointer: NativePointer) => number,
    registry: HandleRegistry,
  ) {
    this.kind = kind;
    this.#pointer = pointer;
    this.#release = release;
    this.#registry = registry;
    registry.register(this, { pointer, release }, this);
  }

  /** True once free() has run. */
  get freed(): boolean {
    return this.#pointer === null;
  }

  /** The live pointer; throws XGBoostFreedError naming `operation` when already freed. */
  use(operation: string): NativePointer {
    if (this.#pointer === null) throw new XGBoostFreedError(this.kind, operation);
    return this.#pointer;
  }

  /**
   * Releases the native handle once; later calls do nothing. Returns the native return code of the
   * release (0 when it had already been freed), so the owner can report a failing release.
   */
  free(): number {
    const pointer = this.#pointer;
    if (pointer === null) return 0;
    this.#pointer = null;
    this.#registry.unregister(this);
    return this.#release(pointer);
  }
}
