import Ajv from 'ajv';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelMetadataSchema, type ModelMetadata, type ModelStatus } from './model-metadata';
import type { ModelSigner, TrustedKeys } from './model-signature';
import { appendRegistryEvent, type RegistryEvent } from './registry-history';

/** The champion pointer file, `<registry>/champion.json`. */
export interface ChampionPointer {
  readonly version: string;
  readonly updatedAt: string;
  /** Earlier champions, most recent first; `rollback` pops from here. */
  readonly history: readonly string[];
}

/** A registry entry as read from disk. */
export interface RegistryEntry {
  readonly dir: string;
  readonly metadata: ModelMetadata;
}

/** A problem with a registry entry or operation, with a message for operators. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

const POINTER_FILE = 'champion.json';
const compiledMetadata = new Ajv({ allErrors: true, strict: false }).compile(modelMetadataSchema);

/** Checks a model.json document; returns the first problem as text, or null when valid. */
export function metadataProblem(value: unknown): string | null {
  if (compiledMetadata(value)) return null;
  const e = compiledMetadata.errors?.[0];
  return `${e?.instancePath || '/'} ${e?.message ?? 'is invalid'}`;
}

/** SHA-256 (hex) of a byte buffer. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes a file atomically: a temporary sibling, then rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * The model registry on disk: `<root>/<version>/{model.onnx, model.json, report.html}` plus the
 * champion pointer `<root>/champion.json`. Every write is atomic (new entries are written to a
 * temporary directory and renamed into place; files are written then renamed), so a reader such as
 * the polling service never sees half a model. The pointer is the source of truth for which model
 * is champion; `status` in model.json mirrors it for humans.
 */
/** What a promotion or rollback records in the audit trail: who and why. */
export interface Audit {
  readonly actor: string;
  readonly reason: string;
}

/** How a registry signs what it adds and checks what it promotes (both optional). */
export interface RegistryTrust {
  /** Signs every entry `add` writes. */
  readonly signer?: ModelSigner | null;
  /**
   * When set, `promote`, `rollback` and {@link ModelRegistry.verify} accept only entries signed by
   * one of the keys it gives; called on each check, so keys added or removed count at once.
   */
  readonly trusted?: (() => TrustedKeys) | null;
}

export class ModelRegistry {
  constructor(
    readonly root: string,
    private readonly trust: RegistryTrust = {},
  ) {}

  /** Whether entries must carry a trusted signature to be promoted or served. */
  get verifies(): boolean {
    return (this.trust.trusted ?? null) !== null;
  }

  /**
   * Throws a RegistryError saying why when the registry checks signatures and `entry`'s model.json
   * is unsigned, signed by an unknown key, or changed since it was signed. The ONNX file itself is
   * covered through its sha256 (checked when it is loaded).
   */
  verify(entry: RegistryEntry): void {
    const trusted = this.trust.trusted ?? null;
    if (trusted === null) return;
    let problem: string | null;
    try {
      problem = trusted().problem(entry.metadata);
    } catch (err) {
      problem = `the trusted keys cannot be read: ${(err as Error).message}`;
    }
    if (problem !== null) throw new RegistryError(`model ${entry.metadata.version} is refused: ${problem}`);
  }

  /** Appends an event to the registry's audit trail (history.ndjson). */
  record(event: RegistryEvent): void {
    appendRegistryEvent(this.root, event);
  }

