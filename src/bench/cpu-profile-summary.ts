import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** One function's share of a V8 CPU profile. */
export interface ProfileEntry {
  /** `name (file:line)`; file relative to the project root, or `node_modules/<package>/…`. */
  readonly function: string;
  /** Time with this function on top of the stack, ms. */
  readonly selfMs: number;
  /** selfMs as a percentage of the busy (non-idle) time. */
  readonly selfPercent: number;
}

/** The summary of one `.cpuprofile` file. */
export interface ProfileSummary {
  readonly file: string;
  /** Sampled time the process was busy (everything except `(idle)`), ms. */
  readonly busyMs: number;
  readonly top: readonly ProfileEntry[];
}

interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number } }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function where(url: string, root: string): string {
  if (url === '') return '';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm);
  return path.startsWith('/') ? relative(root, path) : path;
}

/**
 * Self time per function of a V8 `.cpuprofile` (what `node --cpu-prof` writes), largest first:
 * each sample's time delta goes to the function on top of the stack, summed over every place the
 * function appears in the call tree. Throws when the file is not a CPU profile.
 */
export function summarizeCpuProfile(file: string, root: string, limit = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  if (!Array.isArray(profile.nodes) || !Array.isArray(profile.samples) || !Array.isArray(profile.timeDeltas)) throw new Error(`${file} is not a V8 CPU profile`);
  const nameOf = new Map<number, string>();
  for (const n of profile.nodes) {
    const f = n.callFrame;
    const at = where(f.url, root);
    nameOf.set(n.id, `${f.functionName === '' ? '(anonymous)' : f.functionName}${at === '' ? '' : ` (${at}:${f.lineNumber + 1})`}`);
  }
  const self = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const name = nameOf.get(profile.samples[i] as number) ?? '(unknown)';
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  self.delete('(idle)');
  const busy = [...self.values()].reduce((a, b) => a + b, 0);
  const top = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([fn, us]) => ({ function: fn, selfMs: Math.round(us / 100) / 10, selfPercent: busy === 0 ? 0 : Math.round((1000 * us) / busy) / 10 }));
  return { file, busyMs: Math.round(busy / 1000), top };
}
