import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';

/** One line of the registry's audit trail, `<registry>/history.ndjson`. */
export interface RegistryEvent {
  /** When (ISO 8601). */
  readonly at: string;
  /** `promote` and `rollback` move the champion; `retrain` is a retraining run's gate decision (promoted or not). */
  readonly action: 'promote' | 'rollback' | 'retrain';
  /** Who: `--actor`, else MODEL_ACTOR, else user@host of the process. */
  readonly actor: string;
  /** The champion before and after (equal when a retrain kept it). */
  readonly from: string | null;
  readonly to: string | null;
  /** Why, in words (the gate's verdict for a retrain). */
  readonly reason: string;
  /** A retrain's challenger and gate figures. */
  readonly challenger?: string;
  readonly gate?: Readonly<Record<string, unknown>>;
}

/** Who is acting when nobody said: MODEL_ACTOR, else user@host. */
export function defaultActor(env: NodeJS.ProcessEnv): string {
  if (env.MODEL_ACTOR !== undefined && env.MODEL_ACTOR !== '') return env.MODEL_ACTOR;
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (a container's arbitrary uid).
  }
  return `${user}@${hostname()}`;
}

const FILE = 'history.ndjson';

/** Appends one event (one write of one line, O_APPEND: concurrent writers do not interleave). */
export function appendRegistryEvent(root: string, event: RegistryEvent): void {
  mkdirSync(root, { recursive: true });
  appendFileSync(join(root, FILE), `${JSON.stringify(event)}\n`);
}

/** Every event, oldest first (lines that do not parse, such as a torn last line, are skipped). */
export function readRegistryEvents(root: string): RegistryEvent[] {
  const path = join(root, FILE);
  if (!existsSync(path)) return [];
  const out: RegistryEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as RegistryEvent);
    } catch {
      // A line torn by a crash mid-write.
    }
  }
  return out;
}
