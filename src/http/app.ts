import { defaultTextMapGetter, ROOT_CONTEXT } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import express, { type NextFunction, type Request, type Response } from 'express';
import { FEATURE_NAMES, parseRfc3339, transactionTime, type EventTime, type Transaction } from '../../features';
import { AUTH_OFF, type AuthOutcome, type Authenticator } from '../auth/authenticator';
import type { RateLimiter } from '../auth/rate-limiter';
import type { Client, Scope } from '../auth/scopes';
import type { LabelStore } from '../records/label-store';
import type { ListOutcome, ListService } from '../rules/list-service';
import type { ListEntry } from '../rules/list-store';
import type { FeedbackService } from '../scoring/feedback-service';
import type { ScoreOutcome, ScoringService } from '../scoring/scoring-service';
import type { ServiceMetrics } from '../telemetry/metrics';
import { settleWithin } from '../time/settle-within';
import type { EventTimeCheck } from '../validation/event-time-check';
import type { Validators } from '../validation/validators';
import { HttpError } from './errors';
import { isJson, jsonBody, keepRawBody, MAX_BODY, requireJson, sendJson } from './json-body';

/** Reads `traceparent` / `tracestate` (W3C Trace Context); stateless, shared. */
const W3C_TRACE_CONTEXT = new W3CTraceContextPropagator();

export { MAX_BODY } from './json-body';
export { expressServerOptions } from './express-server-options';

/** What the app needs; built by the composition root (src/main.ts) or a test. */
export interface AppDeps {
  readonly validators: Validators;
  /**
   * The accepted range of transaction timestamps and label `reportedAt`s around the service's
   * clock (EVENT_MAX_SKEW_S, EVENT_MAX_AGE_S): events outside it are refused before any store.
   */
  readonly eventTime: EventTimeCheck;
  readonly scoring: ScoringService;
  readonly feedback: FeedbackService;
  readonly labels: LabelStore;
  /** The allow and block lists (`/v1/lists`). */
  readonly lists: ListService;
  readonly metrics: ServiceMetrics;
  /**
   * Readiness: resolves with a status document when the service can answer (a champion is
   * loaded); rejects with the reason otherwise. Store outages degrade answers, they do not make
   * the service unready (that would take every replica out at once), so they are reported only.
   */
  readonly ready: () => Promise<Record<string, unknown>>;
  /**
   * Longest a feedback or decision request waits for the decision log and label store, ms: past
   * it (or when they fail) the answer is 503 `storage_unavailable` with `Retry-After`.
   */
  readonly storageTimeoutMs: number;
  /** Monotonic clock in ms. */
  readonly now: () => number;
  readonly onError: (err: unknown) => void;
  /** True once a graceful shutdown began: answers then close their connection. */
  readonly draining?: () => boolean;
  /** Who is calling; default {@link AUTH_OFF} (the composition root always passes the configured one). */
  readonly auth?: Authenticator;
  /** Per-client token buckets; default none. */
  readonly rateLimiter?: RateLimiter;
  /** The scope `GET /metrics` requires, or null (default) when it is open. */
  readonly metricsScope?: Scope | null;
}

type Handler = (req: Request, res: Response) => Promise<void> | void;

/** Seconds a client is asked to wait before retrying a request the storage could not serve. */
const STORAGE_RETRY_AFTER_S = 1;

