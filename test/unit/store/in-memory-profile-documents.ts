import type { ProfileDocument } from '../../../src/store/couchbase-profile-document';
import type { ProfileDocumentOps, WriteOutcome } from '../../../src/store/couchbase-profile-update';
import type { PathIncrement } from '../../../src/store/couchbase-write-plan';

/** Components of a sub-document path: backticked (a doubled backtick is a literal one) or bare. */
export function parseSubdocPath(path: string): string[] {
  const out: string[] = [];
  const re = /`((?:[^`]|``)*)`|([^.`]+)/y;
  for (let at = 0; at < path.length; ) {
    re.lastIndex = at;
    const m = re.exec(path);
    if (m === null) throw new Error(`bad sub-document path ${path} at ${at}`);
    out.push(m[1] !== undefined ? m[1].replace(/``/g, '`') : (m[2] as string));
    at = re.lastIndex;
    if (at < path.length) {
      if (path[at] !== '.') throw new Error(`bad sub-document path ${path} at ${at}`);
      at++;
    }
  }
  return out;
}

/**
 * A sub-document counter increment with `createPath`, as the server applies it to a JSON body:
 * missing objects on the way are created, a missing counter starts at 0, anything that is not an
 * object on the way (or not an integer at the end) is an error (the server's PathMismatch).
 */
export function applyIncrement(doc: Record<string, unknown>, inc: PathIncrement): void {
  if (inc.by === 0 || !Number.isSafeInteger(inc.by)) throw new Error(`invalid delta ${inc.by}`);
  const parts = parseSubdocPath(inc.path);
  let node = doc;
  for (const part of parts.slice(0, -1)) {
    const next = node[part] ?? (node[part] = {});
    if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new Error(`path mismatch at ${part} of ${inc.path}`);
    node = next as Record<string, unknown>;
  }
  const last = parts[parts.length - 1] as string;
  const current = node[last] ?? 0;
  if (typeof current !== 'number') throw new Error(`path mismatch at ${inc.path}`);
  node[last] = current + inc.by;
}

/** Calls of each kind, and lost races, for tests that check which paths ran. */
export interface DocumentStats {
  reads: number;
  inserts: number;
  replaces: number;
  increments: number;
  conflicts: number;
}

/**
 * A key-value store with CAS, holding documents as JSON text (as a server does: no shared objects),
 * behind the adapter's own port. `pause` runs before every operation, so concurrent updates
 * interleave (and race) the way they do against a real cluster.
 */
export class InMemoryProfileDocuments implements ProfileDocumentOps<number> {
  readonly stats: DocumentStats = { reads: 0, inserts: 0, replaces: 0, increments: 0, conflicts: 0 };
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

  async increment(key: string, increments: readonly PathIncrement[]): Promise<WriteOutcome> {
    await this.pause();
    const d = this.docs.get(key);
    if (d === undefined) return this.conflict();
    if (increments.length > 16) throw new Error(`${increments.length} sub-document operations, the server allows 16`);
    const doc = JSON.parse(d.text) as Record<string, unknown>;
    for (const inc of increments) applyIncrement(doc, inc);
    this.stats.increments++;
    this.docs.set(key, { text: JSON.stringify(doc), cas: this.nextCas++ });
    return 'ok';
  }

  private conflict(): WriteOutcome {
    this.stats.conflicts++;
    return 'conflict';
  }
}
