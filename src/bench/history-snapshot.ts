import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { featureSpecHash } from '../model/feature-spec-hash';
import { arrivalOrder, labelEvent, simulate, type SimulationResult } from '../sim';
import { profileEntries, writeSnapshot } from '../store/profile-snapshot';
import { OfflineReplay } from '../training/dataset/replay';
import { FEATURE_COUNT } from '../../features';
import type { BenchWorld } from './bench-world';
import { simTransaction } from './sim-transaction';

/** A profile snapshot of the world's history, ready for `PROFILE_SNAPSHOT`. */
export interface HistorySnapshot {
  readonly path: string;
  /** True when an earlier run's file was reused. */
  readonly cached: boolean;
  /** Epoch seconds where the history ends (00:00 UTC of day `historyDays`). */
  readonly endEpochSeconds: number;
}

/** Bumped when the way the snapshot is built changes, so stale cache files are not reused. */
const FORMAT = 1;

/**
 * Names the snapshot by what it is built from: the replay format, the feature spec and the
 * simulated history itself (its columns and labels), so a changed simulator or feature set never
 * reuses a stale file.
 */
function cacheKey(r: SimulationResult): string {
  const h = createHash('sha256').update(JSON.stringify([FORMAT, featureSpecHash(), r.options, r.table.length, r.labels.length]));
  const t = r.table;
  for (const column of [t.day, t.second, t.customer, t.terminal, t.amountMinor, t.channel, t.fraud, r.labels.row, r.labels.reportedAt]) {
    h.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  return h.digest('hex').slice(0, 16);
}


/**
 * The profiles every user and merchant of `world` has after its history: the history's
 * transactions and the labels that arrived before its end, replayed in arrival order through the
 * same `features/` code the service runs (OfflineReplay). The history is simulated each time
 * (about a second); the replay is done once and its snapshot kept as
 * `<cacheDir>/history-<key>.ndjson` (see cacheKey). The file appears atomically, so an
 * interrupted run leaves no half snapshot.
 */
export async function historySnapshot(world: BenchWorld, cacheDir: string, onStage: (stage: string) => void = () => undefined): Promise<HistorySnapshot> {
  onStage(`simulating ${world.historyDays} days of history`);
  const r = simulate({ seed: world.seed, customers: world.customers, terminals: world.terminals, startDay: 0, days: world.historyDays });
  const path = join(cacheDir, `history-${cacheKey(r)}.ndjson`);
  const end = r.startEpochSeconds + world.historyDays * 86_400;
  if (existsSync(path)) return { path, cached: true, endEpochSeconds: end };
  onStage(`replaying ${r.table.length} history transactions into profiles`);
  const replay = new OfflineReplay();
  const features = new Float32Array(FEATURE_COUNT);
  for (const item of arrivalOrder(r)) {
    if (item.kind === 'transaction') replay.transaction(simTransaction(r, item.row), features);
    // Labels that would arrive after the history ends are not known yet when the load starts.
    else if ((r.labels.reportedAt[item.label] as number) < end) {
      const e = labelEvent(r, item.label);
      if (e.type === 'label') replay.label(e);
    }
  }
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeSnapshot(tmp, profileEntries(replay.profiles()));
  renameSync(tmp, path);
  return { path, cached: false, endEpochSeconds: end };
}
