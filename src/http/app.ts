import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { IncomingMessage, ServerResponse, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { FEATURE_NAMES, type Transaction } from '../../features';
import type { LabelStore } from '../events/label-store';
import type { FeedbackService } from '../scoring/feedback-service';
import type { ScoringService } from '../scoring/scoring-service';
import type { ServiceMetrics } from '../telemetry/metrics';
import type { Validators } from '../validation/validators';
import { HttpError } from './errors';

/** Largest accepted request body. */
export const MAX_BODY = '16kb';
const MAX_BODY_BYTES = 16 * 1024;
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
/** The spellings of a UTF-8 JSON content type clients send, matched without parsing the header. */
const PLAIN_JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);

/** What the app needs; built by the composition root (src/main.ts) or a test. */
export interface AppDeps {
  readonly validators: Validators;
  readonly scoring: ScoringService;
  readonly feedback: FeedbackService;
  readonly labels: LabelStore;
  readonly metrics: ServiceMetrics;
  /**
   * Readiness: resolves with a status document when the service can answer (a champion is
   * loaded); rejects with the reason otherwise. Store outages degrade answers, they do not make
   * the service unready (that would take every replica out at once), so they are reported only.
   */
  readonly ready: () => Promise<Record<string, unknown>>;
  /** Monotonic clock in ms. */
  readonly now: () => number;
  readonly onError: (err: unknown) => void;
  /** True once a graceful shutdown began: answers then close their connection. */
  readonly draining?: () => boolean;
}

type Handler = (req: Request, res: Response) => Promise<void> | void;

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

/** True for a JSON content type: the usual spellings by lookup, any other through type-is (`req.is`). */
function isJson(req: Request): boolean {
  const type = req.headers['content-type'];
  return type !== undefined && (PLAIN_JSON_TYPES.has(type.toLowerCase()) || req.is('application/json') !== false);
}

function requireJson(req: Request, _res: Response, next: NextFunction): void {
  if (!isJson(req)) next(new HttpError('unsupported_media_type', 'Content-Type must be application/json'));
  else next();
}

/**
 * Whether {@link readJsonBody} may read this body: a declared length within the limit, no content
 * encoding and a plain UTF-8 JSON type. Anything else (chunked, compressed, other charsets, too
 * large) goes through body-parser, whose answers (413, 415, 400) stay the contract.
 */
function plainBody(req: Request): boolean {
  const length = req.headers['content-length'];
  const encoding = req.headers['content-encoding'];
  const type = req.headers['content-type'];
  return (
    length !== undefined &&
    Number(length) <= MAX_BODY_BYTES &&
    (encoding === undefined || encoding.toLowerCase() === 'identity') &&
    type !== undefined &&
    PLAIN_JSON_TYPES.has(type.toLowerCase())
  );
}

/**
 * Reads a body {@link plainBody} accepted and parses it as body-parser's `json({ strict: false })`
 * would (a BOM is dropped, an empty body is `{}`), without its stream and charset machinery: the
 * HTTP parser already bounds the body by its Content-Length. Calls back once, with the value or an
 * HttpError (invalid JSON, or the client went away mid-body).
 */
function readJsonBody(req: Request, done: (err: HttpError | null, body?: unknown) => void): void {
  const chunks: Buffer[] = [];
  let settled = false;
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.once('end', () => {
    settled = true;
    let text = (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.length === 0) {
      done(null, {});
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      done(new HttpError('invalid_json', 'request body is not valid JSON'));
      return;
    }
    done(null, body);
  });
  const aborted = () => {
    if (settled) return;
    settled = true;
    done(new HttpError('invalid_json', 'the request body was aborted'));
  };
  req.once('error', aborted);
  req.once('close', aborted);
}

/** Answers JSON with an explicit length: what `res.json` writes, without its per-call header work. */
function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': JSON_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Reads a JSON body into `req.body` (the lean reader when it can, else `fallback`), then `next`. */
function jsonBody(fallback: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (!plainBody(req)) {
      void fallback(req, res, next);
      return;
    }
    readJsonBody(req, (err, body) => {
      if (err !== null) next(err);
      else {
        req.body = body;
        next();
      }
    });
  };
}

/**
 * The HTTP API as an express app that never listens (src/main.ts does; tests use supertest).
 * Every client mistake is a 4xx with `{"error":{"code","message","details"?}}`; nothing malformed
 * reaches a store or the model.
 */
