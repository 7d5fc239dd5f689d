import { transactionTime, type SimulationResult } from '../sim';
import { aucRoc, averagePrecision } from '../training/metrics';
import { answerDelaySeconds, type AnswerBehaviour } from './confirmation-app';
import { DECISION_CODES, type ArmRun, type RetrainOutcome } from './drive-arm';

const DAY = 86_400;
const WEEK = 7 * DAY;
/** A legitimate payment within this long after a fraud on the same card is a victim's. */
const VICTIM_WINDOW_S = 30 * DAY;

/**
 * What became of each payment, in one partition: a fraud is stopped (declined, or challenged and
 * denied by its owner), unanswered (challenged, never answered: held, neither stopped nor let
 * through), missed (approved) or unscored (the request failed); a legitimate payment meets
 * friction when challenged or declined.
 */
export interface Outcomes {
  readonly transactions: number;
  readonly frauds: number;
  /** EUR. */
  readonly fraudAmount: number;
  readonly stoppedFrauds: number;
  readonly stoppedAmount: number;
  readonly missedFrauds: number;
  readonly missedAmount: number;
  readonly unansweredFrauds: number;
  readonly legitimate: number;
  readonly legitimateChallenged: number;
  readonly legitimateDeclined: number;
  /**
   * Of the legitimate payments challenged or declined, those of a card with a fraud in the 30 days
   * before: a fraud victim's own payments, held because the card is known compromised (the
   * simulation does not reissue cards; a bank would).
   */
  readonly victimFriction: number;
  /** Challenges (fraud or not) their owner never answered. */
  readonly unansweredChallenges: number;
  readonly unscored: number;
  readonly degraded: number;
}

/** Shares over an {@link Outcomes}: 0 to 1, null when there is nothing to share. */
export interface Shares {
  readonly fraudCountStoppedShare: number | null;
  readonly fraudAmountStoppedShare: number | null;
  readonly fraudAmountMissedShare: number | null;
  readonly legitimateFrictionShare: number | null;
  /** Challenges and declines of legitimate payments per 1,000 legitimate payments. */
  readonly legitimateFrictionPer1000: number | null;
}

export interface WeekFigures extends Outcomes, Shares {
  /** 1, 2, … for measured weeks; 0, -1, … for warm-up weeks (0 = the last one). */
  readonly week: number;
  readonly warmUp: boolean;
  /** First and last simulated day, YYYY-MM-DD. */
  readonly from: string;
  readonly to: string;
  /** AP and AUC of the served scores against the truth (null when a class is absent). */
  readonly ap: number | null;
  readonly auc: number | null;
  /** The model that served most of the week's payments, and every model that served some. */
  readonly champion: string | null;
  readonly models: Readonly<Record<string, number>>;
}

export interface ScenarioFigures extends Shares {
  readonly id: number;
  readonly name: string;
  readonly frauds: number;
  readonly fraudAmount: number;
  readonly stoppedFrauds: number;
  readonly stoppedAmount: number;
}

/** How fast an arm reacts to the merchant-compromise wave. */
export interface WaveFigures {
  readonly startedAt: string;
  readonly frauds: number;
  readonly fraudAmount: number;
  readonly fraudAmountStoppedShare: number | null;
  /**
   * Hours from the start of the wave to the first of its frauds from which most of its fraud
   * amount is stopped at every moment after (see {@link reactionSeconds}); null: never.
   */
  readonly reactionHours: number | null;
  /** The same for each compromised merchant on its own, ascending (null, never, last). */
  readonly merchantReactionHours: readonly (number | null)[];
  /** Their median (the lower middle one), null when none or never. */
  readonly medianMerchantReactionHours: number | null;
  /** Share of the wave's fraud amount stopped on each day since it started (null: no wave fraud that day). */
  readonly dailyAmountStoppedShare: readonly (number | null)[];
}

