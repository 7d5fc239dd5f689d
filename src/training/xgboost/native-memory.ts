import koffi from 'koffi';
import type { NativePointer, NativeSize } from './native-api';

/*
 * Copies out of buffers that XGBoost owns. XGBoost reuses those buffers on the next call on the same
 * booster, so everything here returns a JS-owned copy, never a view.
 */

/** A bst_ulong as a JS number; throws RangeError above Number.MAX_SAFE_INTEGER. */
export function sizeToNumber(size: NativeSize | null, what: string): number {
  if (size === null) throw new RangeError(`XGBoost returned no ${what}`);
  const value = typeof size === 'bigint' ? Number(size) : size;
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`XGBoost returned an invalid ${what}: ${String(size)}`);
  return value;
}

/** Copies `count` float32 values starting at `pointer` (an empty array when count is 0). */
export function copyFloat32(pointer: NativePointer | null, count: number): Float32Array {
  if (count === 0) return new Float32Array(0);
  if (pointer === null) throw new RangeError('XGBoost returned a null float buffer');
  const view = koffi.view(pointer, count * Float32Array.BYTES_PER_ELEMENT);
  return new Float32Array(view.slice(0));
}

/** Copies `length` bytes starting at `pointer`. */
export function copyBytes(pointer: NativePointer | null, length: number): Uint8Array {
  if (length === 0) return new Uint8Array(0);
  if (pointer === null) throw new RangeError('XGBoost returned a null byte buffer');
  return new Uint8Array(koffi.view(pointer, length).slice(0));
}

/** Reads `count` bst_ulong (uint64) values as numbers. */
export function readSizes(pointer: NativePointer | null, count: number): number[] {
  if (count === 0) return [];
  if (pointer === null) throw new RangeError('XGBoost returned a null shape buffer');
  const values = koffi.decode(pointer, 'uint64_t', count) as ArrayLike<NativeSize>;
  return Array.from(values, (v) => sizeToNumber(v, 'shape entry'));
}

/** Reads an array of `count` C strings (`char const **`). */
export function readStrings(pointer: NativePointer | null, count: number): string[] {
  if (count === 0) return [];
  if (pointer === null) throw new RangeError('XGBoost returned a null string array');
  return Array.from(koffi.decode(pointer, 'const char *', count) as ArrayLike<string>);
}
