/**
 * A compressed list of lists: the items of list `i` are `items[offsets[i] .. offsets[i + 1])`.
 * Used for "terminals in range of a customer" and "table rows of a customer/terminal".
 */
export interface Csr {
  readonly offsets: Int32Array;
  readonly items: Int32Array;
}

/** The items of list `i` as a view (no copy). */
export function listOf(csr: Csr, i: number): Int32Array {
  return csr.items.subarray(csr.offsets[i] as number, csr.offsets[i + 1] as number);
}

/**
 * Groups `0 .. keys.length - 1` by `keys[j]` (each in [0, listCount)), keeping ascending `j`
 * within each list: a stable counting sort, O(n + listCount).
 */
export function groupByKey(keys: Int32Array, listCount: number): Csr {
  const offsets = new Int32Array(listCount + 1);
  for (let j = 0; j < keys.length; j += 1) {
    const k = (keys[j] as number) + 1;
    offsets[k] = (offsets[k] as number) + 1;
  }
  for (let i = 0; i < listCount; i += 1) offsets[i + 1] = (offsets[i + 1] as number) + (offsets[i] as number);
  const cursor = offsets.slice(0, listCount);
  const items = new Int32Array(keys.length);
  for (let j = 0; j < keys.length; j += 1) {
    const k = keys[j] as number;
    const at = cursor[k] as number;
    items[at] = j;
    cursor[k] = at + 1;
  }
  return { offsets, items };
}
