import { formatRfc3339, type LabelEvent } from '../../features';
import { transactionId, transactionTime, type LabelDelay, type SimulationResult } from '../sim';
import { simTransaction } from '../bench/sim-transaction';
import { answerDelaySeconds, type AnswerBehaviour } from './confirmation-app';
import { DueQueue } from './label-queue';
import type { ScoreAnswer, ServiceClient } from './service-client';

/** Which labels reach the service. */
export type ArmName = 'chargebacksOnly' | 'withApp';

/** Decisions as stored per row: 0 = no answer (the request failed). */
export const DECISION_CODES = { none: 0, approve: 1, challenge: 2, decline: 3 } as const;

/** What a scheduled retraining did (the retrain command's `--json` answer, reduced). */
export interface RetrainOutcome {
  /** Simulated moment of the run, epoch seconds. */
  readonly asOf: number;
  readonly promoted: boolean;
  readonly champion: string | null;
  readonly challenger: string | null;
  readonly reason: string;
  /** The gate's figures on the holdout: AP and recall at 1% FPR of each model. */
  readonly gate: { readonly champion: GateFigures | null; readonly challenger: GateFigures | null } | null;
  readonly parityChecked: number;
  readonly parityMismatches: number;
  readonly seconds: number;
}

export interface GateFigures {
  readonly ap: number;
  readonly recallAt1pctFpr: number;
}

/** One arm's drive over the stream. */
export interface ArmPlan {
  readonly arm: ArmName;
  readonly sim: SimulationResult;
  readonly client: ServiceClient;
  /** Seed of the users' answer times (the same in both arms). */
  readonly seed: number;
  readonly answers: AnswerBehaviour;
  /** Seconds from an approved fraud to its chargeback, by global transaction index. */
  readonly chargebackDelay: LabelDelay;
  /** Requests in flight at most. */
  readonly concurrency: number;
  /** Simulated moments (epoch seconds, ascending) at which `retrain` runs. */
  readonly retrainAt: readonly number[];
  retrain(asOf: number): Promise<RetrainOutcome>;
  /** Called with the rows answered so far, now and then. */
  onProgress?(rows: number): void;
  /** Stops the drive (it rejects with the signal's reason) at the next transaction. */
  readonly signal?: AbortSignal;
  /** Longest wait for the service to serve a promoted champion, ms (default 60 s). */
  readonly promotionWaitMs?: number;
}

/** What the service answered for every row of the stream, and what the loop sent it. */
export interface ArmRun {
  readonly arm: ArmName;
  /** Per row of `sim.table`: a {@link DECISION_CODES} value. */
  readonly decision: Uint8Array;
  /** Per row: the score served (NaN without an answer). */
  readonly score: Float32Array;
  /** Per row: 1 when the answer was degraded. */
  readonly degraded: Uint8Array;
  /** Per row: index into `versions` of the model that served it (-1 without an answer). */
  readonly version: Int16Array;
  readonly versions: readonly string[];
  readonly labelsSent: { readonly user_confirmation: number; readonly chargeback: number };
  readonly scoreErrors: number;
  readonly labelErrors: number;
  /** The first few error messages, for the report. */
  readonly errorSamples: readonly string[];
  readonly retrains: readonly RetrainOutcome[];
  readonly wallSeconds: number;
}

/** At most this many requests may fail before the drive stops: the service is down, not flaky. */
const MAX_ERRORS = 1_000;

/** Admits at most `size` tasks at once; the driver awaits `acquire` before each send. */
class Window {
  private active = 0;
  private waiter: (() => void) | null = null;

  constructor(private readonly size: number) {}

  async acquire(): Promise<void> {
    while (this.active >= this.size) await new Promise<void>((resolve) => (this.waiter = resolve));
    this.active++;
  }

  release(): void {
    this.active--;
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  async drain(): Promise<void> {
    while (this.active > 0) await new Promise<void>((resolve) => (this.waiter = resolve));
  }
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Drives one arm: sends every transaction of `plan.sim` to the service in event-time order, with
 * at most `concurrency` requests in flight (so event time advances in steps of about that many
 * transactions), and plays what follows each answer:
 *
 * - a challenged or declined payment is answered by its owner after {@link answerDelaySeconds}
 *   (or never); in the `withApp` arm the answer is posted as a `user_confirmation` label
 *   (fraud: "not me", legitimate: "me") once the stream reaches its time; in `chargebacksOnly` it
 *   is not sent;
 * - an approved fraud comes back as a `chargeback` label after `chargebackDelay`, in both arms;
 * - at each `retrainAt` moment the stream stops, every label due by then is posted, and
 *   `plan.retrain` runs; after a promotion the drive waits until the service serves the new
 *   champion.
 *
 * Labels due after the stream's last transaction are posted at the end up to that moment; later
 * ones never arrive. Rejects when more than 1,000 requests fail.
 */
export async function driveArm(plan: ArmPlan): Promise<ArmRun> {
  const { sim, client } = plan;
  const rows = sim.table.length;
  const decision = new Uint8Array(rows);
  const score = new Float32Array(rows).fill(Number.NaN);
  const degraded = new Uint8Array(rows);
  const version = new Int16Array(rows).fill(-1);
  const versions: string[] = [];
  const versionIndex = new Map<string, number>();
  const labelsSent = { user_confirmation: 0, chargeback: 0 };
  let scoreErrors = 0;
  let labelErrors = 0;
  const errorSamples: string[] = [];
  const retrains: RetrainOutcome[] = [];
  const labels = new DueQueue<LabelEvent>();
  const window = new Window(plan.concurrency);
  const started = performance.now();
  let answered = 0;

  const failed = (message: string) => {
    if (errorSamples.length < 10) errorSamples.push(message);
    if (scoreErrors + labelErrors > MAX_ERRORS) throw new Error(`more than ${MAX_ERRORS} requests to the service failed; first: ${errorSamples.join('; ')}`);
  };
  let fatal: Error | null = null;
  const guard = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      fatal ??= err as Error;
    }
  };

