import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatRfc3339, type LabelEvent, type Transaction } from '../../features';
import { main } from '../../src/cli/fraudctl';
import { featureSpecHash } from '../../src/model/feature-spec-hash';
import { OnnxModel } from '../../src/model/onnx-model';
import { ModelRegistry } from '../../src/model/registry/model-registry';
import { openRegistry } from '../../src/model/registry/open-registry';
import { readRegistryEvents } from '../../src/model/registry/registry-history';
import { BOOK_SCENARIOS, CARD_TESTING_DEFAULTS, cardTestingScenario, simEvents, simulate, transactionEvent, type SimulationResult } from '../../src/sim';
import { profileEntries, writeSnapshot } from '../../src/store/profile-snapshot';
import { buildDataset } from '../../src/training/dataset/build-dataset';
import { loadDataset } from '../../src/training/dataset/load-dataset';
import { averagePrecision, recallAtFpr } from '../../src/training/metrics';
import { isoDay } from '../../src/training/protocol/time-split';
import { trainModel } from '../../src/training/train-model';
import { loadXGBoost } from '../../src/training/xgboost';
import { createValidators } from '../../src/validation/validators';
import { DECODE_WORKER } from '../support/built-scripts';
import { feedbackFor, LabelQueue, seededRandom, type AppBehaviour } from '../support/confirmation-app';
import { postJson, startTestService, type TestService } from '../support/service';

/**
 * The feedback loop, end to end: a champion trained on a first period never saw card testing; a
 * second period with card testing is streamed through the HTTP API while a simulated confirmation
 * app answers challenged payments within minutes and chargebacks bring back the frauds that got
 * through; `fraudctl retrain` must promote a challenger (parity 0), the running service must pick
 * it up, and on a third, held-out period the new champion must beat the old one clearly.
 */
const DAY = 86_400;
const WORLD = { seed: 21, customers: 400, terminals: 2_000 } as const;
const P1 = { startDay: 0, days: 56 };
const P2 = { startDay: 56, days: 28 };
const P3 = { startDay: 84, days: 21 };
const SCENARIOS = [...BOOK_SCENARIOS, cardTestingScenario({ ...CARD_TESTING_DEFAULTS, perDay: 4 })];
const APP: AppBehaviour = { answerSeconds: [60, 15 * 60], chargebackSeconds: [2 * DAY, 6 * DAY] };

function transactions(sim: SimulationResult): { txn: Transaction; time: number; fraud: boolean }[] {
  return Array.from({ length: sim.table.length }, (_, row) => {
    const { type: _type, ...txn } = transactionEvent(sim, row) as Transaction & { type: string };
    return { txn, time: sim.startEpochSeconds + (sim.table.day[row] as number) * DAY + (sim.table.second[row] as number), fraud: sim.table.fraud[row] === 1 };
  });
}

interface StreamStats {
  requests: number;
  non2xx: number;
  decisions: Record<string, number>;
  labels: Record<string, number>;
}

/** Streams a period's transactions through the API in time order, posting due labels in between. */
async function stream(svc: TestService, rows: ReturnType<typeof transactions>, queue: LabelQueue, until: number, random: () => number): Promise<StreamStats> {
  const stats: StreamStats = { requests: 0, non2xx: 0, decisions: {}, labels: {} };
  const postLabel = async (label: LabelEvent) => {
    const r = await postJson(`${svc.url}/v1/feedback`, label);
    stats.requests++;
    if (r.status >= 300) stats.non2xx++;
    stats.labels[label.source] = (stats.labels[label.source] ?? 0) + 1;
  };
  for (const { txn, time, fraud } of rows) {
    for (const due of queue.popUntil(time)) await postLabel(due.label);
    const r = await postJson(`${svc.url}/v1/score`, txn);
    stats.requests++;
    if (r.status !== 200) {
      stats.non2xx++;
      continue;
    }
    const decision = r.body.decision as string;
    stats.decisions[decision] = (stats.decisions[decision] ?? 0) + 1;
    const label = feedbackFor(txn, time, decision, fraud, APP, random);
    if (label !== null) queue.push(label);
  }
  for (const due of queue.popUntil(until)) await postLabel(due.label);
  return stats;
}

