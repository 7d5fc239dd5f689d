import Ajv, { type JSONSchemaType } from 'ajv';
import { SCOPES, type Client, type Scope } from './scopes';

/** One client of a clients file. */
export interface ClientEntry {
  readonly name: string;
  readonly scopes: Scope[];
  /** Hashes of its valid keys (`sha256:<hex>`, see hashApiKey): several during a rotation. */
  readonly keys: string[];
  /** Its own token bucket; absent = RATE_LIMIT_PER_SECOND / RATE_LIMIT_BURST. */
  readonly rateLimit?: { perSecond: number; burst: number };
}

/** The file AUTH_CLIENTS_FILE names: API-key clients, keys stored only as hashes. */
export interface ClientsFile {
  readonly clients: ClientEntry[];
}

const schema: JSONSchemaType<ClientsFile> = {
  type: 'object',
  additionalProperties: false,
  required: ['clients'],
  properties: {
    clients: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'scopes', 'keys'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$' },
          scopes: { type: 'array', items: { type: 'string', enum: [...SCOPES] }, uniqueItems: true },
          keys: { type: 'array', items: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' }, uniqueItems: true },
          rateLimit: {
            type: 'object',
            additionalProperties: false,
            required: ['perSecond', 'burst'],
            properties: { perSecond: { type: 'number', exclusiveMinimum: 0 }, burst: { type: 'number', minimum: 1 } },
            nullable: true,
          },
        },
      },
    },
  },
};

const validate = new Ajv({ allErrors: true }).compile(schema);

/** The clients of a file by key hash. */
export type ClientsByKeyHash = ReadonlyMap<string, Client>;

/**
 * Parses a clients file's text into its clients by key hash. Throws naming every problem: not
 * JSON, schema violations (unknown scope, malformed hash, ...), a name or a key hash given twice.
 */
export function parseClientsFile(text: string): ClientsByKeyHash {
  const doc: unknown = JSON.parse(text);
  if (!validate(doc)) throw new Error(`invalid clients file: ${(validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ')}`);
  const byHash = new Map<string, Client>();
  const names = new Set<string>();
  for (const entry of doc.clients) {
    if (names.has(entry.name)) throw new Error(`invalid clients file: client "${entry.name}" is listed twice`);
    names.add(entry.name);
    const client: Client = Object.freeze({ name: entry.name, scopes: new Set(entry.scopes), via: 'api_key', rateLimit: entry.rateLimit ?? null });
    for (const hash of entry.keys) {
      if (byHash.has(hash)) throw new Error(`invalid clients file: a key of "${entry.name}" is also a key of "${byHash.get(hash)?.name ?? ''}"`);
      byHash.set(hash, client);
    }
  }
  return byHash;
}