  const sendLabel = async (label: LabelEvent): Promise<void> => {
    await window.acquire();
    client.feedback(label).then(
      () => {
        labelsSent[label.source as 'user_confirmation' | 'chargeback']++;
        window.release();
      },
      (err: Error) => {
        labelErrors++;
        window.release();
        guard(() => failed(`label ${label.transactionId}: ${err.message}`));
      },
    );
  };

  const onAnswer = (row: number, time: number, a: ScoreAnswer) => {
    const code = DECISION_CODES[a.decision] ?? DECISION_CODES.none;
    decision[row] = code;
    score[row] = a.score;
    degraded[row] = a.degraded ? 1 : 0;
    let v = versionIndex.get(a.modelVersion);
    if (v === undefined) {
      v = versions.length;
      versions.push(a.modelVersion);
      versionIndex.set(a.modelVersion, v);
    }
    version[row] = v;
    const index = sim.firstIndex + row;
    const fraud = sim.table.fraud[row] === 1;
    if (code === DECISION_CODES.challenge || code === DECISION_CODES.decline) {
      if (plan.arm !== 'withApp') return;
      const delay = answerDelaySeconds(plan.seed, index, plan.answers);
      if (delay === null) return;
      const at = time + delay;
      labels.push(at, { transactionId: transactionId(index), label: fraud ? 'fraud' : 'legitimate', source: 'user_confirmation', reportedAt: formatRfc3339(at) });
    } else if (fraud && code === DECISION_CODES.approve) {
      const at = time + plan.chargebackDelay(index);
      labels.push(at, { transactionId: transactionId(index), label: 'fraud', source: 'chargeback', reportedAt: formatRfc3339(at) });
    }
  };

  const postDue = async (time: number) => {
    for (const due of labels.popUntil(time)) await sendLabel(due.item);
  };

  const waitForChampion = async (expected: string) => {
    const deadline = Date.now() + (plan.promotionWaitMs ?? 60_000);
    for (;;) {
      const serving = await client.champion().catch(() => null);
      if (serving === expected) return;
      if (Date.now() > deadline) throw new Error(`the service did not serve the promoted champion ${expected} within ${plan.promotionWaitMs ?? 60_000} ms (it serves ${serving ?? 'nothing'})`);
      await pause(100);
    }
  };

  let nextRetrain = 0;
  const retrainUntil = async (time: number) => {
    while (nextRetrain < plan.retrainAt.length && (plan.retrainAt[nextRetrain] as number) <= time) {
      const asOf = plan.retrainAt[nextRetrain++] as number;
      await window.drain();
      await postDue(asOf);
      await window.drain();
      if (fatal !== null) throw fatal;
      const outcome = await plan.retrain(asOf);
      retrains.push(outcome);
      if (outcome.promoted && outcome.champion !== null) await waitForChampion(outcome.champion);
    }
  };

  for (let row = 0; row < rows; row++) {
    if (fatal !== null) throw fatal;
    plan.signal?.throwIfAborted();
    const time = transactionTime(sim, row);
    await retrainUntil(time);
    await postDue(time);
    await window.acquire();
    const txn = simTransaction(sim, row);
    client.score(txn).then(
      (a) => {
        window.release();
        guard(() => onAnswer(row, time, a));
        answered++;
        if ((answered & 1023) === 0) plan.onProgress?.(answered);
      },
      (err: Error) => {
        scoreErrors++;
        window.release();
        answered++;
        guard(() => failed(`score ${txn.transactionId}: ${err.message}`));
      },
    );
  }
  await window.drain();
  const end = rows === 0 ? 0 : transactionTime(sim, rows - 1);
  await retrainUntil(end);
  await postDue(end);
  await window.drain();
  if (fatal !== null) throw fatal;
  plan.onProgress?.(rows);
  return {
    arm: plan.arm,
    decision,
    score,
    degraded,
    version,
    versions,
    labelsSent,
    scoreErrors,
    labelErrors,
    errorSamples,
    retrains,
    wallSeconds: (performance.now() - started) / 1000,
  };
}
