import { settleWithin } from './time/settle-within';
import { createThrottledErrorLog, type ThrottledErrorLog } from './telemetry/error-log';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { createAuth } from './auth/create-auth';
import type { Config } from './config/config';
import { createDecisionEvents, DECISION_EVENTS_OFF, type DecisionEvents } from './telemetry/decision-events';
import { createEventStores, type EventStores } from './records/create-event-stores';
import { BUILT_DECISION_WRITER } from './records/sqlite/sqlite-decision-log';
import { createLabelEvents, LABEL_EVENTS_OFF } from './telemetry/label-events';
import { userIdPolicy } from './telemetry/pseudonym-key';
import { BUILT_DECISION_EVENT_WRITER, createThreadedDecisionEvents } from './telemetry/threaded-decision-events';
import type { UserIdPolicy } from './telemetry/user-id-field';
import { createApp, expressServerOptions } from './http/app';
import { answerClientErrors } from './http/client-errors';
import { tlsServerOptions, watchTlsFiles, type TlsFiles } from './http/tls';
import { featureSpecHash } from './model/feature-spec-hash';
import { ModelManager } from './model/model-manager';
import { openRegistry } from './model/registry/open-registry';
import { FeedbackService } from './scoring/feedback-service';
import { Reconciler } from './scoring/reconciler';
import { createGuardRails } from './rules/create-guard-rails';
import { ListService } from './rules/list-service';
import { ScoringService } from './scoring/scoring-service';
import { createProfileStore } from './store/create-profile-store';
import { checkProfileStore, type StoreCheck } from './store/check-profile-store';
import type { ProfileStore } from './store/profile-store';
import { createLogger } from './telemetry/logger';
import { createServiceMetrics, initializeSeries, type ServiceMetrics } from './telemetry/metrics';
import { createTracing, type Tracing } from './telemetry/tracing';
import { DriftMonitor } from './telemetry/drift-monitor';
import { replicaName } from './telemetry/replica-name';
import { createEventTimeCheck } from './validation/event-time-check';
import { createValidators } from './validation/validators';

