import { openDecisionHistory } from '../../records/open-decision-history';
import type { DecisionHistory } from '../../records/decision-history';
import type { EntityRole } from '../../../features';
import type { StoredProfile } from '../../store/profile-store';
import { pruneHistory, type PruneResult } from '../../training/history/prune-history';
import { retentionCut, type RetentionPolicy } from '../../training/history/retention-cut';
import { parseOptions } from '../args';
import { printJson, UsageError, type CliIO, type Command } from '../command';
import { configFromEnv } from '../environment';
import { readSeedOf } from '../inputs';
import { JSON_OPTION, type OptionSpecs } from '../options';

const OPTIONS = {
  before: {
    type: 'string',
    value: 'ISO',
    description: 'prune before this date-time where it is earlier than the retention\'s cut (never later than now less EVENT_MAX_AGE_S and a day)',
    default: 'the cut of DECISION_LOG_RETENTION_DAYS (none when 0)',
  },
  json: JSON_OPTION,
} as const satisfies OptionSpecs;

/** What a prune run reports (`--json`, and retrain's `prune` field). */
export interface PruneReport extends Partial<PruneResult> {
  /** The cut applied (ISO 8601), or null when retention is off. */
  readonly cut: string | null;
  readonly seconds: number;
}

/**
 * Prunes the history at the cut `policy` allows at `now`, with progress on a TTY (quiet with
 * `json`). Resolves to what it did; rejects with the database's error.
 */
export async function runPrune(
  io: CliIO,
  o: { history: DecisionHistory; seed: Readonly<Record<EntityRole, ReadonlyMap<string, StoredProfile>>>; policy: RetentionPolicy; now: Date; json: boolean },
): Promise<PruneReport> {
  const cut = retentionCut(o.now, o.policy);
  const started = Date.now();
  if (cut === null) return { cut, seconds: 0 };
  const tty = !o.json && io.isTTY;
  const result = await pruneHistory({
    history: o.history,
    seed: o.seed,
    cut,
    onProgress: (phase, n) => {
      if (tty && n % 1_000 === 0) io.stderr.write(`\rpruning before ${cut}: ${phase === 'checkpoints' ? `${n} checkpoints` : `${n} rows deleted`}   `);
    },
  });
  if (tty) io.stderr.write('\r');
  return { cut, ...result, seconds: (Date.now() - started) / 1000 };
}

/** The one-line account of a prune run. */
export function pruneSummary(r: PruneReport): string {
  if (r.cut === null) return 'retention is off (DECISION_LOG_RETENTION_DAYS=0): nothing pruned';
  const c = r.checkpoints ?? { user: 0, merchant: 0 };
  return (
    `pruned before ${r.cut}: ${r.deleted?.decisions ?? 0} decisions and ${r.deleted?.labels ?? 0} labels deleted, ` +
    `${c.user} user and ${c.merchant} merchant checkpoints written${(r.broken ?? 0) > 0 ? `, ${r.broken} entities kept whole (a break in their history)` : ''} in ${r.seconds.toFixed(1)} s`
  );
}

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'applies DECISION_LOG_RETENTION_DAYS to the decision log and labels (behind per-entity checkpoints)',
  usage: 'prune [options]',
  options: OPTIONS,
  notes: ['The decision log, DECISION_LOG_RETENTION_DAYS, EVENT_MAX_AGE_S and the PROFILE_SNAPSHOT seed come from the service\'s environment.'],
  async run(args, io) {
    const { values } = parseOptions(args, OPTIONS);
    const before = values.before;
    if (before !== undefined && Number.isNaN(Date.parse(before))) throw new UsageError(`--before must be an ISO 8601 date-time, got "${before}"`);
    const config = configFromEnv(io);
    const json = values.json === true;
    const seed = await readSeedOf(config);
    const history = await openDecisionHistory(config);
    try {
      const report = await runPrune(io, {
        history,
        seed,
        policy: { retentionDays: config.DECISION_LOG_RETENTION_DAYS, maxEventAgeSeconds: config.EVENT_MAX_AGE_S, ...(before === undefined ? {} : { before: new Date(before).toISOString() }) },
        now: new Date(),
        json,
      });
      if (json) printJson(io, report);
      else io.stderr.write(`${pruneSummary(report)}\n`);
      return 0;
    } finally {
      await history.close();
    }
  },
};
