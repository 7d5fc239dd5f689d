import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CURRENCY_EXPONENTS, CURRENCY_RATES, FEATURE_COUNT } from '../../../features';
import { featureSpecHash } from '../../../src/model/feature-spec-hash';
import { OnnxModel } from '../../../src/model/onnx-model';
import { ModelRegistry } from '../../../src/model/registry/model-registry';
import { simEvents, simulate } from '../../../src/sim';
import { buildDataset } from '../../../src/training/dataset/build-dataset';
import { loadDataset } from '../../../src/training/dataset/load-dataset';
import { createValidators } from '../../../src/validation/validators';
import { DECODE_WORKER } from '../../support/built-scripts';
import { postJson, startTestService, type TestService } from '../../support/service';

/**
 * The reason the design exists: a stream sent through the HTTP API, in arrival order, produces
 * exactly the feature vectors the offline replay (build-dataset) produces, and the served scores are
 * the offline ONNX scores of those vectors.
 */
describe('online/offline parity', () => {
  let svc: TestService;
  afterAll(async () => {
    await svc?.close();
  });

  it('logs byte-identical feature vectors and returns the offline ONNX scores, over a stream in several currencies', async () => {
    const sim = simulate({ customers: 100, terminals: 300, days: 45, seed: 11 });
    // Customers pay in five currencies (the simulator's EUR amounts at the table's rate, in each
    // currency's own minor units): amounts are converted back to EUR the same way online and offline.
    const currencies = ['EUR', 'USD', 'JPY', 'GBP', 'CHF'] as const;
    const rates = CURRENCY_RATES.entries[0].perReference as Readonly<Record<string, number>>;
    const byCurrency = new Map<string, number>();
    const events = [...simEvents(sim)].map((e) => {
      if (e.type !== 'transaction') return e;
      const currency = currencies[Number(e.userId.replace(/\D/g, '')) % currencies.length] as string;
      byCurrency.set(currency, (byCurrency.get(currency) ?? 0) + 1);
      if (currency === 'EUR') return e;
      const amountMinor = Math.max(1, Math.round((e.amountMinor / 100) * (rates[currency] as number) * 10 ** (CURRENCY_EXPONENTS[currency] as number)));
      return { ...e, currency, amountMinor };
    });
    for (const c of currencies) expect(byCurrency.get(c) ?? 0).toBeGreaterThan(100);
    const dir = mkdtempSync(join(tmpdir(), 'parity-'));
    const input = join(dir, 'events.ndjson');
    writeFileSync(input, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    await buildDataset({ input, outDir: join(dir, 'dataset'), validators: createValidators(), decodeWorker: DECODE_WORKER });
    const dataset = loadDataset(join(dir, 'dataset'));
    expect(dataset.sidecar.source.labels).toBeGreaterThan(20);

    svc = await startTestService({ DECISION_EVENTS: 'off' });
    const served: number[] = [];
    let labelsRecorded = 0;
    for (const e of events) {
      const { type, ...body } = e;
      if (type === 'transaction') {
        const r = await postJson(`${svc.url}/v1/score`, body);
        expect(r.status).toBe(200);
        served.push(r.body.score as number);
      } else {
        const r = await postJson(`${svc.url}/v1/feedback`, body);
        expect(r.status).toBe(201);
        labelsRecorded++;
      }
    }
    expect(labelsRecorded).toBe(dataset.sidecar.source.labels);
    await svc.events.decisionLog.flush();
    const logged = await svc.events.decisionLog.list({ fromEpochSeconds: -1e12, toEpochSeconds: 1e12 });
    expect(logged.map((d) => d.transactionId)).toEqual(dataset.sidecar.columns.transactionId);

    let mismatches = 0;
    logged.forEach((d, row) => {
      const offline = Buffer.from(dataset.matrix.buffer, dataset.matrix.byteOffset + row * FEATURE_COUNT * 4, FEATURE_COUNT * 4);
      if (!Buffer.from(d.features.buffer, d.features.byteOffset, d.features.byteLength).equals(offline)) mismatches++;
    });
    expect({ rows: logged.length, mismatches }).toEqual({ rows: dataset.sidecar.rows, mismatches: 0 });

    const champion = new ModelRegistry(svc.registryDir).champion();
    if (champion === null) throw new Error('no champion');
    const model = await OnnxModel.load(champion.dir, champion.metadata, { expectedSpecHash: featureSpecHash() });
    const offlineScores = await model.scoreBatch(dataset.matrix, dataset.sidecar.rows);
    await model.close();
    expect(served.filter((s, i) => s !== offlineScores[i]).length).toBe(0);
    // The stream exercised label-based features: some served vector saw a known fraud.
    const knownFraudColumn = dataset.sidecar.featureNames.indexOf('merchant_known_frauds_30d');
    expect(logged.some((d) => (d.features[knownFraudColumn] as number) > 0)).toBe(true);
  });
});