/** A running service. */
export interface RunningService {
  readonly server: Server;
  /** Base URL, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly metrics: ServiceMetrics;
  readonly store: ProfileStore;
  readonly events: EventStores;
  readonly models: ModelManager;
  readonly scoring: ScoringService;
  readonly reconciler: Reconciler;
  readonly logger: Logger;
  /**
   * Graceful shutdown: stop accepting, let in-flight requests finish (up to the timeout), flush the
   * decision log, close stores and models. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * The scripts the service runs as worker threads, chosen by the caller and never probed for.
 * Production runs the built ones beside the modules ({@link BUILT_THREADS}); sources run by
 * ts-jest have none beside them, so tests pass the built ones in dist/ or null.
 */
export interface ServiceThreads {
  /** The SQLite decision log's writer (`records/sqlite/sqlite-decision-writer.js`); null: batches are inserted on this thread. */
  readonly decisionLogWriter: string | null;
  /**
   * The ECS decision events' writer (`telemetry/decision-event-writer.js`), which formats them and
   * writes them to stdout; null: they are formatted on this thread and written to the logger.
   */
  readonly decisionEventWriter: string | null;
}

/** The built scripts beside this module (`dist/src/records/sqlite/` and `dist/src/telemetry/`): what `fraudctl serve` runs. */
export const BUILT_THREADS: ServiceThreads = { decisionLogWriter: BUILT_DECISION_WRITER, decisionEventWriter: BUILT_DECISION_EVENT_WRITER };

export interface StartOptions {
  readonly logger?: Logger;
  /** A profile store to use instead of the configured one (tests: a stalling or failing store). */
  readonly store?: ProfileStore;
  /** Tracing to use instead of the configured one (tests: an in-memory exporter). */
  readonly tracing?: Tracing;
  /** The wall clock event times are checked against, epoch ms (default `Date.now`; tests: a fixed one). */
  readonly clock?: () => number;
  /** The worker threads' scripts (default {@link BUILT_THREADS}). */
  readonly threads?: ServiceThreads;
}

/**
 * The composition root: builds every part from the config, wires them and listens. Resolves when
 * the service accepts requests.
 */
export async function startService(config: Config, options: StartOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const threads = options.threads ?? BUILT_THREADS;
  const metrics = createServiceMetrics();
  initializeSeries(metrics);
  const tracing: Tracing = options.tracing ?? createTracing({
      endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
      serviceName: config.OTEL_SERVICE_NAME,
      sampleRatio: config.TRACE_SAMPLE_RATIO,
      stageSpans: config.TRACE_STAGE_SPANS === 'on',
    });
  // Errors are logged once per kind and interval, their repeats counted: an outage never floods the log.
  const errorLog = createThrottledErrorLog(logger, { intervalMs: ERROR_LOG_INTERVAL_MS });
  const onError = errorLog.report;
  const store = options.store ?? (await createProfileStore(config, { registry: metrics.registry }));
  // A start that fails half-way gives back what it holds (the DATA_DIR lock above all).
  const releaseStore = () => (options.store === undefined ? store.close().catch(() => undefined) : Promise.resolve());
  let events: EventStores;
  try {
    events = await createEventStores(config, metrics, { decisionLogWriter: threads.decisionLogWriter });
  } catch (err) {
    await releaseStore();
    throw err;
  }
  try {
    return await wire(config, { logger, metrics, tracing, onError, errorLog, store, events, clock: options.clock ?? Date.now, decisionEventWriter: threads.decisionEventWriter });
  } catch (err) {
    await events.close().catch(() => undefined);
    await releaseStore();
    throw err;
  }
}

interface Parts {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly tracing: Tracing;
  readonly onError: (what: string, err: unknown) => void;
  readonly errorLog: ThrottledErrorLog;
  readonly store: ProfileStore;
  readonly events: EventStores;
  readonly clock: () => number;
  readonly decisionEventWriter: string | null;
}

/** The rest of the composition root, once the stores are open: models, scoring, app, listening. */
async function wire(config: Config, { logger, metrics, tracing, onError, errorLog, store, events, clock, decisionEventWriter }: Parts): Promise<RunningService> {
  // First: a client or JWKS file that cannot be read stops the start before anything runs.
  const auth = createAuth(config, logger, onError);
  // So does a rule file that cannot be read or compiled: never serve without the intended guard rails.
  const guardRails = await createGuardRails(config, events.lists, metrics, logger, onError, () => performance.now());
  const specHash = featureSpecHash();
  if (config.MODEL_SIGNATURES === 'off') logger.warn('MODEL_SIGNATURES=off: models are served without checking their signature (a changed model.json, thresholds included, would be served)');
  const registry = openRegistry(config.MODEL_REGISTRY_DIR, { signatures: config.MODEL_SIGNATURES, trustedKeys: config.MODEL_TRUSTED_KEYS, dataDir: config.DATA_DIR }, { sign: false });
  const models = await ModelManager.create({
    registry,
    expectedSpecHash: specHash,
    pollIntervalMs: config.MODEL_POLL_INTERVAL_MS,
    challengerVersion: config.CHALLENGER_VERSION ?? null,
    logger,
    metrics,
  });
  models.start();
  // A store that lost its data (or was never set up) is found before the first request.
  let storeCheck: StoreCheck = await checkProfileStore(store, events.decisionLog);
  if (storeCheck.status === 'lost') logger.error({ lostSlots: storeCheck.lostSlots }, storeCheck.message);
  else if (storeCheck.status === 'initialized') logger.info(storeCheck.message);
  const now = () => performance.now();
  const wallClock = () => new Date();
  const reconciler = new Reconciler({
    store,
    decisionLog: events.decisionLog,
    labels: events.labels,
    metrics,
    wallClock: Date.now,
    onError,
  });
  reconciler.start();
  // The ECS events (decisions and labels) carry the user the same way; none are written when off.
  const eventUserId = config.DECISION_EVENTS === 'off' ? null : eventUserIdPolicy(config, logger);
  const decisionEvents = eventUserId === null ? DECISION_EVENTS_OFF : createServiceDecisionEvents(config, decisionEventWriter, eventUserId, logger, metrics, onError);
  const scoring = new ScoringService({
    store,
    reconciler,
    rules: guardRails.rails,
    drift: config.DRIFT_MONITORING === 'on' ? new DriftMonitor(metrics.registry) : NO_DRIFT,
    models,
    decisionLog: events.decisionLog,
    events: decisionEvents,
    metrics,
    tracer: tracing.tracer,
    stageSpans: tracing.stageSpans,
    policy: {
      degradedPolicy: config.DEGRADED_POLICY,
      noModelDecision: config.NO_MODEL_DECISION,
      storeTimeoutMs: config.STORE_TIMEOUT_MS,
      budgetMs: config.SCORE_BUDGET_MS,
      durability: config.DECISION_DURABILITY,
      commitTimeoutMs: config.DECISION_LOG_COMMIT_TIMEOUT_MS,
    },
    featureSpecHash: specHash,
    replica: replicaName(),
    now,
    wallClock,
    onBackgroundError: onError,
  });
  const feedback = new FeedbackService({
    decisionLog: events.decisionLog,
    labels: events.labels,
    store,
    reconciler,
    metrics,
    events: eventUserId === null ? LABEL_EVENTS_OFF : createLabelEvents(logger, { userId: eventUserId }),
    wallClock,
    storeTimeoutMs: config.STORE_TIMEOUT_MS,
    onBackgroundError: onError,
  });
  const pendingGauge = setInterval(() => metrics.decisionLogPending.set(events.decisionLog.pending()), 1000);
  pendingGauge.unref();
  let draining = false;
  const app = createApp({
    auth: auth.authenticator,
    rateLimiter: auth.rateLimiter,
    metricsScope: config.METRICS_AUTH === 'admin' ? 'admin' : null,
    draining: () => draining,
    validators: createValidators(),
    eventTime: createEventTimeCheck({ maxSkewSeconds: config.EVENT_MAX_SKEW_S, maxAgeSeconds: config.EVENT_MAX_AGE_S, now: clock }),
    scoring,
    feedback,
    labels: events.labels,
    lists: new ListService(guardRails.rails, events.lists, wallClock),
    metrics,
    storageTimeoutMs: config.STORAGE_REQUEST_TIMEOUT_MS,
    now,
    onError: (err) => onError('unhandled request error', err),
    ready: async () => {
      const champion = models.champion();
      if (champion === null) throw new Error('no champion model loaded');
      // Each dependency answers within a second or is reported unavailable: a stopped database never holds the probe.
      const check = async (p: Promise<void>) => {
        const settled = await settleWithin(p, READY_CHECK_TIMEOUT_MS);
        if (settled.kind === 'value') return 'ok';
        return settled.kind === 'error' ? `unavailable: ${(settled.error as Error).message}` : `unavailable: no answer within ${READY_CHECK_TIMEOUT_MS} ms`;
      };
      const [profileStore, decisionLog, labelStore, recheck] = await Promise.all([
        check(store.ping()),
        check(events.decisionLog.ping()),
        check(events.labels.ping()),
        storeCheck.status === 'lost' ? checkProfileStore(store, events.decisionLog).catch(() => storeCheck) : Promise.resolve(storeCheck),
      ]);
      storeCheck = recheck;
      return {
        model: champion.version,
        dependencies: { profileStore: storeCheck.status === 'lost' ? `lost: ${storeCheck.message}` : profileStore, decisionLog, labelStore },
        reconciliationPending: reconciler.pending(),
        // Records answered but not yet in the log: buffered, or persisted to the spill file while the log is unavailable.
        decisionLogPending: events.decisionLog.pending(),
        decisionLogWrites: DECISION_LOG_WRITES[events.decisionLog.writeState(config.DECISION_LOG_COMMIT_TIMEOUT_MS)],
      };
    },
  });
  const httpOptions = {
    ...expressServerOptions(app),
    headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    // How often node looks for requests past those timeouts (its default, 30 s, would let a slow client hold on that much longer).
    connectionsCheckingInterval: Math.min(1_000, config.HTTP_HEADERS_TIMEOUT_MS),
  };
  const tlsFiles: TlsFiles | null =
    config.TLS_CERT_FILE === undefined ? null : { certFile: config.TLS_CERT_FILE, keyFile: config.TLS_KEY_FILE as string, clientCaFile: config.TLS_CLIENT_CA_FILE ?? null };
  const tls =
    tlsFiles === null
      ? null
      : watchTlsFiles(tlsFiles, {
          intervalMs: config.TLS_RELOAD_INTERVAL_MS,
          // A set that does not make a context (a key that does not match its certificate) is refused before it is served.
          validate: (context) => void createSecureContext(context),
          onChange: (context) => {
            (server as unknown as { setSecureContext(c: object): void }).setSecureContext(context);
            logger.info({ certFile: tlsFiles.certFile }, 'TLS certificate reloaded');
          },
          onError: (err) => onError('TLS files reload', err),
        });
  // https.Server is an http.Server with TLS underneath: every option and timeout below applies to both.
  const server: Server = tls === null || tlsFiles === null ? createServer(httpOptions, app) : (createHttpsServer({ ...httpOptions, ...tlsServerOptions(tlsFiles, tls.value()) }, app) as unknown as Server);
  answerClientErrors(server);
  // Behind a load balancer: keep idle connections longer than its idle timeout.
  server.keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_MS;
  server.maxConnections = config.HTTP_MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const scheme = tls === null ? 'http' : 'https';
  const everyInterface = host === '0.0.0.0' || host === '[::]';
  const url = `${scheme}://${everyInterface ? '127.0.0.1' : host}:${address.port}`;
  // Say where it is bound: an address of every interface is reachable from outside this host.
  const where = everyInterface ? `${scheme}://${host}:${address.port} (every interface; from this host ${url})` : url;
  logger.info({ url, address: address.address, port: address.port, model: models.champion()?.version ?? null, store: store.kind, decisionLog: events.decisionLog.kind }, `fraud-scoring listening on ${where}`);

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      logger.info('shutting down: draining in-flight requests');
      draining = true;
      clearInterval(pendingGauge);
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      // Connections busy when the drain began go idle later; keep closing idle ones until none is left.
      server.closeIdleConnections();
      const sweeper = setInterval(() => server.closeIdleConnections(), 25);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, config.SHUTDOWN_TIMEOUT_MS);
      });
      await Promise.race([drained, timeout]);
      clearInterval(sweeper);
      clearTimeout(timer);
      server.closeAllConnections();
      auth.authenticator.close();
      tls?.close();
      guardRails.close();
      await reconciler.drain().catch(() => undefined);
      await reconciler.stop();
      await decisionEvents.close();
      await events.close();
      await store.close();
      await models.close();
      await tracing.shutdown();
      errorLog.close();
      logger.info('shutdown complete');
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
    })();
    return closing;
  };
  return { server, url, metrics, store, events, models, scoring, reconciler, logger, close };
}

