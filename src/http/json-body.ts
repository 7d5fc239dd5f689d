import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { duplicateKey } from './duplicate-keys';
import { HttpError } from './errors';

/** Largest accepted request body. */
export const MAX_BODY = '16kb';
export const MAX_BODY_BYTES = 16 * 1024;
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
/** The spellings of a UTF-8 JSON content type clients send, matched without parsing the header. */
const PLAIN_JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);

/** True for a JSON content type: the usual spellings by lookup, any other through type-is (`req.is`). */
export function isJson(req: Request): boolean {
  const type = req.headers['content-type'];
  return type !== undefined && (PLAIN_JSON_TYPES.has(type.toLowerCase()) || req.is('application/json') !== false);
}

/** 415 unless the request declares a JSON body. */
export function requireJson(req: Request, _res: Response, next: NextFunction): void {
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
    done(duplicateKeyError(text, body), body);
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
export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  // Headers as a flat list: node skips building and walking an object per answer.
  res.writeHead(status, ['Content-Type', JSON_CONTENT_TYPE, 'Content-Length', String(Buffer.byteLength(text))]);
  res.end(text);
}

/** A 400 naming the first repeated key of `text` (parsed as `body`), or null when none repeats. */
function duplicateKeyError(text: string, body: unknown): HttpError | null {
  const path = duplicateKey(text, body);
  return path === null ? null : new HttpError('duplicate_key', `the request body repeats the key ${path}`, [{ path, message: 'must not repeat within its object' }]);
}

/** Raw bodies the fallback parser read, by request (see {@link keepRawBody}). */
const rawBodies = new WeakMap<Request, Buffer>();

/**
 * body-parser's `verify` hook: keeps the raw body of a request so that {@link jsonBody} can check
 * it for repeated keys once parsed. Bodies are UTF-8 (other charsets are refused before).
 */
export function keepRawBody(req: Request, _res: Response, buf: Buffer): void {
  rawBodies.set(req, buf);
}

/** A charset other than UTF-8 declared by the Content-Type (parameters compared case-insensitively). */
function foreignCharset(req: Request): string | null {
  const type = req.headers['content-type'];
  if (type === undefined) return null;
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(type);
  if (m === null) return null;
  const charset = (m[1] as string).toLowerCase();
  return charset === 'utf-8' || charset === 'utf8' ? null : charset;
}

/**
 * Reads a JSON body into `req.body` (the lean reader when it can, else `fallback`, a body-parser
 * `json` with `inflate: false` and `verify: keepRawBody`), then `next`: with a 400 for invalid JSON
 * or a repeated key, 413 past the size limit, 415 for a content encoding or a charset other than
 * UTF-8.
 */
export function jsonBody(fallback: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (!plainBody(req)) {
      const charset = foreignCharset(req);
      if (charset !== null) {
        next(new HttpError('unsupported_media_type', `the body must be UTF-8 JSON, not ${charset}`));
        return;
      }
      void fallback(req, res, (err?: unknown) => {
        if (err !== undefined) {
          next(err);
          return;
        }
        const raw = rawBodies.get(req);
        rawBodies.delete(req);
        const error = raw === undefined ? null : duplicateKeyError(raw.toString('utf8'), req.body);
        next(error ?? undefined);
      });
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