export interface ArmFigures extends Outcomes, Shares {
  readonly arm: ArmRun['arm'];
  readonly weeks: readonly WeekFigures[];
  readonly ap: number | null;
  readonly auc: number | null;
  readonly byScenario: readonly ScenarioFigures[];
  readonly wave: WaveFigures | null;
  readonly retrains: readonly RetrainOutcome[];
  readonly promotions: number;
  readonly labelsSent: ArmRun['labelsSent'];
  readonly scoreErrors: number;
  readonly labelErrors: number;
  readonly errorSamples: readonly string[];
  readonly wallSeconds: number;
}

class Tally {
  transactions = 0;
  frauds = 0;
  fraudAmount = 0;
  stoppedFrauds = 0;
  stoppedAmount = 0;
  missedFrauds = 0;
  missedAmount = 0;
  unansweredFrauds = 0;
  legitimate = 0;
  legitimateChallenged = 0;
  legitimateDeclined = 0;
  victimFriction = 0;
  unansweredChallenges = 0;
  unscored = 0;
  degraded = 0;

  outcomes(): Outcomes {
    const { transactions, frauds, stoppedFrauds, missedFrauds, unansweredFrauds, legitimate, legitimateChallenged, legitimateDeclined, victimFriction, unansweredChallenges, unscored, degraded } = this;
    const money = (v: number) => Math.round(v * 100) / 100;
    return {
      transactions,
      frauds,
      fraudAmount: money(this.fraudAmount),
      stoppedFrauds,
      stoppedAmount: money(this.stoppedAmount),
      missedFrauds,
      missedAmount: money(this.missedAmount),
      unansweredFrauds,
      legitimate,
      legitimateChallenged,
      legitimateDeclined,
      victimFriction,
      unansweredChallenges,
      unscored,
      degraded,
    };
  }
}

const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);

