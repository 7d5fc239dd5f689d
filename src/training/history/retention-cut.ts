const DAY_MS = 86_400_000;

export interface RetentionPolicy {
  /** DECISION_LOG_RETENTION_DAYS: records older than this may go; 0 = keep everything. */
  readonly retentionDays: number;
  /** EVENT_MAX_AGE_S: a retry may come this long after its event, and must still find its record. */
  readonly maxEventAgeSeconds: number;
  /** Epoch seconds: records from here on are still needed (a retraining window's start). */
  readonly keepFrom?: number;
  /** An explicit cut asked for (ISO 8601), applied only where it is earlier than the others. */
  readonly before?: string;
}

/**
 * The wall-clock time before which decision-log records may be pruned at `now` (ISO 8601), or null
 * when nothing may be: retention off and no explicit cut. Never later than `now` less the longest a
 * retry can still arrive (EVENT_MAX_AGE_S, plus a day: its record must answer it), nor than a day
 * before `keepFrom`. With replay settings (EVENT_MAX_AGE_S of centuries) that is before any record.
 */
export function retentionCut(now: Date, p: RetentionPolicy): string | null {
  if (p.retentionDays === 0 && p.before === undefined) return null;
  const limits = [now.getTime() - p.maxEventAgeSeconds * 1000 - DAY_MS];
  if (p.retentionDays > 0) limits.push(now.getTime() - p.retentionDays * DAY_MS);
  if (p.keepFrom !== undefined) limits.push(p.keepFrom * 1000 - DAY_MS);
  if (p.before !== undefined) limits.push(Date.parse(p.before));
  // Clamp to the epoch: replay settings reach back centuries, before every record anyway.
  return new Date(Math.max(Math.min(...limits), 0)).toISOString();
}
