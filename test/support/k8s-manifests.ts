import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';

// Reading the kustomize layout under k8s/ the way `kubectl apply -k` would see it, for the manifest
// tests: YAML documents, the files each kustomization.yaml names, the ConfigMap env files, and (when
// kubectl is installed) the rendered overlays.

export const REPO_ROOT = resolve(__dirname, '../..');
export const K8S_DIR = join(REPO_ROOT, 'k8s');
export const BASE_DIR = join(K8S_DIR, 'base');
export const OVERLAYS_DIR = join(K8S_DIR, 'overlays');
/** promtool unit tests of the alert rules: YAML, but not Kubernetes objects. */
export const RULE_TESTS_DIR = join(K8S_DIR, 'tests');

export { yaml };


export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Any Kubernetes object; the fields the tests read are narrowed where they are used. */
export interface K8sObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: ObjectMeta;
  readonly spec?: unknown;
  readonly data?: Readonly<Record<string, string>>;
  readonly stringData?: Readonly<Record<string, string>>;
}

export interface Generator {
  readonly name: string;
  readonly behavior?: string;
  readonly envs?: readonly string[];
  readonly files?: readonly string[];
  readonly literals?: readonly string[];
  readonly options?: { readonly labels?: Readonly<Record<string, string>>; readonly disableNameSuffixHash?: boolean };
}

export interface Kustomization {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly resources?: readonly string[];
  readonly patches?: readonly { readonly path?: string; readonly patch?: string }[];
  readonly configMapGenerator?: readonly Generator[];
  readonly secretGenerator?: readonly Generator[];
  readonly images?: readonly { readonly name: string; readonly newName?: string; readonly newTag?: string; readonly digest?: string }[];
}

/** The non-empty YAML documents of a file. Throws js-yaml's error (with line and column) on bad YAML. */
export function readYamlDocuments(path: string): unknown[] {
  return yaml.loadAll(readFileSync(path, 'utf8')).filter((d) => d !== null && d !== undefined);
}

/** Every file under `dir`, recursively, as absolute paths, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out.sort();
}

/** Directories under k8s/ holding a kustomization.yaml. */
export function kustomizationDirs(): string[] {
  return listFiles(K8S_DIR)
    .filter((f) => f.endsWith('/kustomization.yaml'))
    .map((f) => f.slice(0, -'/kustomization.yaml'.length));
}

export function readKustomization(dir: string): Kustomization {
  return yaml.load(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
}

/** A path a kustomization names, resolved, with the field that names it. */
export interface Reference {
  readonly from: string;
  readonly field: 'resources' | 'patches' | 'configMapGenerator.envs' | 'configMapGenerator.files' | 'secretGenerator.envs' | 'secretGenerator.files';
  readonly path: string;
}

/** Every file or directory a kustomization names (`key=path` file sources resolve to the path). */
export function references(dir: string): Reference[] {
  const k = readKustomization(dir);
  const from = join(dir, 'kustomization.yaml');
  const at = (p: string) => resolve(dir, p.includes('=') ? p.slice(p.indexOf('=') + 1) : p);
  const out: Reference[] = [];
  for (const r of k.resources ?? []) out.push({ from, field: 'resources', path: at(r) });
  for (const p of k.patches ?? []) if (p.path !== undefined) out.push({ from, field: 'patches', path: at(p.path) });
  for (const g of k.configMapGenerator ?? []) {
    for (const e of g.envs ?? []) out.push({ from, field: 'configMapGenerator.envs', path: at(e) });
    for (const f of g.files ?? []) out.push({ from, field: 'configMapGenerator.files', path: at(f) });
  }
  for (const g of k.secretGenerator ?? []) {
    for (const e of g.envs ?? []) out.push({ from, field: 'secretGenerator.envs', path: at(e) });
    for (const f of g.files ?? []) out.push({ from, field: 'secretGenerator.files', path: at(f) });
  }
  return out;
}

/** True for a directory that is itself a kustomization (a `resources` entry may name one). */
export function isKustomizationDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, 'kustomization.yaml'));
}

/** The objects of the base, each with the file it comes from (resource files only, no generators). */
export function baseObjects(): { file: string; object: K8sObject }[] {
  const out: { file: string; object: K8sObject }[] = [];
  for (const r of references(BASE_DIR)) {
    if (r.field !== 'resources') continue;
    for (const d of readYamlDocuments(r.path)) out.push({ file: r.path, object: d as K8sObject });
  }
  return out;
}

/** The one base object of this kind and name. Throws when there is none or more than one. */
export function baseObject<T>(kind: string, name: string): T & K8sObject {
  const found = baseObjects().filter(({ object: o }) => o.kind === kind && o.metadata?.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind}/${name} in k8s/base, found ${found.length}`);
  return (found[0] as { object: K8sObject }).object as T & K8sObject;
}

/**
 * A kustomize env file as a map: `KEY=VALUE` lines, blank lines and `#` comments skipped, values
 * verbatim (kustomize does not unquote them). Throws on a line that is not `KEY=VALUE` or a repeated key.
 */
export function readEnvFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
      if (m === null) throw new Error(`${path}:${i + 1}: not KEY=VALUE: ${line}`);
      const [, key, value] = m as unknown as [string, string, string];
      if (key in out) throw new Error(`${path}:${i + 1}: ${key} is set twice`);
      out[key] = value;
    });
  return out;
}

/** The env files of the ConfigMap generator `name` in the kustomization at `dir`. */
export function generatorEnvFiles(dir: string, name: string): string[] {
  const g = (readKustomization(dir).configMapGenerator ?? []).find((x) => x.name === name);
  return (g?.envs ?? []).map((e) => resolve(dir, e));
}

/** The kubectl binary (its built-in kustomize renders the overlays); KUBECTL overrides it. */
export const KUBECTL = process.env.KUBECTL ?? 'kubectl';

/** Result of `kubectl kustomize`: the objects, or why it could not run. */
export type Rendered = { readonly ok: true; readonly objects: K8sObject[] } | { readonly ok: false; readonly reason: string };

/**
 * Renders a kustomization with `kubectl kustomize` (kubectl's built-in kustomize, no cluster
 * needed). `ok: false` when kubectl is not installed; throws when kubectl runs and fails.
 */
export function renderKustomization(dir: string): Rendered {
  const run = spawnSync(KUBECTL, ['kustomize', dir], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (run.error !== undefined) return { ok: false, reason: run.error.message };
  if (run.status !== 0) throw new Error(`kubectl kustomize ${dir} failed (exit ${String(run.status)}): ${run.stderr}`);
  return { ok: true, objects: yaml.loadAll(run.stdout).filter((d) => d !== null) as K8sObject[] };
}

/** Whether `kubectl kustomize` can run here (kubectl on PATH). */
export function kubectlAvailable(): boolean {
  const run = spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8', timeout: 30_000 });
  return run.error === undefined && run.status === 0;
}
