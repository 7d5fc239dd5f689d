import type { DecisionLog } from '../records/decision-log';
import type { ProfileStore } from './profile-store';

/** What {@link checkProfileStore} found. */
export type StoreCheck =
  | { readonly status: 'ok' }
  | { readonly status: 'initialized'; readonly message: string }
  | { readonly status: 'lost'; readonly lostSlots: number; readonly message: string };

/**
 * Checks a store's slot sentinels against the decision log (stores without sentinels are always
 * `ok`). No sentinel at all and no versioned history in the log: a new deployment, whose
 * sentinels are created now (`initialized`). Missing sentinels otherwise: the store lost data that
 * profiles were built from (`lost`): steps on those slots are refused, and so degraded, until
 * `fraudctl profiles rebuild` restores them. Rejects when the store or the log cannot be read.
 */
export async function checkProfileStore(store: ProfileStore, decisionLog: DecisionLog): Promise<StoreCheck> {
  const admin = store.admin;
  if (admin === undefined || admin.slots === 0) return { status: 'ok' };
  const lost = await admin.lostSlots();
  if (lost.length === 0) return { status: 'ok' };
  if (lost.length === admin.slots && !(await decisionLog.hasHistory())) {
    await admin.restoreSentinels();
    return { status: 'initialized', message: `profile store initialised: ${admin.slots} slot sentinels created` };
  }
  return {
    status: 'lost',
    lostSlots: lost.length,
    message: `the ${store.kind} profile store lost the data of ${lost.length} of ${admin.slots} hash slots (restarted without persistence?) while the decision log holds their history: steps there are refused and answers degraded until \`fraudctl profiles rebuild\` restores them`,
  };
}
