import Ajv from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';

/**
 * Every setting of the service, as environment variables. The schema is the single source: names,
 * types, ranges and defaults; the README's configuration table follows it.
 */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8080, description: 'HTTP port' },
    HOST: { type: 'string', minLength: 1, default: '0.0.0.0', description: 'interface to listen on' },
    HTTP_HEADERS_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 600_000, default: 10_000, description: 'longest a client may take to send a request\'s headers; slower connections are closed' },
    HTTP_REQUEST_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 600_000, default: 30_000, description: 'longest a client may take to send a whole request (headers and body); at least HTTP_HEADERS_TIMEOUT_MS' },
    HTTP_KEEP_ALIVE_TIMEOUT_MS: { type: 'integer', minimum: 1_000, maximum: 600_000, default: 65_000, description: 'how long an idle keep-alive connection stays open (longer than the load balancer\'s idle timeout)' },
    HTTP_MAX_CONNECTIONS: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 4_096, description: 'open client connections at most; beyond it new ones are closed at once' },
    TLS_CERT_FILE: { type: 'string', minLength: 1, description: 'PEM certificate chain: with TLS_KEY_FILE the service serves HTTPS only; both are reloaded when they change (new connections get the new certificate)' },
    TLS_KEY_FILE: { type: 'string', minLength: 1, description: 'PEM private key of TLS_CERT_FILE' },
    TLS_CLIENT_CA_FILE: { type: 'string', minLength: 1, description: 'PEM CA bundle: clients must present a certificate chaining to it (mTLS), or the handshake is refused' },
    TLS_RELOAD_INTERVAL_MS: { type: 'integer', minimum: 100, maximum: 3_600_000, default: 10_000, description: 'how often the TLS files are checked for a change' },
    AUTH: {
      type: 'string',
      enum: ['on', 'off'],
      default: 'on',
      description:
        'on: every API route (all but /healthz, /readyz and, unless METRICS_AUTH=admin, /metrics) requires "Authorization: Bearer <API key or JWT>" and the route\'s scope; with neither AUTH_CLIENTS_FILE nor AUTH_JWKS_FILE set, a development key with every scope is generated into DATA_DIR/dev-api-key. off: no checks (logged as a warning at start)',
    },
    AUTH_CLIENTS_FILE: { type: 'string', minLength: 1, description: 'API-key clients (JSON: name, scopes, sha256 hashes of their keys, optional rateLimit); reloaded when it changes. `fraudctl clients add` writes it' },
    AUTH_JWKS_FILE: { type: 'string', minLength: 1, description: 'public keys (JWKS JSON) bearer JWTs are verified against; reloaded when it changes. Needs AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE' },
    AUTH_JWT_ISSUER: { type: 'string', minLength: 1, description: 'the `iss` a JWT must carry' },
    AUTH_JWT_AUDIENCE: { type: 'string', minLength: 1, description: 'the `aud` a JWT must carry' },
    AUTH_RELOAD_INTERVAL_MS: { type: 'integer', minimum: 100, maximum: 3_600_000, default: 5_000, description: 'how often the clients and JWKS files are checked for a change (key rotation without a restart)' },
    METRICS_AUTH: { type: 'string', enum: ['open', 'admin'], default: 'open', description: 'open: GET /metrics needs no credentials (restrict it with a NetworkPolicy); admin: it needs the admin scope' },
    RATE_LIMIT_PER_SECOND: { type: 'number', minimum: 0, maximum: 1_000_000, default: 0, description: 'token bucket per client and replica for clients without their own rateLimit: requests per second (0 = unlimited); past it 429 rate_limited with Retry-After' },
    RATE_LIMIT_BURST: { type: 'number', minimum: 1, maximum: 10_000_000, description: 'that bucket\'s capacity (default: RATE_LIMIT_PER_SECOND, one second of requests)' },
    DATA_DIR: { type: 'string', minLength: 1, default: 'data', description: 'where the embedded SQLite database and spill files live' },
    DATA_DIR_LOCK_WAIT_MS: { type: 'integer', minimum: 0, maximum: 600_000, default: 10_000, description: 'how long a starting service waits for another one to release DATA_DIR' },
    MODEL_REGISTRY_DIR: { type: 'string', minLength: 1, default: 'models', description: 'model registry directory (champion pointer + versions)' },
    MODEL_POLL_INTERVAL_MS: { type: 'integer', minimum: 100, maximum: 3_600_000, default: 5000, description: 'how often the champion pointer is checked' },
    MODEL_SIGNATURES: {
      type: 'string',
      enum: ['required', 'off'],
      default: 'required',
      description: 'required: the service serves, and `fraudctl models promote`/`rollback` accept, only models whose model.json is signed (Ed25519) by a key of MODEL_TRUSTED_KEYS; off: no checks (logged as a warning)',
    },
    MODEL_TRUSTED_KEYS: { type: 'string', minLength: 1, description: 'PEM public key file, or a directory of *.pem files, model signatures are checked against (default MODEL_REGISTRY_DIR/trusted-keys; in production a read-only mount outside the registry)' },
    MODEL_SIGNING_KEY_FILE: { type: 'string', minLength: 1, description: '`fraudctl train` and `retrain`: the PEM (PKCS#8) Ed25519 private key new models are signed with; unset, a development key is generated into DATA_DIR/model-signing.key and its public key added to MODEL_REGISTRY_DIR/trusted-keys' },
    MODEL_ACTOR: { type: 'string', minLength: 1, description: 'who `fraudctl` promotions, rollbacks and retrains are recorded as in the registry\'s audit trail (default user@host; `--actor` overrides)' },
    CHALLENGER_VERSION: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,80}$', description: 'registry version scored in shadow (logged, never returned)' },
    RULES_FILE: {
      type: 'string',
      minLength: 1,
      default: 'models/rules.json',
      description: 'guard-rail rule set (JSON: version, lists, rules; see docs/rules.md), reloaded when it changes; a change that is invalid is refused and the last good set keeps serving. `none`: no rules and no lists',
    },
    RULES_RELOAD_INTERVAL_MS: { type: 'integer', minimum: 100, maximum: 3_600_000, default: 2_000, description: 'how often RULES_FILE is checked for a change' },
    LIST_SYNC_INTERVAL_MS: { type: 'integer', minimum: 50, maximum: 60_000, default: 250, description: 'how often a replica reads list changes made through any replica from the shared store (a change is in force everywhere within about this long)' },
    SCORE_BUDGET_MS: { type: 'number', exclusiveMinimum: 0, maximum: 10_000, default: 50, description: 'per-request scoring budget' },
    STORE_TIMEOUT_MS: { type: 'number', exclusiveMinimum: 0, maximum: 10_000, default: 20, description: 'deadline of the profile fetch (within the budget)' },
    DEGRADED_POLICY: {
      type: 'string',
      enum: ['score', 'challenge', 'approve', 'decline'],
      default: 'score',
      description: 'decision when profiles are unavailable: score = model on partial features, or a fixed decision',
    },
    NO_MODEL_DECISION: { type: 'string', enum: ['approve', 'challenge', 'decline'], default: 'challenge', description: 'decision when no model can score' },
    PROFILE_STORE: { type: 'string', enum: ['memory', 'redis', 'couchbase'], default: 'memory', description: 'profile store adapter' },
    PROFILE_SNAPSHOT: { type: 'string', minLength: 1, description: 'profile snapshot file that seeds the memory store at start' },
    MAX_PROFILES: {
      type: 'integer',
      minimum: 1_000,
      maximum: 100_000_000,
      default: 1_000_000,
      description:
        'memory store: profiles held at most, users and merchants together (about 3.5 KB of RSS each, 1.5 KB of it V8 heap); beyond it the least recently used are evicted and their next transactions score as a new entity\'s (fraud_profiles_evicted_total{reason="capacity"}). Profiles idle past the 90-day horizon are evicted anyway, which changes no feature',
    },
    MAX_PROFILE_TOMBSTONES: {
      type: 'integer',
      minimum: 0,
      maximum: 1_000_000_000,
      default: 4_000_000,
      description: 'memory store: versions of evicted entities kept (about 130 bytes of RSS each) so that one coming back continues its version numbering; beyond it the oldest are forgotten (that entity restarts at version 0, and retraining reports a gap for it while the decision log holds its older rows)',
    },
    PROFILE_VERSION_RETENTION_DAYS: {
      type: 'integer',
      minimum: 1,
      maximum: 7_300,
      default: 400,
      description: 'Redis, Couchbase: how long an entity\'s version outlives its last change (its profile expires about 97 days after it); keep it at least as long as the decision log keeps rows, so an entity coming back continues its version numbering',
    },
    REDIS_URL: { type: 'string', minLength: 1, default: 'redis://127.0.0.1:6379', description: 'Redis profile store' },
    REDIS_KEY_PREFIX: { type: 'string', pattern: '^[^{}]*$', default: 'fraud:', description: 'prefix of every Redis key (no braces: they would change the keys\' hash slots)' },
    REDIS_CLUSTER: { type: 'string', enum: ['off', 'on'], default: 'off', description: 'REDIS_URL names seed nodes of a Redis Cluster (comma-separated)' },
    IDEMPOTENCY_WINDOW_S: {
      type: 'integer',
      minimum: 60,
      maximum: 7 * 86_400,
      default: 3_600,
      description: 'how long a profile change claimed by a transactionId or label is remembered at least (Redis, Couchbase): retries and reconciliation within it are merged once',
    },
    EVENT_MAX_SKEW_S: {
      type: 'integer',
      minimum: 0,
      maximum: 300,
      default: 300,
      description:
        'how far (by the service\'s clock) a transaction\'s timestamp or a label\'s reportedAt may lie in the future; later ones are refused (422 timestamp_out_of_range). At most 300: the smallest profile tier (5-minute buckets) keeps 13 buckets for its 12-bucket window, exactly one beyond it, so an event up to one bucket ahead never pushes a current bucket out of view',
    },
    EVENT_MAX_AGE_S: {
      type: 'integer',
      minimum: 60,
      maximum: 10_000_000_000,
      default: 604_800,
      description:
        'how old (by the service\'s clock) a transaction\'s timestamp or a label\'s reportedAt may be; older ones are refused (422 timestamp_out_of_range). 7 days covers authorisations forwarded late and a backlog after an outage; replays of historical or simulated data raise it (up to 10^10)',
    },
    COUCHBASE_CONNSTR: { type: 'string', minLength: 1, description: 'Couchbase connection string (couchbase://host)' },
    COUCHBASE_USERNAME: { type: 'string', default: 'Administrator' },
    COUCHBASE_PASSWORD: { type: 'string', default: '' },
    COUCHBASE_BUCKET: { type: 'string', minLength: 1, default: 'fraud' },
    DECISION_LOG: { type: 'string', enum: ['sqlite', 'postgres'], default: 'sqlite', description: 'decision log and label store backend' },
    DATABASE_URL: { type: 'string', minLength: 1, description: 'PostgreSQL connection string (DECISION_LOG=postgres)' },
    DATABASE_SCHEMA: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$', default: 'public', description: 'PostgreSQL schema of the decision log and label tables' },
    DECISION_LOG_BATCH_SIZE: { type: 'integer', minimum: 1, maximum: 100_000, default: 500, description: 'records per write batch' },
    DECISION_LOG_FLUSH_MS: {
      type: 'integer',
      minimum: 0,
      maximum: 60_000,
      description: 'longest a record waits before its batch is written; 0 = right after the write in flight (group commit). Default 0 (answers wait for the commit); 2 for SQLite with DECISION_DURABILITY=async',
    },
    DECISION_DURABILITY: {
      type: 'string',
      enum: ['sync', 'async'],
      default: 'sync',
      description: 'sync: a decision is answered once its record is committed, or persisted to the synced spill file when the log does not commit in time; async: answered at once and written right after (a crash loses the records of the last moments)',
    },
    STORAGE_REQUEST_TIMEOUT_MS: {
      type: 'integer',
      minimum: 10,
      maximum: 600_000,
      default: 2_000,
      description: 'longest POST /v1/feedback and GET /v1/decisions wait for the decision log and label store; past it (or when they fail) they answer 503 storage_unavailable with Retry-After',
    },
    DECISION_LOG_COMMIT_TIMEOUT_MS: {
      type: 'integer',
      minimum: 1,
      maximum: 60_000,
      default: 40,
      description: 'longest an answer waits for the decision log\'s commit before its record is persisted to the local spill file instead (never past SCORE_BUDGET_MS less 8 ms kept for that). A committed record is visible to every replica at once, a persisted one once the log is back',
    },
    DECISION_LOG_RETENTION_DAYS: {
      type: 'integer',
      minimum: 0,
      maximum: 36_500,
      default: 400,
      description:
        'decisions and labels older than this go when `fraudctl retrain` (after each run) or `fraudctl prune` runs, behind per-entity checkpoints (replays and rebuilds stay exact); never those a retry could still reach (EVENT_MAX_AGE_S + 1 day) or the retraining window needs. 0 = keep everything',
    },
    DECISION_LOG_BUFFER_MAX: {
      type: 'integer',
      minimum: 1,
      maximum: 10_000_000,
      default: 100_000,
      description: 'records held in memory before spilling to disk; as many of the most recently spilled stay readable by id (as encoded lines, about 1 KB each), older ones are on disk only until written',
    },
    LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    DECISION_EVENTS: { type: 'string', enum: ['on', 'off'], default: 'on', description: 'write one ECS decision event per scored transaction, and one label event per recorded label, to stdout' },
    DECISION_EVENT_USER_ID: {
      type: 'string',
      enum: ['pseudonym', 'raw', 'omit'],
      default: 'pseudonym',
      description: 'how decision events carry the user id: pseudonym = fraud.user_pseudonym, an HMAC-SHA256 of it under PSEUDONYM_KEY_FILE (stable, not reversible without the key); raw = fraud.user_id; omit = neither',
    },
    PSEUDONYM_KEY_FILE: {
      type: 'string',
      minLength: 1,
      description: 'the pseudonym key (a secret file, at least 32 bytes; give every replica the same one). Unset: one is generated into DATA_DIR/pseudonym.key, per replica (logged as a warning)',
    },
    DECISION_EVENT_SAMPLE_RATE: { type: 'number', minimum: 0, maximum: 1, default: 1, description: 'fraction of approve events written (challenge/decline always are)' },
    OTEL_EXPORTER_OTLP_ENDPOINT: { type: 'string', minLength: 1, description: 'OTLP/HTTP collector for traces; tracing is a no-op without it' },
    OTEL_SERVICE_NAME: { type: 'string', minLength: 1, default: 'fraud-scoring' },
    DRIFT_MONITORING: { type: 'string', enum: ['on', 'off'], default: 'on', description: 'on: every fully-informed scoring is binned against the champion\'s reference distributions, and fraud_feature_psi / fraud_score_psi are exported for 1h and 24h event-time windows (docs/drift.md)' },
    TRACE_SAMPLE_RATIO: { type: 'number', minimum: 0, maximum: 1, default: 1, description: 'share of traces exported where the service starts the trace; a caller\'s traceparent decides for its own trace (parent-based sampling)' },
    TRACE_STAGE_SPANS: { type: 'string', enum: ['on', 'off'], default: 'on', description: 'on: a sampled scoring span has a child span per stage (profile store, features, model, decision, decision log)' },
    SHUTDOWN_TIMEOUT_MS: { type: 'integer', minimum: 0, maximum: 600_000, default: 10_000, description: 'longest a graceful shutdown waits for in-flight work' },
  },
} as const;

