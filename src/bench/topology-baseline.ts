import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { transactionTime, type Transaction } from '../../features';
import type { DecisionLog } from '../records/decision-log';
import type { DecisionRecord } from '../records/decision-record';
import type { RedisProfileStore } from '../store/redis-profile-store';
import { replicaName } from '../telemetry/replica-name';

/** What the topology baseline talks to: the same Redis and PostgreSQL the service would. */
export interface TopologyBaselineDeps {
  readonly store: RedisProfileStore;
  /** A shared (PostgreSQL) decision log: answers wait for its commit, as the service's do. */
  readonly decisionLog: DecisionLog & { commit(record: DecisionRecord): Promise<DecisionRecord> };
  /** Float32 features of the record written (their length is the spec's; zeros). */
  readonly featureCount: number;
}

const ANSWER = JSON.stringify({ decision: 'approve' });
const ANSWER_BYTES = Buffer.byteLength(ANSWER);
const STEP_VERSION = 1;
const APPLIED_VERSION = 2;
/** The name a record carries, as the service's replicas name themselves. */
const REPLICA = replicaName();

/** The versions a step's raw reply carries (`{status, version, applied, …}`), or nulls. */
function versionsOf(reply: unknown): readonly [number | null, number | null] {
  if (!Array.isArray(reply) || reply[0] === 0) return [null, null];
  return [reply[STEP_VERSION] as number, reply[APPLIED_VERSION] as number];
}

/**
 * The ceiling of the production topology, for `fraudctl bench --profile-store redis --decision-log
 * postgres`: a bare `node:http` server that reads and `JSON.parse`s the body, makes the service's
 * Redis round trips (the same step script, once per entity, with the same keys and arguments,
 * sent together; the replies are not decoded), and commits a decision record through the same
 * batched PostgreSQL inserts (group commit), answering once it is committed. No validation, no
 * features, no model: what is left is the I/O the topology costs. Never listens by itself.
 */
export function createTopologyBaselineServer(deps: TopologyBaselineDeps): Server {
  const features = new Float32Array(deps.featureCount);
  const fail = (res: ServerResponse) => {
    if (res.headersSent) return;
    res.writeHead(500, { 'Content-Type': 'application/json', 'Content-Length': 2 });
    res.end('{}');
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let txn: Transaction;
      try {
        txn = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Transaction;
      } catch {
        res.writeHead(400, { 'Content-Type': 'application/json', 'Content-Length': 2 });
        res.end('{}');
        return;
      }
      const replies = deps.store.stepReplies([
        { role: 'user', id: txn.userId, claim: txn.transactionId, change: { kind: 'transaction', txn } },
        { role: 'merchant', id: txn.merchantId, claim: txn.transactionId, change: { kind: 'transaction', txn } },
      ]);
      Promise.all(replies)
        .then(([user, merchant]) => {
          const [userReadVersion, userVersion] = versionsOf(user);
          const [merchantReadVersion, merchantVersion] = versionsOf(merchant);
          return deps.decisionLog.commit({
            transactionId: txn.transactionId,
            transaction: txn,
            eventTime: transactionTime(txn),
            features,
            contributions: null,
            rules: null,
            featureSpecHash: 'baseline',
            score: 0,
            decision: 'approve',
            modelVersion: null,
            shadow: null,
            degraded: false,
            degradedReasons: [],
            latencyMs: 0,
            decidedAt: new Date().toISOString(),
            servedBy: REPLICA,
            client: 'bench',
            userReadVersion,
            merchantReadVersion,
            userVersion,
            merchantVersion,
          });
        })
        .then(
          () => {
            res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': ANSWER_BYTES });
            res.end(ANSWER);
          },
          () => fail(res),
        );
    });
  };
  const server = createServer(handle);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
