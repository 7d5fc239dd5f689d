import { createPostgresLabelStore } from '../../src/records/postgres/postgres-label-store';
import type { LabelStore } from '../../src/records/label-store';
import { postgresLabelStoreBackend, sqliteLabelStoreBackend } from './support/event-store-backends';
import { describeLabelStoreContract, labelOf } from './support/label-store-contract';
import { dropTestSchema, postgresAvailable, postgresTestUrl, testSchemaName } from './support/postgres-test-database';
import { startTcpProxy, throughProxy, urlTarget, type TcpProxy } from './support/tcp-proxy';

const url = postgresTestUrl();
const pgUp = postgresAvailable(url);

describeLabelStoreContract('sqlite', sqliteLabelStoreBackend);
describeLabelStoreContract('postgres', postgresLabelStoreBackend(url), { skip: !pgUp });

/** A real outage: the store reaches the shared server through a TCP proxy the test cuts and restores. */
(pgUp ? describe : describe.skip)('PostgreSQL label store: outage and recovery', () => {
  let proxy: TcpProxy;
  let schema: string;
  const opened: LabelStore[] = [];

  beforeEach(async () => {
    proxy = await startTcpProxy(urlTarget(url));
    schema = testSchemaName();
  });

  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close().catch(() => undefined);
    await proxy.close();
    await dropTestSchema(url, schema);
  });

  test('add rejects while the database is down and stores nothing; the same store works again after recovery', async () => {
    const store = await createPostgresLabelStore({ connectionString: throughProxy(url, proxy), schema, connectTimeoutMs: 1_000 });
    opened.push(store);
    const l = labelOf('t1', 'analyst', 'fraud', 1_000);
    await store.forTransaction('t1'); // leaves an idle pooled connection for the cut to break

    proxy.cut();
    await expect(store.add(l, '2024-05-01T00:00:00.000Z')).rejects.toThrow();
    await expect(store.ping()).rejects.toThrow();

    proxy.restore();
    const direct = await createPostgresLabelStore({ connectionString: url, schema });
    opened.push(direct);
    await expect(direct.forTransaction('t1')).resolves.toEqual([]);
    await expect(store.add(l, '2024-05-01T00:00:00.000Z')).resolves.toMatchObject({ kind: 'added', record: { ...l, fraudChange: 1, userVersion: null }, previous: [] });
    await expect(direct.forTransaction('t1')).resolves.toEqual([{ ...l, receivedAt: '2024-05-01T00:00:00.000Z', fraudChange: 1, userVersion: null, merchantVersion: null }]);
  });
});