export type Config = Readonly<FromSchema<typeof configSchema, { keepDefaultedPropertiesOptional: false }> & { DECISION_LOG_FLUSH_MS: number }>;

/** Every invalid environment variable, named in one message. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false });
const validate = ajv.compile(configSchema);
const KNOWN = new Set(Object.keys(configSchema.properties));

/**
 * Reads the configuration from an environment (only the variables the schema names; empty strings
 * count as unset), applies defaults, checks it with one compiled schema and freezes it. Throws a
 * {@link ConfigError} naming every bad variable.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const raw: Record<string, unknown> = {};
  for (const key of KNOWN) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).map((e) => {
      const name = e.instancePath.replace(/^\//, '') || String((e.params as { missingProperty?: string }).missingProperty ?? '');
      const value = env[name];
      // ajv says "must be equal to one of the allowed values" without them: name them.
      const allowed = e.keyword === 'enum' ? (e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ') : null;
      const message = allowed === null ? (e.message ?? 'is invalid') : `must be one of ${allowed}`;
      return `${name} ${message}${value === undefined ? '' : ` (got "${value}")`}`;
    });
    throw new ConfigError(problems);
  }
  const config = raw as Config;
  const problems: string[] = [];
  if (config.HTTP_HEADERS_TIMEOUT_MS > config.HTTP_REQUEST_TIMEOUT_MS) problems.push(`HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS (${config.HTTP_REQUEST_TIMEOUT_MS})`);
  if (config.STORE_TIMEOUT_MS >= config.SCORE_BUDGET_MS) problems.push(`STORE_TIMEOUT_MS must be below SCORE_BUDGET_MS (${config.SCORE_BUDGET_MS})`);
  if (config.PROFILE_STORE === 'couchbase' && config.COUCHBASE_CONNSTR === undefined) problems.push('COUCHBASE_CONNSTR is required when PROFILE_STORE=couchbase');
  if (config.DECISION_LOG === 'postgres' && config.DATABASE_URL === undefined) problems.push('DATABASE_URL is required when DECISION_LOG=postgres');
  if ((config.TLS_CERT_FILE === undefined) !== (config.TLS_KEY_FILE === undefined)) problems.push('TLS_CERT_FILE and TLS_KEY_FILE go together');
  if (config.TLS_CLIENT_CA_FILE !== undefined && config.TLS_CERT_FILE === undefined) problems.push('TLS_CLIENT_CA_FILE needs TLS_CERT_FILE and TLS_KEY_FILE');
  if (config.AUTH_JWKS_FILE !== undefined && (config.AUTH_JWT_ISSUER === undefined || config.AUTH_JWT_AUDIENCE === undefined)) problems.push('AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE are required when AUTH_JWKS_FILE is set');
  if (problems.length > 0) throw new ConfigError(problems);
  // A shared log's answers wait for their commit: batches go as soon as the previous one committed.
  const withDefaults = { ...config, DECISION_LOG_FLUSH_MS: config.DECISION_LOG_FLUSH_MS ?? (config.DECISION_LOG === 'sqlite' && config.DECISION_DURABILITY === 'async' ? 2 : 0) };
  return Object.freeze(withDefaults);
}
