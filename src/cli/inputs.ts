import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityRole } from '../../features';
import type { Config } from '../config/config';
import { readSeed } from '../store/profile-snapshot';
import type { StoredProfile } from '../store/profile-store';
import { SIDECAR_FILE } from '../training/dataset/dataset-format';
import { CommandExit } from './command';

/*
 * The inputs commands read, checked before use: a missing one ends the command with code
 * `not_found` (exit 2) and a message naming it, never an empty result or a file created in its place.
 */

/**
 * Returns `path` when it exists; otherwise throws a CommandExit (`not_found`):
 * `no <what> at <path> (<from>)`, `from` saying where the path came from (an option, a variable).
 */
export function requireInput(what: string, path: string, from?: string): string {
  if (!existsSync(path)) throw new CommandExit(`no ${what} at ${path}${from === undefined ? '' : ` (${from})`}`, 'not_found');
  return path;
}

/** A model registry the command reads (a mistyped path is not an empty registry). */
export function requireRegistry(root: string, from = '--registry or MODEL_REGISTRY_DIR'): string {
  return requireInput('model registry', root, from);
}

/** A directory `fraudctl build-dataset` wrote (its sidecar is there). */
export function requireDataset(dir: string): string {
  if (!existsSync(join(dir, SIDECAR_FILE))) throw new CommandExit(`no dataset at ${dir} (a directory build-dataset wrote, with ${SIDECAR_FILE})`, 'not_found');
  return dir;
}

/** The profiles of PROFILE_SNAPSHOT (empty maps when it is unset); a set but missing file ends the command. */
export async function readSeedOf(config: Pick<Config, 'PROFILE_SNAPSHOT'>): Promise<Record<EntityRole, Map<string, StoredProfile>>> {
  if (config.PROFILE_SNAPSHOT !== undefined) requireInput('profile snapshot', config.PROFILE_SNAPSHOT, 'PROFILE_SNAPSHOT');
  return readSeed(config.PROFILE_SNAPSHOT);
}
