import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChildServer, type ChildServer } from '../bench/child-server';
import { projectRoot } from '../config/project-root';
import { REPLAY_EVENT_TIMES } from '../config/replay-event-times';
import { createLabelDelay, MERCHANT_WAVE_DEFAULTS, scenarioSet, simulate, startEpochSeconds, type SimulationResult } from '../sim';
import type { AnswerBehaviour } from './confirmation-app';
import { driveArm, type ArmName, type RetrainOutcome } from './drive-arm';
import { armFigures, type ArmFigures } from './loop-figures';
import { serviceClient } from './service-client';

const DAY = 86_400;

/** The arms, in the order they run and are reported. */
export const ARM_NAMES: readonly ArmName[] = ['chargebacksOnly', 'withApp'];

/** Where the service comes from. */
export type LoopTarget =
  /** A fresh service per arm, started by the loop on embedded defaults from a copy of `registryDir`. */
  | { readonly kind: 'start'; readonly fraudctlScript: string; readonly registryDir: string; readonly keepWorkDir: boolean }
  /** A running service (one arm only): retraining runs with the loop's own environment, which must name the service's stores. */
  | { readonly kind: 'url'; readonly url: string; readonly apiKey: string | null; readonly env: Readonly<Record<string, string | undefined>> };

export interface LoopOptions {
  readonly world: { readonly seed: number; readonly customers: number; readonly terminals: number; readonly startDate: string };
  /** World day on which the warm-up starts. */
  readonly startDay: number;
  readonly warmupDays: number;
  /** Measured weeks after the warm-up. */
  readonly weeks: number;
  /** Stolen cards tested a day (0: no card testing). */
  readonly cardTestingPerDay: number;
  /** Day of the measured period (0 = its first) on which the merchant-compromise wave starts; null: no wave. */
  readonly waveDay: number | null;
  readonly answers: AnswerBehaviour;
  readonly retrainEveryDays: number;
  readonly arms: readonly ArmName[];
  readonly concurrency: number;
  readonly target: LoopTarget;
  /** Runs the retrain command at simulated moment `asOf` against the stores named by `env`. */
  retrain(asOf: number, env: Readonly<Record<string, string | undefined>>): Promise<RetrainOutcome>;
  onStage?(message: string): void;
  onProgress?(arm: ArmName, rows: number, total: number): void;
}

export interface LoopReport {
  readonly world: LoopOptions['world'] & { readonly scenarios: readonly { readonly id: number; readonly name: string }[] };
  readonly period: { readonly from: string; readonly measuredFrom: string; readonly to: string; readonly warmupDays: number; readonly weeks: number };
  readonly transactions: number;
  readonly frauds: number;
  readonly answers: AnswerBehaviour;
  readonly retrainEveryDays: number;
  readonly wave: { readonly startsAt: string; readonly merchants: number; readonly perMerchantPerDay: number; readonly days: number } | null;
  readonly arms: Partial<Record<ArmName, ArmFigures>>;
  readonly seconds: number;
}

/** The simulated moments of retraining: the end of the warm-up, then every `everyDays` until the end. */
export function retrainSchedule(measuredFrom: number, measuredDays: number, everyDays: number): number[] {
  const out: number[] = [];
  for (let d = 0; d < measuredDays; d += everyDays) out.push(measuredFrom + d * DAY);
  return out;
}

interface ArmService {
  readonly url: string;
  readonly apiKey: string | null;
  readonly env: Readonly<Record<string, string | undefined>>;
  stop(): Promise<void>;
}

