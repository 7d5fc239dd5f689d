import type { ProfileDocument } from '../../../src/store/couchbase-profile-document';
import type { ProfileDocumentOps, WriteOutcome } from '../../../src/store/couchbase-profile-update';

/** Calls of each kind, and lost races, for tests that check which paths ran. */
export interface DocumentStats {
  reads: number;
  inserts: number;
  replaces: number;
  conflicts: number;
}

/**
 * A key-value store with CAS, holding documents as JSON text (as a server does: no shared objects),
 * behind the adapter's own port. `pause` runs before every operation, so concurrent steps
 * interleave (and race) the way they do against a real cluster.
 */
export class InMemoryProfileDocuments implements ProfileDocumentOps<number> {
  readonly stats: DocumentStats = { reads: 0, inserts: 0, replaces: 0, conflicts: 0 };
  private readonly docs = new Map<string, { text: string; cas: number }>();
  private nextCas = 1;

  constructor(private readonly pause: () => Promise<void> = () => Promise.resolve()) {}

  content(key: string): unknown {
    const d = this.docs.get(key);
    return d === undefined ? null : (JSON.parse(d.text) as unknown);
  }

  async read(key: string): Promise<{ content: unknown; cas: number } | null> {
    await this.pause();
    this.stats.reads++;
    const d = this.docs.get(key);
    return d === undefined ? null : { content: JSON.parse(d.text) as unknown, cas: d.cas };
  }

  async insert(key: string, document: ProfileDocument): Promise<WriteOutcome> {
    await this.pause();
    if (this.docs.has(key)) return this.conflict();
    this.stats.inserts++;
    this.docs.set(key, { text: JSON.stringify(document), cas: this.nextCas++ });
    return 'ok';
  }

  async replace(key: string, document: ProfileDocument, cas: number): Promise<WriteOutcome> {
    await this.pause();
    if (this.docs.get(key)?.cas !== cas) return this.conflict();
    this.stats.replaces++;
    this.docs.set(key, { text: JSON.stringify(document), cas: this.nextCas++ });
    return 'ok';
  }

  private conflict(): WriteOutcome {
    this.stats.conflicts++;
    return 'conflict';
  }
}
