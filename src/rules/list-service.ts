import type { GuardRails } from './guard-rails';
import type { ListEntry, ListStore } from './list-store';
import type { ListDefinition } from './rule-set-schema';
import { listValueError } from './rule-set';

/** What a list request came to. */
export type ListOutcome =
  | { readonly kind: 'unknown_list'; readonly declared: readonly string[] }
  | { readonly kind: 'invalid_value'; readonly message: string }
  | { readonly kind: 'not_listed' }
  | { readonly kind: 'ok'; readonly entry: ListEntry; readonly changed: boolean };

/** A list as `GET /v1/lists` shows it. */
export interface ListSummary extends ListDefinition {
  /** Entries this replica holds. */
  readonly entries: number;
}

/**
 * The lists API behind `PUT`, `DELETE` and `GET /v1/lists/...`: a list exists when the rule set in
 * force declares it; a value must be one a transaction's field could hold. A change is committed
 * to the shared store (every replica's snapshot picks it up on its next poll) and applied to this
 * replica's snapshot at once.
 */
export class ListService {
  constructor(
    private readonly rails: GuardRails,
    private readonly store: ListStore,
    private readonly wallClock: () => Date,
  ) {}

  /** Adds (`present`) or removes `value` in `list` for `client`. Rejects when the store fails. */
  async change(list: string, value: string, present: boolean, client: string, reason: string | null): Promise<ListOutcome> {
    const checked = this.check(list, value);
    if (checked !== null) return checked;
    const before = await this.store.get(list, value);
    if (!present && (before === null || !before.present)) return { kind: 'not_listed' };
    if (present && before?.present === true) return { kind: 'ok', entry: before, changed: false };
    const entry = await this.store.change({ list, value, present, changedAt: this.wallClock().toISOString(), changedBy: client, reason });
    this.rails.snapshot?.apply(entry);
    return { kind: 'ok', entry, changed: true };
  }

  /** The entry of `value` in `list` (present, or removed), or why there is none. */
  async get(list: string, value: string): Promise<ListOutcome> {
    const checked = this.check(list, value);
    if (checked !== null) return checked;
    const entry = await this.store.get(list, value);
    return entry === null ? { kind: 'not_listed' } : { kind: 'ok', entry, changed: false };
  }

  /** The lists the rule set in force declares, with this replica's entry counts. */
  summaries(): ListSummary[] {
    const set = this.rails.ruleSet();
    if (set === null) return [];
    return set.lists.map((l) => ({ ...l, entries: this.rails.snapshot?.entries(l.name).size ?? 0 }));
  }

  private check(list: string, value: string): ListOutcome | null {
    const declared = this.rails.ruleSet()?.lists ?? [];
    const def = declared.find((l) => l.name === list);
    if (def === undefined) return { kind: 'unknown_list', declared: declared.map((l) => l.name) };
    const problem = listValueError(def.key, value);
    return problem === null ? null : { kind: 'invalid_value', message: problem };
  }
}
