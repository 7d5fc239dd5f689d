import calculateSlot from 'cluster-key-slot';

/** Hash slots of Redis (standalone servers have them too, as far as key names go). */
export const REDIS_SLOTS = 16_384;

/**
 * For every hash slot, a short string that hashes to it, found once per process: the hash tag of
 * the slot's sentinel key. Deterministic (the first base-36 counter value hitting each slot).
 */
function slotTags(): readonly string[] {
  const tags = new Array<string | undefined>(REDIS_SLOTS);
  let missing = REDIS_SLOTS;
  for (let n = 0; missing > 0; n++) {
    const tag = n.toString(36);
    const slot = calculateSlot(tag);
    if (tags[slot] === undefined) {
      tags[slot] = tag;
      missing--;
    }
  }
  return tags as string[];
}

/**
 * The sentinels of one key prefix: one key per hash slot, in that slot, created when the store is
 * initialised (or rebuilt) and never expiring. Every step script checks its entity's slot sentinel
 * in the same atomic call, so a server (or Cluster node) that restarted without its data, which
 * lost the sentinels of its slots with everything else, is noticed at its first step: nothing is
 * built on profiles that silently became empty.
 */
export class SlotSentinels {
  private readonly tags: readonly string[];

  /** Finds the slots' tags (about 10 ms: build one per store). */
  constructor(private readonly keyPrefix: string) {
    this.tags = slotTags();
  }

  /** The slot of an entity key (its hash tag decides). */
  slotOf(key: string): number {
    return calculateSlot(key);
  }

  /** The sentinel key living in the same slot as `key`. */
  keyFor(key: string): string {
    return this.keyOfSlot(calculateSlot(key));
  }

  keyOfSlot(slot: number): string {
    return `${this.keyPrefix}slot:{${this.tags[slot] as string}}`;
  }

  /** Every sentinel key, by slot. */
  allKeys(): string[] {
    return Array.from({ length: REDIS_SLOTS }, (_, slot) => this.keyOfSlot(slot));
  }
}