function shares(o: Outcomes): Shares {
  const friction = o.legitimateChallenged + o.legitimateDeclined;
  return {
    fraudCountStoppedShare: ratio(o.stoppedFrauds, o.frauds),
    fraudAmountStoppedShare: ratio(o.stoppedAmount, o.fraudAmount),
    fraudAmountMissedShare: ratio(o.missedAmount, o.fraudAmount),
    legitimateFrictionShare: ratio(friction, o.legitimate),
    legitimateFrictionPer1000: o.legitimate === 0 ? null : (1000 * friction) / o.legitimate,
  };
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** AP and AUC of the served scores of `rows` (rows without a score are left out). */
function ranking(run: ArmRun, sim: SimulationResult, rows: readonly number[]): { ap: number | null; auc: number | null } {
  const scored = rows.filter((r) => !Number.isNaN(run.score[r] as number));
  const scores = Float32Array.from(scored, (r) => run.score[r] as number);
  const labels = Uint8Array.from(scored, (r) => sim.table.fraud[r] as number);
  if (!labels.includes(1) || !labels.includes(0)) return { ap: null, auc: null };
  return { ap: finite(averagePrecision(scores, labels)), auc: finite(aucRoc(scores, labels)) };
}

const isoDay = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString().slice(0, 10);

/** The simulation's frame for the figures: where measuring starts, the users' answers and the wave. */
export interface FigureFrame {
  readonly sim: SimulationResult;
  /** Epoch seconds at which the measured weeks start (the end of the warm-up). */
  readonly measuredFrom: number;
  readonly seed: number;
  readonly answers: AnswerBehaviour;
  /** The wave's scenario id and start (epoch seconds), or null without a wave. */
  readonly wave: { readonly scenarioId: number; readonly startsAt: number } | null;
}

/**
 * Reduces one arm's answers to the report's figures: per simulated week (warm-up weeks flagged)
 * and in total over the measured weeks, by fraud scenario, and the wave's reaction. The users'
 * answers are drawn again from their own streams, so they are the ones the drive played.
 */
export function armFigures(run: ArmRun, frame: FigureFrame): ArmFigures {
  const { sim } = frame;
  const t = sim.table;
  const weeks = new Map<number, { tally: Tally; rows: number[]; models: Map<number, number> }>();
  const total = new Tally();
  const measuredRows: number[] = [];
  const scenarioTallies = new Map<number, Tally>();
  const waveRows: number[] = [];
  const stopped = new Uint8Array(t.length);
  const lastFraud = new Map<number, number>();
  for (let row = 0; row < t.length; row++) {
    const time = transactionTime(sim, row);
    const week = Math.floor((time - frame.measuredFrom) / WEEK) + 1;
    let w = weeks.get(week);
    if (w === undefined) weeks.set(week, (w = { tally: new Tally(), rows: [], models: new Map() }));
    const tallies = week >= 1 ? [w.tally, total] : [w.tally];
    const fraud = t.fraud[row] === 1;
    const amount = (t.amountMinor[row] as number) / 100;
    const code = run.decision[row] as number;
    const v = run.version[row] as number;
    if (v >= 0) w.models.set(v, (w.models.get(v) ?? 0) + 1);
    w.rows.push(row);
    if (week >= 1) measuredRows.push(row);
    let scenario: Tally | undefined;
    if (fraud && week >= 1) {
      const id = t.scenario[row] as number;
      scenario = scenarioTallies.get(id);
      if (scenario === undefined) scenarioTallies.set(id, (scenario = new Tally()));
    }
    const held = code === DECISION_CODES.challenge || code === DECISION_CODES.decline;
    const customer = t.customer[row] as number;
    const victim = !fraud && time - (lastFraud.get(customer) ?? -Infinity) <= VICTIM_WINDOW_S;
    if (fraud) lastFraud.set(customer, time);
    const answered = held ? answerDelaySeconds(frame.seed, sim.firstIndex + row, frame.answers) !== null : false;
    for (const k of scenario === undefined ? tallies : [...tallies, scenario]) {
      k.transactions++;
      if (run.degraded[row] === 1) k.degraded++;
      if (code === DECISION_CODES.none) k.unscored++;
      if (code === DECISION_CODES.challenge && !answered) k.unansweredChallenges++;
      if (fraud) {
        k.frauds++;
        k.fraudAmount += amount;
        if (code === DECISION_CODES.decline || (code === DECISION_CODES.challenge && answered)) {
          k.stoppedFrauds++;
          k.stoppedAmount += amount;
        } else if (code === DECISION_CODES.challenge) k.unansweredFrauds++;
        else if (code === DECISION_CODES.approve) {
          k.missedFrauds++;
          k.missedAmount += amount;
        }
      } else {
        k.legitimate++;
        if (code === DECISION_CODES.challenge) k.legitimateChallenged++;
        if (code === DECISION_CODES.decline) k.legitimateDeclined++;
        if (held && victim) k.victimFriction++;
      }
    }
    if (fraud && (code === DECISION_CODES.decline || (code === DECISION_CODES.challenge && answered))) stopped[row] = 1;
    if (fraud && frame.wave !== null && t.scenario[row] === frame.wave.scenarioId) waveRows.push(row);
  }
  const weekFigures: WeekFigures[] = [...weeks.entries()]
    .sort(([a], [b]) => a - b)
    .map(([week, w]) => {
      const from = frame.measuredFrom + (week - 1) * WEEK;
      const o = w.tally.outcomes();
      const models = [...w.models.entries()].sort((a, b) => b[1] - a[1]);
      return {
        week,
        warmUp: week < 1,
        from: isoDay(Math.max(from, transactionTime(sim, w.rows[0] as number))),
        to: isoDay(Math.min(from + WEEK - 1, transactionTime(sim, w.rows[w.rows.length - 1] as number))),
        ...o,
        ...shares(o),
        ...ranking(run, sim, w.rows),
        champion: models.length === 0 ? null : (run.versions[(models[0] as [number, number])[0]] as string),
        models: Object.fromEntries(models.map(([v, n]) => [run.versions[v] as string, n])),
      };
    });
  const names = new Map(sim.scenarios.map((s) => [s.id, s.name]));
  const byScenario: ScenarioFigures[] = [...scenarioTallies.entries()]
    .sort(([a], [b]) => a - b)
    .map(([id, k]) => {
      const o = k.outcomes();
      return { id, name: names.get(id) ?? `scenario ${id}`, frauds: o.frauds, fraudAmount: o.fraudAmount, stoppedFrauds: o.stoppedFrauds, stoppedAmount: o.stoppedAmount, ...shares(o) };
    });
  const o = total.outcomes();
  return {
    arm: run.arm,
    ...o,
    ...shares(o),
    ...ranking(run, sim, measuredRows),
    weeks: weekFigures,
    byScenario,
    wave: frame.wave === null ? null : waveFigures(sim, waveRows, stopped, frame.wave.startsAt),
    retrains: run.retrains,
    promotions: run.retrains.filter((r) => r.promoted).length,
    labelsSent: run.labelsSent,
    scoreErrors: run.scoreErrors,
    labelErrors: run.labelErrors,
    errorSamples: run.errorSamples,
    wallSeconds: Math.round(run.wallSeconds * 10) / 10,
  };
}

/**
 * Seconds from `startsAt` to the first of `rows` (time order) from which most of the fraud amount
 * is stopped at every moment after: for every later row, the stopped share of the amount from
 * that first row up to it is over one half. Null when no row qualifies. Quadratic in the rows (a
 * wave has a few thousand at most).
 */
export function reactionSeconds(sim: SimulationResult, rows: readonly number[], stopped: Uint8Array, startsAt: number): number | null {
  const amount = (r: number) => (sim.table.amountMinor[r] as number) / 100;
  for (let i = 0; i < rows.length; i++) {
    let total = 0;
    let held = 0;
    let always = true;
    for (let j = i; j < rows.length && always; j++) {
      const r = rows[j] as number;
      total += amount(r);
      if (stopped[r] === 1) held += amount(r);
      always = 2 * held > total;
    }
    if (always) return Math.max(0, transactionTime(sim, rows[i] as number) - startsAt);
  }
  return null;
}

const hours = (seconds: number | null) => (seconds === null ? null : Math.round((seconds / 3600) * 10) / 10);

/** The wave's figures from its fraud rows (time order) and which of them were stopped. */
export function waveFigures(sim: SimulationResult, rows: readonly number[], stopped: Uint8Array, startsAt: number): WaveFigures {
  const amount = (r: number) => (sim.table.amountMinor[r] as number) / 100;
  let total = 0;
  let stoppedTotal = 0;
  const days: { total: number; stopped: number }[] = [];
  const byMerchant = new Map<number, number[]>();
  for (const r of rows) {
    const a = amount(r);
    total += a;
    if (stopped[r] === 1) stoppedTotal += a;
    const d = Math.floor((transactionTime(sim, r) - startsAt) / DAY);
    while (days.length <= d) days.push({ total: 0, stopped: 0 });
    const day = days[d] as { total: number; stopped: number };
    day.total += a;
    if (stopped[r] === 1) day.stopped += a;
    const m = sim.table.terminal[r] as number;
    const list = byMerchant.get(m);
    if (list === undefined) byMerchant.set(m, [r]);
    else list.push(r);
  }
  const merchantReactionHours = [...byMerchant.values()].map((list) => hours(reactionSeconds(sim, list, stopped, startsAt))).sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
  return {
    startedAt: new Date(startsAt * 1000).toISOString(),
    frauds: rows.length,
    fraudAmount: Math.round(total * 100) / 100,
    fraudAmountStoppedShare: ratio(stoppedTotal, total),
    reactionHours: hours(reactionSeconds(sim, rows, stopped, startsAt)),
    merchantReactionHours,
    medianMerchantReactionHours: merchantReactionHours.length === 0 ? null : (merchantReactionHours[Math.floor((merchantReactionHours.length - 1) / 2)] ?? null),
    dailyAmountStoppedShare: days.map((d) => ratio(d.stopped, d.total)),
  };
}