async function startArmService(target: Extract<LoopTarget, { kind: 'start' }>, arm: ArmName): Promise<ArmService> {
  const work = mkdtempSync(join(tmpdir(), `fraud-loop-${arm}-`));
  const registryDir = join(work, 'registry');
  const dataDir = join(work, 'data');
  cpSync(target.registryDir, registryDir, { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    MODEL_REGISTRY_DIR: registryDir,
    // The stream is simulated (2018 timestamps): every event age is accepted.
    ...REPLAY_EVENT_TIMES,
    // The loop's own service listens on loopback only, for this process.
    AUTH: 'off',
    DECISION_EVENTS: 'off',
    MODEL_POLL_INTERVAL_MS: '250',
    // The registry's rule set when it has one, else the repository's default (wherever this runs from).
    RULES_FILE: existsSync(join(registryDir, 'rules.json')) ? join(registryDir, 'rules.json') : join(projectRoot(), 'models', 'rules.json'),
    // Retraining reads the whole simulated log; nothing is pruned under it.
    DECISION_LOG_RETENTION_DAYS: '0',
    PROFILE_SNAPSHOT: '',
    // Embedded defaults whatever this process's environment says.
    PROFILE_STORE: 'memory',
    DECISION_LOG: 'sqlite',
  };
  let child: ChildServer;
  try {
    child = await startChildServer({ name: `service (${arm})`, script: target.fraudctlScript, args: ['serve'], env: { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, stdoutPath: join(work, 'service.log') });
  } catch (err) {
    if (!target.keepWorkDir) rmSync(work, { recursive: true, force: true });
    throw err;
  }
  return {
    url: child.url,
    apiKey: null,
    env: { ...process.env, ...env },
    async stop() {
      await child.stop();
      if (!target.keepWorkDir) rmSync(work, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the closed loop: simulates the warm-up and the measured weeks of the world (with card
 * testing and the wave when asked for), then for each arm drives a service through the stream
 * (see `driveArm`), retraining on schedule, and reduces its answers to figures. With the `start`
 * target each arm gets a fresh service on embedded defaults from a copy of the registry, so the
 * arms start from the same champion and share nothing, and the arms run at the same time; the services are stopped and their
 * directories deleted whatever happens (unless kept).
 */
export async function runLoop(o: LoopOptions): Promise<LoopReport> {
  const started = performance.now();
  const stage = o.onStage ?? (() => undefined);
  const measuredStartDay = o.startDay + o.warmupDays;
  const waveStartDay = o.waveDay === null ? null : measuredStartDay + o.waveDay;
  const scenarios = scenarioSet(o.cardTestingPerDay, waveStartDay);
  stage(`simulating ${o.warmupDays + o.weeks * 7} days`);
  const sim: SimulationResult = simulate({ ...o.world, startDay: o.startDay, days: o.warmupDays + o.weeks * 7, labelDelayModel: 'chargeback' }, scenarios);
  const dayZero = startEpochSeconds(o.world.startDate);
  const measuredFrom = dayZero + measuredStartDay * DAY;
  const retrainAt = retrainSchedule(measuredFrom, o.weeks * 7, o.retrainEveryDays);
  const chargebackDelay = createLabelDelay('chargeback', o.world.seed);
  const waveFrame = waveStartDay === null ? null : { scenarioId: MERCHANT_WAVE_DEFAULTS.id, startsAt: dayZero + waveStartDay * DAY };
  const arms: Partial<Record<ArmName, ArmFigures>> = {};
  // The arms run side by side, each on its own service: one waits on its service or its
  // retraining while the other streams. The first failure stops the other arm too.
  const abort = new AbortController();
  const runArm = async (arm: ArmName): Promise<void> => {
    stage(`${arm}: starting the service`);
    const service: ArmService =
      o.target.kind === 'start'
        ? await startArmService(o.target, arm)
        : { url: o.target.url, apiKey: o.target.apiKey, env: o.target.env, stop: async () => undefined };
    const client = serviceClient(service.url, o.concurrency, service.apiKey);
    try {
      stage(`${arm}: streaming ${sim.table.length} transactions`);
      const run = await driveArm({
        arm,
        sim,
        client,
        seed: o.world.seed,
        answers: o.answers,
        chargebackDelay,
        concurrency: o.concurrency,
        retrainAt,
        retrain: (asOf) => {
          stage(`${arm}: retraining as of ${new Date(asOf * 1000).toISOString()}`);
          return o.retrain(asOf, service.env);
        },
        onProgress: (rows) => o.onProgress?.(arm, rows, sim.table.length),
        signal: abort.signal,
      });
      arms[arm] = armFigures(run, { sim, measuredFrom, seed: o.world.seed, answers: o.answers, wave: waveFrame });
    } catch (err) {
      abort.abort(err);
      throw err;
    } finally {
      client.close();
      await service.stop();
    }
  };
  const settled = await Promise.allSettled(o.arms.map(runArm));
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  return {
    world: { ...o.world, scenarios: scenarios.map((s) => ({ id: s.id, name: s.name })) },
    period: {
      from: new Date((dayZero + o.startDay * DAY) * 1000).toISOString().slice(0, 10),
      measuredFrom: new Date(measuredFrom * 1000).toISOString().slice(0, 10),
      to: new Date((measuredFrom + o.weeks * 7 * DAY - 1) * 1000).toISOString().slice(0, 10),
      warmupDays: o.warmupDays,
      weeks: o.weeks,
    },
    transactions: sim.table.length,
    frauds: sim.table.fraud.reduce((a, b) => a + b, 0),
    answers: o.answers,
    retrainEveryDays: o.retrainEveryDays,
    wave:
      waveFrame === null
        ? null
        : { startsAt: new Date(waveFrame.startsAt * 1000).toISOString(), merchants: MERCHANT_WAVE_DEFAULTS.merchants, perMerchantPerDay: MERCHANT_WAVE_DEFAULTS.perMerchantPerDay, days: MERCHANT_WAVE_DEFAULTS.days },
    arms,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}