describe('feedback loop and retraining on a new fraud pattern', () => {
  let svc: TestService | undefined;
  afterAll(async () => {
    await svc?.close();
  });

  it('promotes a challenger that learned card testing, and it beats the old champion on a held-out period', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e2e-'));
    const registryDir = join(dir, 'registry');
    const p1 = simulate({ ...WORLD, ...P1 });
    const p2Start = p1.startEpochSeconds + P2.startDay * DAY;

    // 1. First period (no card testing) -> dataset -> champion; profiles at its end seed the service.
    const input = join(dir, 'p1.ndjson');
    const p1Events = [...simEvents(p1)].filter((e) => Date.parse(e.type === 'label' ? e.reportedAt : e.timestamp) / 1000 < p2Start);
    writeFileSync(input, p1Events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const built = await buildDataset({ input, outDir: join(dir, 'p1-dataset'), validators: createValidators(), decodeWorker: DECODE_WORKER });
    const snapshot = join(dir, 'profiles.ndjson');
    await writeSnapshot(snapshot, profileEntries(built.replay.profiles()));
    const xgb = loadXGBoost({ env: process.env });
    const trained = await trainModel({
      xgb,
      dataset: loadDataset(join(dir, 'p1-dataset')),
      datasetHash: 'p1',
      split: { trainStart: isoDay(p1.startEpochSeconds + 35 * DAY), trainDays: 7, delayDays: 7, testDays: 7, validationDays: 7 },
      protocol: 'handbook',
      params: { maxDepth: 6, eta: 0.1, subsample: 0.8, colsampleBytree: 0.8, nthread: 2, seed: 42, verbosity: 0 },
      rounds: 300,
      earlyStoppingRounds: 30,
      thresholdTargets: { maxChallengeRate: 0.03, minDeclinePrecision: 0.9 },
      prequentialFolds: 1,
      parent: null,
      now: new Date('2026-01-01T00:00:00Z'),
    });
    // Signed with the development key of the service's DATA_DIR, as `fraudctl train` would (the service checks signatures).
    const dataDir = mkdtempSync(join(tmpdir(), 'e2e-data-'));
    const registry = openRegistry(registryDir, { signatures: 'required', dataDir }, { sign: true });
    registry.add(trained.metadata, trained.files);
    registry.promote(trained.metadata.version, new Date(), { actor: 'e2e', reason: 'first champion' });
    const oldChampion = trained.metadata.version;

    // 2. Second period with card testing, through the API, with the confirmation app and chargebacks.
    svc = await startTestService({ MODEL_REGISTRY_DIR: registryDir, DATA_DIR: dataDir, MODEL_SIGNATURES: 'required', PROFILE_SNAPSHOT: snapshot, DECISION_EVENTS: 'off', MODEL_POLL_INTERVAL_MS: '200' });
    const queue = new LabelQueue();
    const random = seededRandom(7);
    const p2 = simulate({ ...WORLD, ...P2 }, SCENARIOS);
    const p2End = p2.startEpochSeconds + (P2.startDay + P2.days) * DAY;
    const s2 = await stream(svc, transactions(p2), queue, p2End, random);
    expect(s2.non2xx).toBe(0);
    expect(s2.labels.user_confirmation).toBeGreaterThan(100);
    expect(s2.labels.chargeback).toBeGreaterThan(50);
    await svc.events.decisionLog.flush();

    // 3. fraudctl retrain, against the service's own stores.
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, isTTY: false, env: { ...process.env, DATA_DIR: svc.dataDir, MODEL_REGISTRY_DIR: registryDir, PROFILE_SNAPSHOT: snapshot } } as never;
    const code = await main(['retrain', '--json', '--as-of', formatRfc3339(p2End), '--maturity-days', '7', '--holdout-days', '7', '--validation-days', '5', '--lookback-days', '9'], io);
    expect({ code, err: err.join('') }).toEqual({ code: 0, err: '' });
    const result = JSON.parse(out.join('')) as { promoted: boolean; challenger: string; champion: string; parityMismatchRate: number; parityChecked: number; metrics: Record<string, { ap: number; recallAt1pctFpr: number }>; reason: string };
    expect(result.parityMismatchRate).toBe(0);
    expect(result.parityChecked).toBeGreaterThan(10_000);
    expect(result.promoted).toBe(true);
    expect(result.champion).toBe(result.challenger);
    const entry = new ModelRegistry(registryDir).get(result.challenger);
    expect(entry.metadata).toMatchObject({ parent: oldChampion, status: 'champion', protocol: 'retrain-served', notes: { gate: { promoted: true, champion: { version: oldChampion } } } });
    // Signed (development key of DATA_DIR), and the gate's decision and the promotion are in the audit trail.
    expect((entry.metadata as { signature?: { algorithm: string } }).signature?.algorithm).toBe('ed25519');
    expect(readRegistryEvents(registryDir).map((e) => [e.action, e.from, e.to, e.challenger ?? null])).toEqual([
      ['promote', null, oldChampion, null],
      ['retrain', oldChampion, result.challenger, result.challenger],
      ['promote', oldChampion, result.challenger, null],
    ]);

    // The running service picks the promotion up without a restart.
    const running = svc;
    for (let i = 0; i < 100 && running.models.champion()?.version !== result.challenger; i++) await new Promise((r) => setTimeout(r, 50));
    expect(running.models.champion()?.version).toBe(result.challenger);

    // 4. A third, held-out period: served by the new champion; both models scored on its vectors.
    const p3 = simulate({ ...WORLD, ...P3 }, SCENARIOS);
    const p3Rows = transactions(p3);
    const s3 = await stream(running, p3Rows, queue, p3.startEpochSeconds + (P3.startDay + P3.days) * DAY, random);
    expect(s3.non2xx).toBe(0);
    await running.events.decisionLog.flush();
    const p3Start = p3.startEpochSeconds + P3.startDay * DAY;
    const logged = await running.events.decisionLog.list({ fromEpochSeconds: p3Start, toEpochSeconds: p3Start + P3.days * DAY });
    expect(logged.every((d) => d.modelVersion === result.challenger)).toBe(true);
    const truth = new Map(p3Rows.map((r) => [r.txn.transactionId, r.fraud ? 1 : 0]));
    const cols = logged[0]?.features.length ?? 0;
    const matrix = new Float32Array(logged.length * cols);
    logged.forEach((d, i) => matrix.set(d.features, i * cols));
    const labels = Uint8Array.from(logged, (d) => truth.get(d.transactionId) as number);
    const score = async (version: string) => {
      const e = new ModelRegistry(registryDir).get(version);
      const m = await OnnxModel.load(e.dir, e.metadata, { expectedSpecHash: featureSpecHash() });
      const s = await m.scoreBatch(matrix, logged.length);
      await m.close();
      return { ap: averagePrecision(s, labels), recallAt1pctFpr: recallAtFpr(s, labels, 0.01) };
    };
    const before = await score(oldChampion);
    const after = await score(result.challenger);
    console.log(
      `e2e feedback loop: P2 ${s2.requests} requests (${JSON.stringify(s2.decisions)}, labels ${JSON.stringify(s2.labels)}); ` +
        `retrain: ${result.reason}; parity ${result.parityChecked} vectors, mismatch rate ${result.parityMismatchRate}; ` +
        `P3 held out (${logged.length} transactions, ${labels.reduce((a, b) => a + b, 0)} frauds): ` +
        `old champion AP ${before.ap.toFixed(3)} recall@1%FPR ${before.recallAt1pctFpr.toFixed(3)}, ` +
        `new champion AP ${after.ap.toFixed(3)} recall@1%FPR ${after.recallAt1pctFpr.toFixed(3)}`,
    );
    expect(after.ap).toBeGreaterThan(before.ap + 0.05);
    expect(after.recallAt1pctFpr).toBeGreaterThan(before.recallAt1pctFpr + 0.05);
  }, 600_000);
});