  /** Parses and checks `<dir>/model.json`. Throws a RegistryError naming the problem. */
  static readMetadata(dir: string): ModelMetadata {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    } catch (err) {
      throw new RegistryError(`${dir}/model.json: ${(err as Error).message}`);
    }
    const problem = metadataProblem(parsed);
    if (problem !== null) throw new RegistryError(`${dir}/model.json: ${problem}`);
    return parsed as ModelMetadata;
  }

  /** Every entry, oldest first (versions sort by creation time). Unreadable entries are skipped. */
  list(): RegistryEntry[] {
    if (!existsSync(this.root)) return [];
    const out: RegistryEntry[] = [];
    for (const name of readdirSync(this.root, { withFileTypes: true })) {
      if (!name.isDirectory() || name.name.startsWith('.')) continue;
      const dir = join(this.root, name.name);
      try {
        out.push({ dir, metadata: ModelRegistry.readMetadata(dir) });
      } catch {
        // A broken entry must not hide the good ones; `get` reports it when asked for by name.
      }
    }
    return out.sort((a, b) => (a.metadata.createdAt < b.metadata.createdAt ? -1 : a.metadata.createdAt > b.metadata.createdAt ? 1 : a.metadata.version.localeCompare(b.metadata.version)));
  }

  /** One entry by version. Throws a RegistryError when absent or invalid. */
  get(version: string): RegistryEntry {
    const dir = join(this.root, version);
    if (!/^[A-Za-z0-9._-]{1,80}$/.test(version) || !existsSync(dir)) throw new RegistryError(`no model ${version} in ${this.root}`);
    const metadata = ModelRegistry.readMetadata(dir);
    if (metadata.version !== version) throw new RegistryError(`${dir}/model.json: version ${metadata.version} does not match its directory`);
    return { dir, metadata };
  }

  /** The champion pointer, or null when no model was ever promoted. */
  pointer(): ChampionPointer | null {
    const path = join(this.root, POINTER_FILE);
    if (!existsSync(path)) return null;
    return JSON.parse(readFileSync(path, 'utf8')) as ChampionPointer;
  }

  /** The champion entry, or null. */
  champion(): RegistryEntry | null {
    const p = this.pointer();
    return p === null ? null : this.get(p.version);
  }

  /**
   * Adds a new entry. `files` maps file names to contents and must include `model.onnx` and the
   * explainer when model.json names one; model.json is written from `metadata` (its checksums must
   * match those files). Throws a RegistryError if the version exists, a file is missing or a
   * checksum disagrees.
   */
  add(metadata: ModelMetadata, files: Readonly<Record<string, Uint8Array | string>>): RegistryEntry {
    const checked = [[metadata.onnx.file, metadata.sha256], ...(metadata.explainer === undefined ? [] : [[metadata.explainer.file, metadata.explainer.sha256]])];
    for (const [file, sha256] of checked as [string, string][]) {
      const content = files[file];
      if (content === undefined) throw new RegistryError(`entry ${metadata.version} has no ${file}`);
      if (sha256Hex(content) !== sha256) throw new RegistryError(`entry ${metadata.version}: sha256 does not match ${file}`);
    }
    const signer = this.trust.signer ?? null;
    if (signer !== null) metadata = signer.sign(metadata);
    const problem = metadataProblem(metadata);
    if (problem !== null) throw new RegistryError(`entry ${metadata.version}: ${problem}`);
    const dir = join(this.root, metadata.version);
    if (existsSync(dir)) throw new RegistryError(`model ${metadata.version} already exists`);
    mkdirSync(this.root, { recursive: true });
    const tmp = join(this.root, `.tmp-${metadata.version}-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(tmp, name), content);
    writeFileSync(join(tmp, 'model.json'), `${JSON.stringify(metadata, null, 2)}\n`);
    renameSync(tmp, dir);
    return { dir, metadata };
  }

  /**
   * Makes `version` the champion (the previous one goes to the pointer's history) and records who
   * and why in the audit trail. Throws a RegistryError when it is absent or (signatures checked)
   * not signed by a trusted key.
   */
  promote(version: string, now: Date = new Date(), audit: Audit = { actor: 'unknown', reason: '' }): ChampionPointer {
    const entry = this.get(version);
    this.verify(entry);
    const prev = this.pointer();
    if (prev?.version === version) return prev;
    const pointer: ChampionPointer = {
      version,
      updatedAt: now.toISOString(),
      history: prev === null ? [] : [prev.version, ...prev.history].slice(0, 50),
    };
    this.writePointer(pointer);
    if (prev !== null) this.setStatus(prev.version, 'retired');
    this.setStatus(entry.metadata.version, 'champion');
    this.record({ at: now.toISOString(), action: 'promote', actor: audit.actor, from: prev?.version ?? null, to: version, reason: audit.reason });
    return pointer;
  }

  /** Restores the previous champion, recording who and why. Throws a RegistryError when there is none, or it is not trusted. */
  rollback(now: Date = new Date(), audit: Audit = { actor: 'unknown', reason: '' }): ChampionPointer {
    const prev = this.pointer();
    if (prev === null || prev.history.length === 0) throw new RegistryError('nothing to roll back to: the champion has no predecessor');
    const [version, ...history] = prev.history as [string, ...string[]];
    this.verify(this.get(version));
    const pointer: ChampionPointer = { version, updatedAt: now.toISOString(), history };
    this.writePointer(pointer);
    this.setStatus(prev.version, 'retired');
    this.setStatus(version, 'champion');
    this.record({ at: now.toISOString(), action: 'rollback', actor: audit.actor, from: prev.version, to: version, reason: audit.reason });
    return pointer;
  }

  /** Rewrites the `status` of an entry's model.json (atomically). */
  setStatus(version: string, status: ModelStatus): void {
    const entry = this.get(version);
    writeFileAtomic(join(entry.dir, 'model.json'), `${JSON.stringify({ ...entry.metadata, status }, null, 2)}\n`);
  }

  private writePointer(pointer: ChampionPointer): void {
    mkdirSync(this.root, { recursive: true });
    writeFileAtomic(join(this.root, POINTER_FILE), `${JSON.stringify(pointer, null, 2)}\n`);
  }
}
