import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey, hashApiKey } from '../auth/api-key';
import type { ClientsFile } from '../auth/clients-file';
import { SERVICE_NODE_FLAGS } from '../config/node-flags';
import { REPLAY_EVENT_TIMES } from '../config/replay-event-times';
import { prepareTopology, type BenchTopologyKind, type ProductionStores } from './bench-topology';
import { loadDaysFor, type BenchWorld } from './bench-world';
import { startChildServer, type ChildServer } from './child-server';
import { historySnapshot } from './history-snapshot';
import { loadPeriod, LoadSource } from './load-source';
import { runStep, type LoadTarget, type StepPlan, type StepResult } from './load-step';
import { runPacedStep } from './paced-step';
import { machineInfo, type MachineInfo } from './machine-info';
import { bestConnections, type ProbePoint } from './saturation-probe';
import { medianRound, saturationRound, serviceFirst, type SaturationRound } from './saturation-rounds';
import { scrapeMetrics, serverTimings, type ServerTimings } from './server-timings';

/** Everything a run needs; the CLI command builds it. */
export interface BenchOptions {
  /** Seconds of load per step. */
  readonly durationSeconds: number;
  /** Fixed rates, requests/s, in the order they run. */
  readonly rates: readonly number[];
  /**
   * Connection counts for the saturation step: one count is used as is; with several, each server
   * is probed at every count for `probeSeconds` and runs its rounds at its best (see
   * saturation-probe.ts). The warm-up uses the largest.
   */
  readonly saturationConnections: readonly number[];
  /** Seconds of each probe step. */
  readonly probeSeconds: number;
  /** Saturation rounds (each a baseline and a service step); the median round is reported. */
  readonly saturationRounds: number;
  /** Most requests in flight in a fixed-rate step at `rate` requests/s (its arrivals are steady, see paced-step.ts). */
  readonly fixedConnections: (rate: number) => number;
  /** Seconds of unmeasured load on each server before the first step. */
  readonly warmupSeconds: number;
  readonly world: Omit<BenchWorld, 'loadDays'>;
  /** Where history snapshots are cached between runs. */
  readonly cacheDir: string;
  /** `fraudctl` (built) and the baseline's entry (built), started with `node`. */
  readonly fraudctlScript: string;
  readonly baselineScript: string;
  readonly registryDir: string;
  /** Service decision events (ECS JSON on stdout, written to a file here). */
  readonly decisionEvents: 'on' | 'off';
  /** on: the service authenticates every request (an API-key client); off: AUTH=off. */
  readonly auth: 'on' | 'off';
  /**
   * `embedded`: memory store + SQLite, against the bare `node:http` baseline. `redis+postgres`: the
   * production topology on `production`'s servers, against the topology baseline (the same Redis
   * round trips and PostgreSQL commits, nothing else; see topology-baseline.ts).
   */
  readonly topology: BenchTopologyKind;
  readonly production: ProductionStores | null;
  /** When set, both servers run with `--cpu-prof` and write their profiles here. */
  readonly cpuProfDir?: string;
  readonly onStage?: (stage: string) => void;
}

/** A client-side step result plus, for the service, its own server-side timings. */
export type ServiceStep = StepResult & { readonly server: ServerTimings };

export interface TargetReport<S extends StepResult> {
  readonly url: string;
  /** Process id of the server (names its CPU profile, if any). */
  readonly pid: number;
  /** Requests/s achieved in the saturation step (of the median round). */
  readonly saturationRps: number;
  /** Connections of its saturation steps: the probe's best, or the one count given. */
  readonly saturationConnections: number;
  /** The probe steps in the order run (empty when one count was given). */
  readonly probe: readonly ProbePoint[];
  readonly saturation: S;
  readonly fixed: readonly S[];
}

/** What `fraudctl bench --json` prints. */
export interface BenchReport {
  readonly machine: MachineInfo;
  readonly settings: {
    readonly durationSeconds: number;
    readonly warmupSeconds: number;
    /** The connection counts given (probed when more than one). */
    readonly saturationConnections: readonly number[];
    readonly probeSeconds: number;
    readonly saturationRounds: number;
    /** V8 flags both servers ran with: the service's own (src/config/node-flags.ts). */
    readonly nodeFlags: readonly string[];
    readonly decisionEvents: 'on' | 'off';
    readonly auth: 'on' | 'off';
    readonly topology: BenchTopologyKind;
    readonly world: BenchWorld;
    readonly historySnapshotCached: boolean;
  };
  readonly baseline: TargetReport<StepResult>;
  readonly service: TargetReport<ServiceStep> & {
    /** Bodies sent that reused a load-period transaction under a new id (0 when the period sufficed). */
    readonly reusedTransactions: number;
  };
  /** Service saturation throughput / baseline saturation throughput, of the median round. */
  readonly ratio: number;
  /** Every saturation round in the order run; `ratio` and both `saturation` steps are the median one's. */
  readonly saturationRounds: readonly SaturationRound[];
}