/** The user-id policy of the ECS events (decided once, here), warning when its key was generated. */
function eventUserIdPolicy(config: Config, logger: Logger): UserIdPolicy {
  const { policy, generated } = userIdPolicy(config.DECISION_EVENT_USER_ID, config.PSEUDONYM_KEY_FILE, config.DATA_DIR);
  if (generated !== null) {
    logger.warn({ keyFile: generated }, 'no PSEUDONYM_KEY_FILE: decision events pseudonymise user ids with a key generated for this DATA_DIR; give every replica one shared key file so their pseudonyms match');
  }
  return policy;
}

/**
 * The ECS decision events: formatted and written to stdout by the `script` thread, or, with no
 * script, formatted on this thread and written to `logger` (how tests capture them).
 */
function createServiceDecisionEvents(config: Config, script: string | null, userId: UserIdPolicy, logger: Logger, metrics: ServiceMetrics, onError: (what: string, err: unknown) => void): DecisionEvents {
  if (script === null) return createDecisionEvents(logger, { sampleRate: config.DECISION_EVENT_SAMPLE_RATE, userId });
  return createThreadedDecisionEvents({
    script,
    fd: 1,
    level: config.LOG_LEVEL,
    sampleRate: config.DECISION_EVENT_SAMPLE_RATE,
    userId,
    maxBacklog: DECISION_EVENT_BACKLOG,
    onDropped: (count) => metrics.decisionEventsDropped.inc(count),
    onError: (err) => onError('decision event writer failed', err),
  });
}

/** DRIFT_MONITORING=off: nothing counted, no PSI exported. */
const NO_DRIFT = { observe: () => undefined };

/** Interval of the error log: each kind of error is logged in full once per interval, its repeats as a count. */
const ERROR_LOG_INTERVAL_MS = 10_000;

/** What /readyz says of the decision log's writes. */
const DECISION_LOG_WRITES = {
  ok: 'ok',
  replaying: 'replaying records spilled during an outage',
  failing: 'failing: answers persist records to the spill file',
} as const;

/** Longest /readyz waits for one dependency's ping, ms. */
const READY_CHECK_TIMEOUT_MS = 1_000;

/** Decision events waiting for stdout beyond which new ones are dropped: a few seconds at full load. */
const DECISION_EVENT_BACKLOG = 50_000;