export function createApp(deps: AppDeps): express.Express {
  const { validators, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);
  const json = express.json({ limit: MAX_BODY, strict: false, type: () => true });
  // The scoring route is the hot path: one handler reads, validates, scores and answers.
  const scoreBody = jsonBody(json);

  const draining = deps.draining ?? (() => false);
  app.use((req, res, next) => {
    const started = deps.now();
    // During a drain, keep-alive clients would otherwise keep the process busy until the timeout.
    if (draining()) res.setHeader('Connection', 'close');
    res.on('finish', () => {
      const routePath = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics.httpDuration.observe({ route: routePath, method: req.method, status: String(res.statusCode) }, (deps.now() - started) / 1000);
    });
    next();
  });

  const score = route(async (req, res) => {
    const started = deps.now();
    const body: unknown = req.body;
    if (!validators.transaction(body)) throw new HttpError('validation_failed', 'the transaction is invalid', validators.transaction.errors());
    metrics.stage.validate.observe((deps.now() - started) / 1000);
    const outcome = await deps.scoring.score(body as Transaction, started);
    if (outcome.kind === 'conflict') throw new HttpError('idempotency_conflict', `transactionId ${body.transactionId} was already scored with a different body`);
    sendJson(res, 200, outcome.response);
  });
  app.post('/v1/score', (req, res, next) => {
    if (!isJson(req)) next(new HttpError('unsupported_media_type', 'Content-Type must be application/json'));
    else scoreBody(req, res, (err?: unknown) => (err === undefined ? score(req, res, next) : next(err)));
  });

  app.post(
    '/v1/feedback',
    requireJson,
    json,
    route(async (req, res) => {
      const body: unknown = req.body;
      if (!validators.labelEvent(body)) throw new HttpError('validation_failed', 'the label event is invalid', validators.labelEvent.errors());
      const outcome = await deps.feedback.record(body);
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
    route(async (req, res) => {
      const id = req.params.transactionId as string;
      const record = await deps.scoring.decision(id);
      if (record === null) throw new HttpError('not_found', `no decision for transactionId ${id}`);
      const labels = await deps.labels.forTransaction(id);
      res.status(200).json({
        transactionId: record.transactionId,
        decision: record.decision,
        score: record.score,
        modelVersion: record.modelVersion,
        degraded: record.degraded,
        degradedReasons: record.degradedReasons,
        decidedAt: record.decidedAt,
        latencyMs: record.latencyMs,
        transaction: record.transaction,
        featureSpecHash: record.featureSpecHash,
        features: Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, Number.isNaN(record.features[i]) ? null : record.features[i]])),
        challenger: record.shadow,
        labels: labels.map((l) => ({ label: l.label, source: l.source, reportedAt: l.reportedAt, receivedAt: l.receivedAt })),
      });
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

  app.get(
    '/metrics',
    route(async (_req, res) => {
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
      else if (type === 'charset.unsupported' || type === 'encoding.unsupported') e = new HttpError('unsupported_media_type', 'the body must be UTF-8 JSON without content encoding');
      else if (type === 'request.aborted') e = new HttpError('invalid_json', 'the request body was aborted');
      else {
        deps.onError(err);
        e = new HttpError('internal', 'internal error');
      }
    }
    res.status(e.status).json(e.body());
  });

  return app;
}

/** Node's HTTP constructors as the plain functions they are, applied to an object they did not allocate. */
type Init<A extends unknown[]> = (this: object, ...args: A) => void;

/**
 * Options for `http.createServer(options, app)` under which node builds every request and response
 * with the app's own prototypes (`app.request`, `app.response`, which inherit from node's).
 * Express otherwise re-prototypes each one (`Object.setPrototypeOf` in `app.handle`); on an object
 * node has just built that is a shape change which leaves node's HTTP internals on slow paths for
 * the rest of the request: over half the CPU of a request in the profile (docs/performance.md).
 * Built with the right prototype, express's call changes nothing. Decided once: where node's
 * constructors are ES classes (they cannot be applied to another object), the options are empty
 * and express works as it always does.
 */
export function expressServerOptions(app: express.Express): ServerOptions {
  const isClass = (f: unknown) => Function.prototype.toString.call(f).startsWith('class');
  if (isClass(IncomingMessage) || isClass(ServerResponse)) return {};
  // Plain functions with node's arity, not Reflect.construct: a foreign new.target is a slow path.
  const initRequest = IncomingMessage as unknown as Init<[Socket]>;
  const initResponse = ServerResponse as unknown as Init<[IncomingMessage, unknown]>;
  function AppRequest(this: object, socket: Socket): void {
    initRequest.call(this, socket);
  }
  function AppResponse(this: object, req: IncomingMessage, options: unknown): void {
    initResponse.call(this, req, options);
  }
  AppRequest.prototype = app.request;
  AppResponse.prototype = app.response;
  return { IncomingMessage: AppRequest as unknown as typeof IncomingMessage, ServerResponse: AppResponse as unknown as typeof ServerResponse };
}