/** A clients file in `dir` with one client allowed to score, and its key. */
function benchClient(dir: string): { readonly clientsPath: string; readonly key: string } {
  const key = generateApiKey();
  const clientsPath = join(dir, 'bench-clients.json');
  const file: ClientsFile = { clients: [{ name: 'bench', scopes: ['score'], keys: [hashApiKey(key)] }] };
  writeFileSync(clientsPath, JSON.stringify(file));
  return { clientsPath, key };
}

/** Assumed service saturation (requests/s) when sizing the load period; more only means reuse. */
const SIZING_RPS = 8000;
const SCORE_PATH = '/v1/score';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sends one request and checks the service answers a fresh, non-degraded decision. */
async function preflight(url: string, body: string, headers: Readonly<Record<string, string>>): Promise<void> {
  const res = await fetch(`${url}${SCORE_PATH}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`preflight: POST ${SCORE_PATH} answered ${res.status}: ${text}`);
  const answer = JSON.parse(text) as { decision?: unknown; degraded?: unknown; modelVersion?: unknown };
  if (typeof answer.decision !== 'string' || answer.degraded !== false || typeof answer.modelVersion !== 'string') {
    throw new Error(`preflight: the service did not score normally (no champion model?): ${text}`);
  }
}

/**
 * Runs the benchmark: builds (or reuses) the history snapshot, starts the service (the champion
 * model; embedded: memory store seeded from the snapshot, SQLite decision log in a temp dir;
 * production: Redis loaded with the snapshot, PostgreSQL) and its baseline each in its own process, warms both up, then runs every fixed-rate
 * step against the baseline and then the service, then probes each server's saturating
 * connection count (when given several, see saturation-probe.ts), then the saturation rounds
 * (see saturation-rounds.ts), scraping the service's /metrics around each of its measured steps.
 * Both children are stopped (gracefully, so CPU profiles are written) whatever happens. Rejects
 * when a server cannot start or the preflight request fails.
 */
export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const stage = o.onStage ?? (() => undefined);
  const machine = machineInfo();
  const probing = o.saturationConnections.length > 1;
  const probeSeconds = probing ? o.saturationConnections.length * o.probeSeconds : 0;
  const needed = (o.warmupSeconds + probeSeconds + o.saturationRounds * o.durationSeconds) * SIZING_RPS + o.rates.reduce((a, r) => a + r, 0) * o.durationSeconds;
  const world: BenchWorld = { ...o.world, loadDays: loadDaysFor(o.world, needed) };
  const snapshot = await historySnapshot(world, o.cacheDir, stage);
  stage(`simulating ${world.loadDays} days of load`);
  const period = loadPeriod(world);
  const serviceSource = new LoadSource(period);
  const baselineSource = new LoadSource(period);
  const work = mkdtempSync(join(tmpdir(), 'fraud-bench-'));
  // Both servers run with the service's V8 flags, as `npm start` and the image run it.
  const execArgv = [...SERVICE_NODE_FLAGS, ...(o.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`])];
  const children: ChildServer[] = [];
  const topology = await prepareTopology(o.topology, { snapshotPath: snapshot.path, work, production: o.production, onStage: stage });
  // Authentication as deployed: one API-key client with the score scope; every request (the
  // baseline's too, which ignores it) carries its key.
  const client = o.auth === 'on' ? benchClient(work) : null;
  const headers: Record<string, string> = client === null ? {} : { authorization: `Bearer ${client.key}` };
  try {
    stage('starting the service and the baseline');
    const started = await Promise.allSettled([
      startChildServer({
        name: 'service',
        script: o.fraudctlScript,
        args: ['serve'],
        execArgv,
        stdoutPath: join(work, 'service.log'),
        env: {
          PORT: '0',
          HOST: '127.0.0.1',
          ...topology.serviceEnv,
          ...(client === null ? { AUTH: 'off' } : { AUTH: 'on', AUTH_CLIENTS_FILE: client.clientsPath }),
          // The load is simulated (2018 timestamps): the service must accept events of any age.
          ...REPLAY_EVENT_TIMES,
          MODEL_REGISTRY_DIR: o.registryDir,
          DECISION_EVENTS: o.decisionEvents,
          LOG_LEVEL: 'info',
        },
      }),
      startChildServer({ name: 'baseline', script: o.baselineScript, execArgv, stdoutPath: join(work, 'baseline.log'), env: { PORT: '0', ...topology.baselineEnv } }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') children.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const [service, baseline] = children as [ChildServer, ChildServer];
    await preflight(service.url, serviceSource.body(), headers);
    const serviceTarget: LoadTarget = { url: service.url, path: SCORE_PATH, body: () => serviceSource.body(), pid: service.pid, headers };
    const baselineTarget: LoadTarget = { url: baseline.url, path: SCORE_PATH, body: () => baselineSource.body(), pid: baseline.pid, headers };

    const warm: StepPlan = { rate: null, connections: Math.max(...o.saturationConnections), durationSeconds: o.warmupSeconds };
    if (o.warmupSeconds > 0) {
      stage(`warming up (${o.warmupSeconds} s each)`);
      await runStep(baselineTarget, warm);
      await runStep(serviceTarget, warm);
    }
    // Fixed rates: steady arrivals (open loop); saturation: closed loops as fast as they go.
    const step = (target: LoadTarget, plan: StepPlan): Promise<StepResult> =>
      plan.rate === null ? runStep(target, plan) : runPacedStep(target, { rate: plan.rate, durationSeconds: plan.durationSeconds, maxInFlight: plan.connections });
    const serviceStep = async (plan: StepPlan): Promise<ServiceStep> => {
      const before = await scrapeMetrics(service.url);
      const result = await step(serviceTarget, plan);
      // Let the last answers' metrics land before scraping.
      await pause(200);
      return { ...result, server: serverTimings(before, await scrapeMetrics(service.url)) };
    };
    const baselineFixed: StepResult[] = [];
    const serviceFixed: ServiceStep[] = [];
    for (const rate of o.rates) {
      const plan: StepPlan = { rate, connections: o.fixedConnections(rate), durationSeconds: o.durationSeconds };
      stage(`baseline at ${rate} requests/s`);
      baselineFixed.push(await step(baselineTarget, plan));
      await pause(500);
      stage(`service at ${rate} requests/s`);
      serviceFixed.push(await serviceStep(plan));
      await pause(500);
    }
    const baselineProbe: ProbePoint[] = [];
    const serviceProbe: ProbePoint[] = [];
    if (probing) {
      // Count by count, each server in turn, so a drift of the machine touches both alike.
      for (const connections of o.saturationConnections) {
        const plan: StepPlan = { rate: null, connections, durationSeconds: o.probeSeconds };
        stage(`probing saturation at ${connections} connections`);
        baselineProbe.push({ connections, rps: (await runStep(baselineTarget, plan)).throughputRps });
        await pause(500);
        serviceProbe.push({ connections, rps: (await runStep(serviceTarget, plan)).throughputRps });
        await pause(500);
      }
    }
    const satOf = (probe: readonly ProbePoint[]): StepPlan => ({
      rate: null,
      connections: probing ? bestConnections(probe) : (o.saturationConnections[0] as number),
      durationSeconds: o.durationSeconds,
    });
    const baselineSat = satOf(baselineProbe);
    const serviceSat = satOf(serviceProbe);
    const baselineSats: StepResult[] = [];
    const serviceSats: ServiceStep[] = [];
    const rounds: SaturationRound[] = [];
    for (let i = 0; i < o.saturationRounds; i++) {
      const of = `round ${i + 1} of ${o.saturationRounds}`;
      const runBaseline = async () => {
        stage(`baseline saturation (${of}, ${baselineSat.connections} connections)`);
        baselineSats.push(await runStep(baselineTarget, baselineSat));
        await pause(500);
      };
      const runService = async () => {
        stage(`service saturation (${of}, ${serviceSat.connections} connections)`);
        serviceSats.push(await serviceStep(serviceSat));
        await pause(500);
      };
      if (serviceFirst(i)) {
        await runService();
        await runBaseline();
      } else {
        await runBaseline();
        await runService();
      }
      rounds.push(saturationRound(i, (baselineSats[i] as StepResult).throughputRps, (serviceSats[i] as ServiceStep).throughputRps));
    }
    const median = medianRound(rounds);
    const baselineMedian = baselineSats[median] as StepResult;
    const serviceMedian = serviceSats[median] as ServiceStep;
    return {
      machine,
      settings: {
        durationSeconds: o.durationSeconds,
        warmupSeconds: o.warmupSeconds,
        saturationConnections: o.saturationConnections,
        probeSeconds: o.probeSeconds,
        saturationRounds: o.saturationRounds,
        nodeFlags: SERVICE_NODE_FLAGS,
        decisionEvents: o.decisionEvents,
        auth: o.auth,
        topology: o.topology,
        world,
        historySnapshotCached: snapshot.cached,
      },
      baseline: {
        url: baseline.url,
        pid: baseline.pid,
        saturationRps: baselineMedian.throughputRps,
        saturationConnections: baselineSat.connections,
        probe: baselineProbe,
        saturation: baselineMedian,
        fixed: baselineFixed,
      },
      service: {
        url: service.url,
        pid: service.pid,
        saturationRps: serviceMedian.throughputRps,
        saturationConnections: serviceSat.connections,
        probe: serviceProbe,
        saturation: serviceMedian,
        fixed: serviceFixed,
        reusedTransactions: serviceSource.reused,
      },
      ratio: (rounds[median] as SaturationRound).ratio,
      saturationRounds: rounds,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await topology.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}
