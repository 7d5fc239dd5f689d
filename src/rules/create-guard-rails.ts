import type { Logger } from 'pino';
import { ReloadingFile } from '../auth/reloading-file';
import type { Config } from '../config/config';
import type { ServiceMetrics } from '../telemetry/metrics';
import { GuardRails } from './guard-rails';
import { ListSnapshot } from './list-snapshot';
import type { ListStore } from './list-store';
import { compileRuleSet, type RuleSet } from './rule-set';

/** The guard rails and what they hold open. */
export interface OpenGuardRails {
  readonly rails: GuardRails;
  close(): void;
}

/**
 * The guard rails from config: the rule set RULES_FILE names (none for `none`), reloaded every
 * RULES_RELOAD_INTERVAL_MS (a change that does not compile is refused, counted and logged; the
 * last good set keeps serving), and this replica's snapshot of the lists in `lists`, polled every
 * LIST_SYNC_INTERVAL_MS. Throws when the rule file cannot be read or compiled at start (a service
 * never starts on a set it cannot read); rejects when the list store cannot be read.
 */
export async function createGuardRails(config: Config, lists: ListStore, metrics: ServiceMetrics, logger: Logger, onError: (what: string, err: unknown) => void, now: () => number): Promise<OpenGuardRails> {
  if (config.RULES_FILE === 'none') return { rails: new GuardRails(() => null, null, metrics), close: () => undefined };
  const file = ReloadingFile.load<RuleSet>({
    path: config.RULES_FILE,
    parse: compileRuleSet,
    intervalMs: config.RULES_RELOAD_INTERVAL_MS,
    onError: (err) => {
      metrics.ruleSetLoadFailures.inc();
      onError('rule set refused', err);
    },
    onReload: (set) => {
      logger.info({ version: set.version, hash: set.hash, rules: set.rules.length, lists: set.lists.length }, `rule set ${set.version} in force`);
      rails.prepare();
    },
  });
  let snapshot: ListSnapshot;
  try {
    snapshot = await ListSnapshot.load(lists, {
      intervalMs: config.LIST_SYNC_INTERVAL_MS,
      now,
      onError: (err) => {
        metrics.listSyncFailures.inc();
        onError('list sync', err);
      },
      onSynced: (counts) => {
        for (const [list, n] of counts) metrics.listEntries.set({ list }, n);
      },
    });
  } catch (err) {
    file.close();
    throw err;
  }
  const rails = new GuardRails(() => file.value(), snapshot, metrics);
  const age = setInterval(() => metrics.listSyncAge.set(snapshot.age() / 1000), 1000);
  age.unref();
  rails.prepare();
  const set = file.value();
  logger.info({ version: set.version, hash: set.hash, rules: set.rules.length, lists: set.lists.length }, `rule set ${set.version} in force`);
  return {
    rails,
    close() {
      clearInterval(age);
      file.close();
      snapshot.close();
    },
  };
}