/** True for an error a library raised about the request itself (an http-errors 4xx). */
function clientErrorStatus(err: unknown): boolean {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** Wraps an async handler so a rejection reaches the error middleware. */
function route(handler: Handler) {
  return (req: Request, res: Response, next: NextFunction) => {
    try {
      const r = handler(req, res);
      if (r instanceof Promise) r.catch(next);
    } catch (err) {
      next(err);
    }
  };
}

/**
 * The HTTP API as an express app that never listens (src/main.ts does; tests use supertest).
 * Every client mistake is a 4xx with `{"error":{"code","message","details"?}}`; nothing malformed,
 * and no event outside the accepted time range (`deps.eventTime`), reaches a store or the model.
 */
export function createApp(deps: AppDeps): express.Express {
  const { validators, metrics, eventTime } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);
  // Compressed bodies are refused (415), not inflated: a small body can decompress to a large one.
  const json = jsonBody(express.json({ limit: MAX_BODY, strict: false, type: () => true, inflate: false, verify: keepRawBody }));

  const draining = deps.draining ?? (() => false);
  const auth = deps.auth ?? AUTH_OFF;
  const rateLimiter = deps.rateLimiter ?? null;

  /** The client of an authentication outcome, within its rate limit; else the error to answer (401, 429). */
  const admit = (outcome: AuthOutcome): Client | HttpError => {
    if (outcome.kind !== 'ok') {
      metrics.authRefused.inc({ reason: 'unauthenticated' });
      return new HttpError('unauthenticated', outcome.message);
    }
    const client = outcome.client;
    const wait = rateLimiter === null ? 0 : rateLimiter.take(client);
    if (wait === 0) return client;
    metrics.rateLimited.inc({ client: client.name });
    return new HttpError('rate_limited', `client "${client.name}" is over its rate limit`, [], Math.max(1, Math.ceil(wait)));
  };
  /** Throws 403 `forbidden` naming `scope` when `client` lacks it. */
  const requireScope = (client: Client, scope: Scope): void => {
    if (client.scopes.has(scope)) return;
    metrics.authRefused.inc({ reason: 'forbidden' });
    throw new HttpError('forbidden', `client "${client.name}" lacks the scope "${scope}"`, [{ path: '', message: `requires scope ${scope}` }]);
  };
  /** Middleware: authenticates the request (before its body is read) and puts its client in `res.locals.client`. */
  const authenticated = (req: Request, res: Response, next: NextFunction) => {
    const settle = (outcome: AuthOutcome) => {
      const admitted = admit(outcome);
      if (admitted instanceof HttpError) next(admitted);
      else {
        res.locals.client = admitted;
        next();
      }
    };
    const outcome = auth.authenticate(req.headers.authorization);
    if (outcome instanceof Promise) outcome.then(settle, next);
    else settle(outcome);
  };
  const clientOf = (res: Response): Client => res.locals.client as Client;
  /** Times a request when its answer is finished, labelled with the route it matched (closure per request: off the scoring path). */
  const timeOnFinish = (req: Request, res: Response, started: number) => {
    res.on('finish', () => {
      const routePath = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics.httpDuration.observe({ route: routePath, method: req.method, status: String(res.statusCode) }, (deps.now() - started) / 1000);
    });
  };
  // Bound once: a scored answer is timed in the handler, right after it is written.
  const scoredOk = metrics.httpDuration.child({ route: '/v1/score', method: 'POST', status: '200' });

  /** `received`: when the request reached the route (its HTTP timing); validation and scoring are timed from here, once the body is read. */
  const score = (req: Request, res: Response, fail: (err: unknown) => void, received: number, client: Client) => {
    const started = deps.now();
    const body: unknown = req.body;
    if (!validators.transaction(body)) {
      fail(new HttpError('validation_failed', 'the transaction is invalid', validators.transaction.errors()));
      return;
    }
    // The format check just parsed this timestamp: transactionTime reads the parser's last result.
    const outOfRange = eventTime(transactionTime(body), '/timestamp');
    if (outOfRange !== null) {
      fail(new HttpError('timestamp_out_of_range', 'the transaction is outside the accepted time range', [outOfRange]));
      return;
    }
    metrics.stage.validate.observe((deps.now() - started) / 1000);
    let scored: Promise<ScoreOutcome>;
    try {
      // The caller's W3C trace context, when it sent one: the scoring's span joins its trace.
      const trace = req.headers.traceparent === undefined ? undefined : W3C_TRACE_CONTEXT.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
      scored = deps.scoring.score(body as Transaction, started, client.name, trace);
    } catch (err) {
      fail(err);
      return;
    }
    scored
      .then((outcome) => {
        if (outcome.kind === 'conflict') {
          fail(new HttpError('idempotency_conflict', `transactionId ${body.transactionId} was already scored with a different body`));
          return;
        }
        sendJson(res, 200, outcome.response);
        scoredOk.observe((deps.now() - received) / 1000);
      })
      .catch(fail);
  };
  // The hot path, ahead of the timing middleware: one handler reads, validates, scores and
  // answers; only a request that fails (4xx/5xx) is timed on finish like every other route.
  app.post('/v1/score', (req, res, next) => {
    const started = deps.now();
    // During a drain, keep-alive clients would otherwise keep the process busy until the timeout.
    if (draining()) res.setHeader('Connection', 'close');
    const fail = (err: unknown) => {
      timeOnFinish(req, res, started);
      next(err);
    };
    // Who is calling, before the body is read (an API key is checked synchronously).
    const proceed = (outcome: AuthOutcome) => {
      const client = admit(outcome);
      if (client instanceof HttpError) return fail(client);
      try {
        requireScope(client, 'score');
      } catch (err) {
        return fail(err);
      }
      if (!isJson(req)) fail(new HttpError('unsupported_media_type', 'Content-Type must be application/json'));
      else json(req, res, (err?: unknown) => (err === undefined ? score(req, res, fail, started, client) : fail(err)));
    };
    const outcome = auth.authenticate(req.headers.authorization);
    if (outcome instanceof Promise) outcome.then(proceed, fail);
    else proceed(outcome);
  });

  app.use((req, res, next) => {
    const started = deps.now();
    if (draining()) res.setHeader('Connection', 'close');
    timeOnFinish(req, res, started);
    next();
  });

  /**
   * `work`'s value, or 503 `storage_unavailable` (with Retry-After) when it fails or takes longer
   * than `storageTimeoutMs`: a stopped database never holds a client or turns into a 500. The
   * work goes on in the background; what it commits late answers the client's retry.
   */
  const storage = async <T>(work: Promise<T>, message: string): Promise<T> => {
    const settled = await settleWithin(work, deps.storageTimeoutMs);
    if (settled.kind === 'value') return settled.value;
    if (settled.kind === 'error') {
      if (settled.error instanceof HttpError) throw settled.error;
      deps.onError(settled.error);
    }
    throw new HttpError('storage_unavailable', `${message}; retry later`, [], STORAGE_RETRY_AFTER_S);
  };

  app.post(
    '/v1/feedback',
    authenticated,
    requireJson,
    json,
    route(async (req, res) => {
      const body: unknown = req.body;
      if (!validators.labelEvent(body)) throw new HttpError('validation_failed', 'the label event is invalid', validators.labelEvent.errors());
      requireScope(clientOf(res), `feedback:${body.source}`);
      const outOfRange = eventTime((parseRfc3339(body.reportedAt) as EventTime).epochSeconds, '/reportedAt');
      if (outOfRange !== null) throw new HttpError('timestamp_out_of_range', 'the label event is outside the accepted time range', [outOfRange]);
      const outcome = await storage(deps.feedback.record(body, clientOf(res).name), 'the label could not be committed');
      switch (outcome.kind) {
        case 'unknown_transaction':
          throw new HttpError('unknown_transaction', `no decision for transactionId ${body.transactionId}: labels can only be given to scored transactions`);
        case 'conflict':
          throw new HttpError('label_conflict', `${body.source} already labeled ${body.transactionId} as ${outcome.existing.label}`);
        case 'recorded':
          res.status(outcome.duplicate ? 200 : 201).json({
            transactionId: body.transactionId,
            label: body.label,
            source: body.source,
            status: outcome.duplicate ? 'duplicate' : 'recorded',
            resolvedLabel: outcome.resolvedLabel,
          });
      }
    }),
  );

  app.get(
    '/v1/decisions/:transactionId',
    authenticated,
    route(async (req, res) => {
      requireScope(clientOf(res), 'decisions:read');
      const id = req.params.transactionId as string;
      const record = await storage(deps.scoring.decision(id), 'the decision log is unavailable');
      if (record === null) throw new HttpError('not_found', `no decision for transactionId ${id}`);
      const labels = await storage(deps.labels.forTransaction(id), 'the label store is unavailable');
      res.status(200).json({
        transactionId: record.transactionId,
        decision: record.decision,
        score: record.score,
        modelVersion: record.modelVersion,
        degraded: record.degraded,
        degradedReasons: record.degradedReasons,
        decidedAt: record.decidedAt,
        latencyMs: record.latencyMs,
        client: record.client,
        servedBy: record.servedBy,
        transaction: record.transaction,
        featureSpecHash: record.featureSpecHash,
        features: Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, Number.isNaN(record.features[i]) ? null : record.features[i]])),
        explanation: deps.scoring.explanation(record),
        rules: record.rules,
        challenger: record.shadow,
        labels: labels.map((l) => ({ label: l.label, source: l.source, reportedAt: l.reportedAt, receivedAt: l.receivedAt, client: l.client })),
      });
    }),
  );

  /** A list entry as the lists API shows it. */
  const entryBody = (e: ListEntry) => ({ list: e.list, value: e.value, listed: e.present, revision: e.revision, changedAt: e.changedAt, changedBy: e.changedBy, reason: e.reason });
  /** The entry of a list outcome, or the error to answer (404 unknown list or value, 400 a value no transaction could hold). */
  const listEntry = (outcome: ListOutcome, list: string, value: string): ListEntry => {
    switch (outcome.kind) {
      case 'unknown_list':
        throw new HttpError('not_found', `no list "${list}" in the rule set in force (lists: ${outcome.declared.join(', ') || 'none'})`);
      case 'invalid_value':
        throw new HttpError('validation_failed', `"${value}" cannot be an entry of ${list}`, [{ path: '/value', message: outcome.message }]);
      case 'not_listed':
        throw new HttpError('not_found', `"${value}" is not in ${list}`);
      case 'ok':
        return outcome.entry;
    }
  };
  /** Middleware: a list change's body is optional; when one is sent it must be JSON, read like any other. */
  const optionalJson = (req: Request, res: Response, next: NextFunction) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!hasBody) {
      req.body = {};
      next();
    } else if (!isJson(req)) next(new HttpError('unsupported_media_type', 'Content-Type must be application/json'));
    else json(req, res, next);
  };
  const changeList = (present: boolean) =>
    route(async (req, res) => {
      const client = clientOf(res);
      requireScope(client, 'lists:write');
      const body: unknown = req.body;
      if (!validators.listChange(body)) throw new HttpError('validation_failed', 'the list change is invalid', validators.listChange.errors());
      const list = req.params.list as string;
      const value = req.params.value as string;
      const outcome = await storage(deps.lists.change(list, value, present, client.name, body.reason ?? null), 'the list store is unavailable');
      const entry = listEntry(outcome, list, value);
      res.status(outcome.kind === 'ok' && outcome.changed && present ? 201 : 200).json(entryBody(entry));
    });
  app.put('/v1/lists/:list/:value', authenticated, optionalJson, changeList(true));
  app.delete('/v1/lists/:list/:value', authenticated, optionalJson, changeList(false));
  app.get(
    '/v1/lists/:list/:value',
    authenticated,
    route(async (req, res) => {
      requireScope(clientOf(res), 'decisions:read');
      const list = req.params.list as string;
      const value = req.params.value as string;
      const entry = listEntry(await storage(deps.lists.get(list, value), 'the list store is unavailable'), list, value);
      res.status(200).json(entryBody(entry));
    }),
  );
  app.get(
    '/v1/lists',
    authenticated,
    route((_req, res) => {
      requireScope(clientOf(res), 'decisions:read');
      res.status(200).json({ lists: deps.lists.summaries() });
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });

  app.get(
    '/readyz',
    route(async (_req, res) => {
      let status: Record<string, unknown>;
      try {
        status = await deps.ready();
      } catch (err) {
        throw new HttpError('not_ready', (err as Error).message);
      }
      res.status(200).json({ status: 'ready', ...status });
    }),
  );

  const metricsScope = deps.metricsScope ?? null;
  app.get(
    '/metrics',
    ...(metricsScope === null ? [] : [authenticated]),
    route(async (_req, res) => {
      if (metricsScope !== null) requireScope(clientOf(res), metricsScope);
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.end(await metrics.registry.metrics());
    }),
  );

  app.use((req, _res, next) => {
    next(new HttpError('not_found', `no route ${req.method} ${req.path}`));
  });

  // The one place errors become HTTP answers; clients never see a stack or an internal message.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    let e: HttpError;
    if (err instanceof HttpError) e = err;
    else {
      const type = (err as { type?: string }).type;
      if (type === 'entity.too.large') e = new HttpError('payload_too_large', `request body exceeds ${MAX_BODY}`);
      else if (type === 'entity.parse.failed') e = new HttpError('invalid_json', 'request body is not valid JSON');
      else if (type === 'charset.unsupported') e = new HttpError('unsupported_media_type', 'the body must be UTF-8 JSON');
      else if (type === 'encoding.unsupported') e = new HttpError('unsupported_content_encoding', 'the body must not be compressed (Content-Encoding: identity)');
      else if (type === 'request.aborted') e = new HttpError('invalid_json', 'the request body was aborted');
      else if (err instanceof URIError) e = new HttpError('invalid_path', 'the path holds a malformed percent-encoding');
      else if (clientErrorStatus(err)) e = new HttpError('bad_request', 'the request is malformed');
      else {
        deps.onError(err);
        e = new HttpError('internal', 'internal error');
      }
    }
    if (e.retryAfterS !== null) res.setHeader('Retry-After', String(e.retryAfterS));
    if (e.code === 'unauthenticated') res.setHeader('WWW-Authenticate', 'Bearer realm="fraud-scoring"');
    res.status(e.status).json(e.body());
  });

  return app;
}
