/**
 * The non-cryptographic 32-bit hashes the service and the offline tools share: FNV-1a to fold code
 * units (or bytes) and murmur3's finaliser to spread them. For sampling draws, hash tables and
 * Bloom filters, never for anything an adversary may choose to collide.
 */

/** FNV-1a's 32-bit offset basis and prime, for loops that fold bytes while doing other work. */
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** murmur3's 32-bit finaliser: a bijection on uint32 with full avalanche. Returns a uint32. */
export function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * FNV-1a over the UTF-16 code units of `s`, then {@link fmix32}: a uint32 whose every bit depends on
 * every unit (plain FNV-1a leaves its top bits skewed for strings that differ only at the end).
 */
export function stringHash32(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return fmix32(h);
}
