import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LabelEvent, Transaction } from '../../features';

/** What the loop reads from a score answer. */
export interface ScoreAnswer {
  readonly decision: 'approve' | 'challenge' | 'decline';
  readonly score: number;
  readonly modelVersion: string;
  readonly degraded: boolean;
}

/** An answer outside 2xx, or no answer at all. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

/** The scoring service's API as the loop uses it: a payment backend and a confirmation app in one client. */
export interface ServiceClient {
  score(txn: Transaction): Promise<ScoreAnswer>;
  feedback(label: LabelEvent): Promise<void>;
  /** The champion version the service serves now (from `/readyz`). */
  champion(): Promise<string>;
  close(): void;
}

/** Per-request deadline: far above the service's budget, so only a stuck service trips it. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * A keep-alive HTTP(S) client for `baseUrl` with at most `maxSockets` connections, sending
 * `Authorization: Bearer <apiKey>` when a key is given. Rejects with a {@link ServiceError}
 * carrying the status for any answer outside 2xx, and with status null when the connection fails
 * or no answer comes within 30 s.
 */
export function serviceClient(baseUrl: string, maxSockets: number, apiKey: string | null): ServiceClient {
  const base = new URL(baseUrl);
  const https = base.protocol === 'https:';
  const agent = https ? new HttpsAgent({ keepAlive: true, maxSockets }) : new Agent({ keepAlive: true, maxSockets });
  const send = https ? httpsRequest : request;
  const auth: Record<string, string> = apiKey === null ? {} : { authorization: `Bearer ${apiKey}` };
  const call = (method: 'GET' | 'POST', path: string, body: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string | number> = { ...auth, accept: 'application/json' };
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(payload);
      }
      const req = send(new URL(path, base), { method, agent, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            reject(new ServiceError(`${method} ${path} answered ${status}: ${text.slice(0, 300)}`, status));
            return;
          }
          try {
            resolve(text === '' ? {} : JSON.parse(text));
          } catch {
            reject(new ServiceError(`${method} ${path} answered ${status} with a body that is not JSON`, status));
          }
        });
        res.on('error', (err) => reject(new ServiceError(`${method} ${path}: ${err.message}`, null)));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', (err) => reject(new ServiceError(`${method} ${path}: ${err.message}`, null)));
      req.end(payload);
    });
  return {
    async score(txn) {
      const a = (await call('POST', '/v1/score', txn)) as Partial<ScoreAnswer>;
      if (typeof a.decision !== 'string' || typeof a.score !== 'number' || typeof a.modelVersion !== 'string') {
        throw new ServiceError(`POST /v1/score answered without a decision, score and model version: ${JSON.stringify(a).slice(0, 300)}`, 200);
      }
      return { decision: a.decision, score: a.score, modelVersion: a.modelVersion, degraded: a.degraded === true };
    },
    async feedback(label) {
      await call('POST', '/v1/feedback', label);
    },
    async champion() {
      const r = (await call('GET', '/readyz', undefined)) as { model?: unknown };
      if (typeof r.model !== 'string') throw new ServiceError('GET /readyz did not name the champion model', 200);
      return r.model;
    },
    close() {
      agent.destroy();
    },
  };
}
