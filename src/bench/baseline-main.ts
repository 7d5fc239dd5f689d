import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FEATURE_COUNT } from '../../features';
import { loadConfig } from '../config/config';
import { createEventStores, type EventStores } from '../records/create-event-stores';
import type { DecisionLog } from '../records/decision-log';
import type { DecisionRecord } from '../records/decision-record';
import { createProfileStore } from '../store/create-profile-store';
import { RedisProfileStore } from '../store/redis-profile-store';
import { createServiceMetrics } from '../telemetry/metrics';
import { createBaselineServer } from './baseline-server';
import { createTopologyBaselineServer } from './topology-baseline';

/** A baseline server and what to release after it stopped. */
interface Baseline {
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * `BENCH_BASELINE=topology`: the topology baseline on the stores the service's own environment
 * names (PROFILE_STORE=redis, DECISION_LOG=postgres, their URLs, prefix, schema, batching).
 */
async function topologyBaseline(): Promise<Baseline> {
  const config = loadConfig(process.env);
  const store = await createProfileStore(config);
  if (!(store instanceof RedisProfileStore)) throw new Error(`the topology baseline needs PROFILE_STORE=redis, got ${store.kind}`);
  let events: EventStores;
  try {
    events = await createEventStores(config, createServiceMetrics({ defaultMetrics: false }));
  } catch (err) {
    await store.close();
    throw err;
  }
  const log = events.decisionLog;
  if (log.commit === undefined) throw new Error(`the topology baseline needs a shared decision log (DECISION_LOG=postgres), got ${log.kind}`);
  const decisionLog = log as DecisionLog & { commit(record: DecisionRecord): Promise<DecisionRecord> };
  return {
    server: createTopologyBaselineServer({ store, decisionLog, featureCount: FEATURE_COUNT }),
    async close() {
      await events.close();
      await store.close();
    },
  };
}

/**
 * Entry of the baseline's own process (the benchmark starts it with `node baseline-main.js`):
 * the bare baseline, or with `BENCH_BASELINE=topology` the topology baseline; listens on 127.0.0.1
 * and an ephemeral port (or `PORT`), prints `baseline listening on URL` on stdout, and exits on
 * SIGTERM/SIGINT once its stores are closed.
 */
async function main(): Promise<void> {
  const baseline: Baseline =
    process.env.BENCH_BASELINE === 'topology' ? await topologyBaseline() : { server: createBaselineServer(), close: () => Promise.resolve() };
  const { server } = baseline;
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`baseline listening on http://127.0.0.1:${port}\n`);
  });
  const stop = () => {
    server.close(() => {
      void baseline.close().finally(() => process.exit(0));
    });
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`baseline failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
