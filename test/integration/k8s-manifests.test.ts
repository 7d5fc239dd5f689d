import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { configSchema, loadConfig } from '../../src/config/config';
import { SERVICE_NODE_FLAGS } from '../../src/config/node-flags';
import { compileRuleSet } from '../../src/rules/rule-set';
import { createServiceMetrics } from '../../src/telemetry/metrics';
import { DriftMonitor } from '../../src/telemetry/drift-monitor';
import {
  BASE_DIR,
  baseObject,
  generatorEnvFiles,
  isKustomizationDir,
  K8S_DIR,
  KUBECTL,
  kubectlAvailable,
  kustomizationDirs,
  listFiles,
  OVERLAYS_DIR,
  readEnvFile,
  readKustomization,
  readYamlDocuments,
  references,
  renderKustomization,
  REPO_ROOT,
  RULE_TESTS_DIR,
  yaml,
  type K8sObject,
} from '../support/k8s-manifests';
import { selectorProblems, selectorsIn, serviceMetricCatalogue } from '../support/k8s-promql';
import { PROMTOOL, promtool, promtoolAvailable } from '../support/k8s-promtool';
import type {
  Container,
  CronJob,
  Dashboard,
  Deployment,
  HorizontalPodAutoscaler,
  LabelSelector,
  NetworkPolicy,
  PersistentVolumeClaim,
  PodDisruptionBudget,
  PodSpec,
  PrometheusRule,
  Rule,
  SecurityContext,
  Service,
  ServiceMonitor,
} from '../support/k8s-types';

// The production manifests under k8s/ checked against the service they deploy: the kustomize layout
// is complete, every environment variable is a real setting whose value loadConfig() accepts, the
// pods' probes, shutdown and security match the service, and every alert, recording rule and
// dashboard query names metrics and labels src/telemetry/metrics.ts really exports; promtool checks
// and unit-tests the rules. `kubectl kustomize`, when installed, renders the overlays for a last look.

const onCi = process.env.CI === 'true';
const hasPromtool = promtoolAvailable();
const hasKubectl = kubectlAvailable();
if (!hasPromtool) console.warn(`\n*** k8s-manifests: ${PROMTOOL} not found; SKIPPING the promtool checks of the alert rules (apt-get install prometheus) ***\n`);
if (!hasKubectl) console.warn(`\n*** k8s-manifests: ${KUBECTL} not found; SKIPPING the rendered-overlay checks (\`kubectl kustomize\`); the file checks still run ***\n`);

const rel = (p: string) => relative(REPO_ROOT, p);
const CONFIG_MAP = 'fraud-scoring-config';
const SECRET = 'fraud-scoring-secrets';
const DASHBOARD_MAP = 'fraud-scoring-dashboard';
const OVERLAYS = ['production', 'staging'] as const;
const SCHEMA_KEYS = new Set(Object.keys(configSchema.properties));
/** Variables the manifests set that are not service settings (documented in docs/kubernetes.md). */
const NON_SERVICE_ENV: Readonly<Record<string, string>> = {
  NODE_ENV: 'production mode for Node and the libraries',
  NODE_OPTIONS: 'a V8 heap ceiling below the container memory limit, and the service\'s V8 flags',
  OMP_WAIT_POLICY: 'XGBoost threads (libgomp) sleep instead of spinning',
};
/** Settings deliberately absent from the ConfigMap and the Secret. */
const UNSET_ON_PURPOSE: Readonly<Record<string, string>> = {
  CHALLENGER_VERSION: 'set in an overlay for a shadow-scoring experiment',
  PROFILE_SNAPSHOT: 'seeds the in-memory store, which a multi-replica deployment does not use',
  MAX_PROFILES: 'bounds the in-memory store, which a multi-replica deployment does not use',
  MAX_PROFILE_TOMBSTONES: 'bounds the in-memory store, which a multi-replica deployment does not use',
  AUTH_JWKS_FILE: 'set in an overlay when the confirmation app\'s backend authenticates with JWTs',
  AUTH_JWT_ISSUER: 'set with AUTH_JWKS_FILE',
  AUTH_JWT_AUDIENCE: 'set with AUTH_JWKS_FILE',
  RATE_LIMIT_BURST: 'defaults to RATE_LIMIT_PER_SECOND',
  MODEL_ACTOR: 'set on each CronJob container (who the audit trail records); people running fraudctl are user@host',
  TLS_CERT_FILE: 'TLS is terminated by the mesh or ingress in the base; an overlay sets it to serve HTTPS from the pod',
  TLS_KEY_FILE: 'set with TLS_CERT_FILE',
  TLS_CLIENT_CA_FILE: 'set with TLS_CERT_FILE for mTLS',
  TLS_RELOAD_INTERVAL_MS: 'used only with TLS_CERT_FILE',
};
const SECRET_KEYS = ['DATABASE_URL', 'REDIS_URL', 'COUCHBASE_PASSWORD'];
/** Series the rules read that the service does not export: Prometheus's own and kube-state-metrics'. */
const EXTERNAL_METRICS = new Set(['up', 'kube_job_status_failed', 'kube_job_created', 'kube_cronjob_status_last_successful_time']);
const DOCS = join(REPO_ROOT, 'docs', 'kubernetes.md');

function exampleSecret(): Record<string, string> {
  const [secret] = readYamlDocuments(join(BASE_DIR, 'secret.example.yaml')) as K8sObject[];
  return { ...(secret?.stringData ?? {}) };
}

/** The ConfigMap data of the base or an overlay: base env files, then the overlay's merged over them. */
function configMapData(overlay: string | null): Record<string, string> {
  const files = [...generatorEnvFiles(BASE_DIR, CONFIG_MAP), ...(overlay === null ? [] : generatorEnvFiles(join(OVERLAYS_DIR, overlay), CONFIG_MAP))];
  return Object.assign({}, ...files.map(readEnvFile)) as Record<string, string>;
}

const deployment = () => baseObject<Deployment>('Deployment', 'fraud-scoring');
const cronJob = () => baseObject<CronJob>('CronJob', 'fraud-retrain');
const servicePod = (): PodSpec => deployment().spec.template.spec;
const retrainPod = (): PodSpec => cronJob().spec.jobTemplate.spec.template.spec;
const adminCronJob = () => baseObject<CronJob & { spec: { suspend?: boolean } }>('CronJob', 'fraud-models-rollback');
const adminPod = (): PodSpec => adminCronJob().spec.jobTemplate.spec.template.spec;
const allPods = (): PodSpec[] => [servicePod(), retrainPod(), adminPod()];
const podLabels = () => deployment().spec.template.metadata?.labels ?? {};

function container(pod: PodSpec, name: string): Container {
  const c = pod.containers.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no container ${name}`);
  return c;
}

/** Whether a label selector selects pods with these labels. */
function selects(selector: LabelSelector | Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  const match = (selector as LabelSelector | undefined)?.matchLabels ?? (selector as Readonly<Record<string, string>> | undefined) ?? {};
  return Object.keys(match).length > 0 && Object.entries(match).every(([k, v]) => labels[k] === v);
}

/** CPU quantity in cores ("1", "500m"). */
function cores(q: string | undefined): number {
  if (q === undefined) return Number.NaN;
  return q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q);
}

/** Memory quantity in bytes ("1Gi", "512Mi"). */
function bytes(q: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)?$/.exec(q ?? '');
  if (m === null) return Number.NaN;
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[m[2] as 'Ki' | 'Mi' | 'Gi' | 'Ti'] ?? 1;
  return Number(m[1]) * unit;
}

function preStopSleepMs(c: Container): number {
  const stop = c.lifecycle?.preStop;
  if (stop?.sleep?.seconds !== undefined) return stop.sleep.seconds * 1000;
  const cmd = stop?.exec?.command ?? [];
  return cmd[0] === 'sleep' && cmd.length === 2 ? Number(cmd[1]) * 1000 : 0;
}

function rules(): Rule[] {
  return baseObject<PrometheusRule>('PrometheusRule', 'fraud-scoring').spec.groups.flatMap((g) => g.rules);
}

function dashboard(): Dashboard {
  return JSON.parse(readFileSync(join(BASE_DIR, 'monitoring', 'dashboards', 'fraud-scoring.json'), 'utf8')) as Dashboard;
}

/** Every PromQL expression of the dashboard: panel targets, and the metric of each label_values() variable. */
function dashboardExprs(): { where: string; expr: string }[] {
  const d = dashboard();
  const out = d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel ${p.id} "${p.title}"`, expr: t.expr ?? '' })));
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const q = typeof v.query === 'string' ? v.query : (v.query as { query?: string } | undefined)?.query ?? '';
    const m = /^label_values\((.*),\s*\w+\)$/.exec(q.trim());
    out.push({ where: `variable $${v.name}`, expr: m?.[1] ?? q });
  }
  return out;
}

/** GitHub's anchor of a Markdown heading. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');
}

describe('kustomize layout', () => {
  it('has a base and the production and staging overlays', () => {
    expect(kustomizationDirs().map(rel)).toEqual(['k8s/base', 'k8s/overlays/production', 'k8s/overlays/staging']);
  });

  it('names only files and directories that exist, each resource directory a kustomization', () => {
    const missing: string[] = [];
    for (const dir of kustomizationDirs()) {
      for (const r of references(dir)) {
        if (!existsSync(r.path)) missing.push(`${rel(r.from)} ${r.field}: ${rel(r.path)}`);
        else if (r.field === 'resources' && !r.path.endsWith('.yaml') && !isKustomizationDir(r.path)) missing.push(`${rel(r.from)}: ${rel(r.path)} is not a kustomization`);
      }
    }
    expect(missing).toEqual([]);
  });

  const manifestFiles = listFiles(K8S_DIR).filter((f) => f.endsWith('.yaml') && !f.endsWith('/kustomization.yaml') && !f.startsWith(`${RULE_TESTS_DIR}/`));

  it.each(manifestFiles.map((f) => [rel(f), f]))('%s parses, and every object has apiVersion, kind and metadata.name', (_name, file) => {
    const docs = readYamlDocuments(file) as K8sObject[];
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      expect(typeof d.apiVersion).toBe('string');
      expect(typeof d.kind).toBe('string');
      expect(d.metadata?.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
  });

  it('uses every manifest file (examples excepted), so nothing is silently left undeployed', () => {
    const used = new Set(kustomizationDirs().flatMap((d) => references(d).map((r) => r.path)));
    const unused = manifestFiles.filter((f) => !used.has(f) && !f.endsWith('.example.yaml')).map(rel);
    expect(unused).toEqual([]);
  });

  it('never deploys the example Secret, and marks it as an example with placeholder values', () => {
    const used = new Set(kustomizationDirs().flatMap((d) => references(d).map((r) => r.path)));
    const file = join(BASE_DIR, 'secret.example.yaml');
    expect(used.has(file)).toBe(false);
    const [secret] = readYamlDocuments(file) as K8sObject[];
    expect(secret?.kind).toBe('Secret');
    expect(secret?.metadata?.name).toBe(SECRET);
    expect(readFileSync(file, 'utf8')).toMatch(/EXAMPLE ONLY/);
    expect(Object.keys(secret?.stringData ?? {}).sort()).toEqual([...SECRET_KEYS].sort());
    for (const v of Object.values(secret?.stringData ?? {})) expect(v).toContain('CHANGE-ME');
  });

  it('gives every container the one placeholder image that the kustomizations replace', () => {
    const images = allPods().flatMap((p) => [...p.containers, ...(p.initContainers ?? [])]).map((c) => c.image);
    expect(new Set(images)).toEqual(new Set(['fraud-scoring']));
    for (const dir of [BASE_DIR, ...OVERLAYS.map((o) => join(OVERLAYS_DIR, o))]) {
      const image = (readKustomization(dir).images ?? []).find((i) => i.name === 'fraud-scoring');
      expect(image?.newName).toMatch(/^[a-z0-9.-]+(:\d+)?\/[a-z0-9/._-]+$/);
      expect(image?.digest !== undefined || (image?.newTag !== undefined && image.newTag !== '')).toBe(true);
    }
  });

  it('pins a released image in production: a version tag or a digest, never latest', () => {
    const image = (readKustomization(join(OVERLAYS_DIR, 'production')).images ?? []).find((i) => i.name === 'fraud-scoring');
    if (image?.digest !== undefined) expect(image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    else expect(image?.newTag).toMatch(/^v?\d+\.\d+\.\d+([-+][\w.-]+)?$/);
    expect(String(image?.newTag)).not.toMatch(/latest/i);
  });

  it('deploys each overlay into its own namespace', () => {
    const namespaces = OVERLAYS.map((o) => readKustomization(join(OVERLAYS_DIR, o)).namespace);
    expect(namespaces).toEqual(['fraud', 'fraud-staging']);
    expect(readKustomization(BASE_DIR).namespace).toBeUndefined();
    for (const o of OVERLAYS) {
      const ns = readYamlDocuments(join(OVERLAYS_DIR, o, 'namespace.yaml')) as K8sObject[];
      expect(ns.map((n) => n.metadata?.name)).toEqual([readKustomization(join(OVERLAYS_DIR, o)).namespace]);
      expect(ns[0]?.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    }
  });
});

describe('service configuration', () => {
  it('sets only settings of the config schema in the ConfigMap and the Secret', () => {
    const keys = [...new Set([...Object.keys(configMapData(null)), ...OVERLAYS.flatMap((o) => Object.keys(configMapData(o))), ...Object.keys(exampleSecret())])];
    expect(keys.filter((k) => !SCHEMA_KEYS.has(k))).toEqual([]);
  });

  it('decides every setting: in the ConfigMap, in the Secret, or left unset on purpose', () => {
    const decided = new Set([...Object.keys(configMapData(null)), ...SECRET_KEYS, ...Object.keys(UNSET_ON_PURPOSE)]);
    expect([...SCHEMA_KEYS].filter((k) => !decided.has(k))).toEqual([]);
    expect(Object.keys(configMapData(null)).filter((k) => k in UNSET_ON_PURPOSE || SECRET_KEYS.includes(k))).toEqual([]);
  });

  it('merges each overlay over the base ConfigMap instead of replacing it', () => {
    for (const o of OVERLAYS) {
      const g = (readKustomization(join(OVERLAYS_DIR, o)).configMapGenerator ?? []).find((x) => x.name === CONFIG_MAP);
      expect(g?.behavior).toBe('merge');
    }
  });

  it.each(['base', ...OVERLAYS].map((o): [string] => [o]))('%s: loadConfig accepts the ConfigMap with the example Secret', (which) => {
    const env = { ...configMapData(which === 'base' ? null : which), ...exampleSecret() };
    const config = loadConfig(env);
    // Several replicas share one profile store and one decision log: never the embedded ones.
    expect(['redis', 'couchbase']).toContain(config.PROFILE_STORE);
    expect(config.DECISION_LOG).toBe('postgres');
    expect(config.LOG_LEVEL).not.toBe('silent');
    expect(config.OTEL_EXPORTER_OTLP_ENDPOINT).toMatch(/^https?:\/\/[^/]+:4318$/);
  });

  it('also loads with the Couchbase profile store (one line to switch)', () => {
    expect(() => loadConfig({ ...configMapData('production'), ...exampleSecret(), PROFILE_STORE: 'couchbase' })).not.toThrow();
  });

  it('sets in the pods only schema settings or the documented non-service variables', () => {
    const docs = readFileSync(DOCS, 'utf8');
    for (const pod of allPods()) {
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        for (const e of c.env ?? []) {
          expect(SCHEMA_KEYS.has(e.name) || e.name in NON_SERVICE_ENV ? e.name : `${c.name}: ${e.name} is neither a setting nor documented`).toBe(e.name);
          if (SCHEMA_KEYS.has(e.name)) expect(() => loadConfig({ ...configMapData(null), ...exampleSecret(), [e.name]: e.value })).not.toThrow();
        }
      }
    }
    for (const name of Object.keys(NON_SERVICE_ENV)) expect(docs).toContain(name);
  });

  it('feeds the ConfigMap and the Secret to the service and to the retraining job', () => {
    for (const c of [container(servicePod(), 'fraud-scoring'), container(retrainPod(), 'retrain')]) {
      expect(c.envFrom?.map((e) => e.configMapRef?.name ?? e.secretRef?.name)).toEqual([CONFIG_MAP, SECRET]);
    }
  });

  it('keeps NODE_OPTIONS heap ceilings below the memory limits', () => {
    for (const c of [container(servicePod(), 'fraud-scoring'), container(retrainPod(), 'retrain')]) {
      const opt = c.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
      const heapMb = Number(/--max-old-space-size=(\d+)/.exec(opt)?.[1]);
      // The young generation comes on top: three semi-spaces at most (V8's default 16 MiB when unset).
      const semiMb = Number(/--max-semi-space-size=(\d+)/.exec(opt)?.[1] ?? 16);
      expect((heapMb + 3 * semiMb) * 2 ** 20).toBeLessThan(0.8 * bytes(c.resources?.limits?.memory));
    }
  });

  it("runs the service with the service's V8 flags", () => {
    const opt = container(servicePod(), 'fraud-scoring').env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
    expect(opt.split(/\s+/)).toEqual(expect.arrayContaining([...SERVICE_NODE_FLAGS]));
  });

  it('mounts DATA_DIR and /tmp as emptyDirs and the registry volume at MODEL_REGISTRY_DIR', () => {
    const config = loadConfig({ ...configMapData('production'), ...exampleSecret() });
    for (const [pod, name, registryReadOnly] of [
      [servicePod(), 'fraud-scoring', true],
      [retrainPod(), 'retrain', false],
    ] as const) {
      const c = container(pod, name);
      const volumeAt = (path: string) => {
        const mount = c.volumeMounts?.find((m) => m.mountPath === path);
        return { mount, volume: pod.volumes?.find((v) => v.name === mount?.name) };
      };
      expect(volumeAt(config.DATA_DIR).volume?.emptyDir?.sizeLimit).toBeDefined();
      expect(volumeAt('/tmp').volume?.emptyDir?.sizeLimit).toBeDefined();
      const registry = volumeAt(config.MODEL_REGISTRY_DIR);
      expect(registry.volume?.persistentVolumeClaim?.claimName).toBe('fraud-models');
      expect(registry.mount?.readOnly === true).toBe(registryReadOnly);
    }
    expect(baseObject<PersistentVolumeClaim>('PersistentVolumeClaim', 'fraud-models').spec.accessModes).toEqual(['ReadWriteMany']);
  });

  it('mounts the guard-rail rule set from its ConfigMap at RULES_FILE; it compiles and is the committed default', () => {
    const config = loadConfig({ ...configMapData('production'), ...exampleSecret() });
    const pod = servicePod();
    const mount = container(pod, 'fraud-scoring').volumeMounts?.find((m) => config.RULES_FILE.startsWith(`${m.mountPath}/`));
    expect(mount?.readOnly).toBe(true);
    const volume = pod.volumes?.find((v) => v.name === mount?.name) as { configMap?: { name: string } } | undefined;
    expect(volume?.configMap?.name).toBe('fraud-scoring-rules');
    const g = (readKustomization(BASE_DIR).configMapGenerator ?? []).find((x) => x.name === 'fraud-scoring-rules') as { files?: string[]; options?: { disableNameSuffixHash?: boolean } } | undefined;
    const file = config.RULES_FILE.slice((mount?.mountPath.length ?? 0) + 1);
    const source = g?.files?.find((f) => f.startsWith(`${file}=`))?.slice(file.length + 1) ?? '';
    // A stable name: a hashed one would roll the pods instead of letting them reload the file.
    expect(g?.options?.disableNameSuffixHash).toBe(true);
    const text = readFileSync(join(BASE_DIR, source), 'utf8');
    expect(compileRuleSet(text).hash).toBe(compileRuleSet(readFileSync(join(REPO_ROOT, 'models', 'rules.json'), 'utf8')).hash);
  });

  it('seeds an empty registry volume from the image, writing only under the mounted volume', () => {
    const seed = servicePod().initContainers?.find((c) => c.name === 'seed-registry');
    const mount = seed?.volumeMounts?.find((m) => m.name === 'models');
    expect(mount?.readOnly).not.toBe(true);
    const script = (seed?.args ?? []).join('\n');
    expect(script).toContain(`if [ -f "$reg/champion.json" ]`);
    expect(script).toContain(`reg=${mount?.mountPath}`);
  });
});

describe('pods: probes, shutdown, resources, security', () => {
  const config = () => loadConfig({ ...configMapData('production'), ...exampleSecret() });

  it('serves on the configured port, behind a ClusterIP Service on port 80', () => {
    const c = container(servicePod(), 'fraud-scoring');
    expect(c.args).toEqual(['serve']);
    expect(c.ports).toEqual([{ name: 'http', containerPort: config().PORT, protocol: 'TCP' }]);
    const svc = baseObject<Service>('Service', 'fraud-scoring');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(selects(svc.spec.selector, podLabels())).toBe(true);
  });

  it('probes readiness on /readyz and liveness and start-up on /healthz, on the container port', () => {
    const c = container(servicePod(), 'fraud-scoring');
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    // Liveness must not kill a pod that is merely slow to start (loading the model, connecting).
    const startupBudget = (c.startupProbe?.periodSeconds ?? 10) * (c.startupProbe?.failureThreshold ?? 3);
    expect(startupBudget).toBeGreaterThanOrEqual(60);
    for (const p of [c.readinessProbe, c.livenessProbe, c.startupProbe]) expect(p?.timeoutSeconds).toBeGreaterThanOrEqual(1);
  });

  it('gives the drain time to finish: grace period > preStop sleep + SHUTDOWN_TIMEOUT_MS + flush margin', () => {
    const c = container(servicePod(), 'fraud-scoring');
    const sleepMs = preStopSleepMs(c);
    expect(sleepMs).toBeGreaterThanOrEqual(5000);
    const graceMs = (servicePod().terminationGracePeriodSeconds ?? 30) * 1000;
    expect(graceMs).toBeGreaterThan(config().SHUTDOWN_TIMEOUT_MS);
    // The grace period starts with preStop; after the drain the decision log is flushed.
    expect(graceMs).toBeGreaterThanOrEqual(sleepMs + config().SHUTDOWN_TIMEOUT_MS + 5000);
  });

  it('runs every container as uid 10001, non-root, read-only, without capabilities, under RuntimeDefault seccomp', () => {
    for (const pod of allPods()) {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const sc: SecurityContext = c.securityContext ?? {};
        expect({ name: c.name, ...sc }).toMatchObject({
          name: c.name,
          runAsNonRoot: true,
          runAsUser: 10001,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(sc.capabilities?.add).toBeUndefined();
      }
    }
  });

  it('requests about one core and 1 GiB per scoring pod, with limits on every container', () => {
    const c = container(servicePod(), 'fraud-scoring');
    expect(cores(c.resources?.requests?.cpu)).toBe(1);
    expect(bytes(c.resources?.requests?.memory)).toBe(2 ** 30);
    expect(bytes(c.resources?.limits?.memory)).toBe(bytes(c.resources?.requests?.memory));
    for (const pod of allPods()) {
      for (const x of [...pod.containers, ...(pod.initContainers ?? [])]) {
        expect(cores(x.resources?.requests?.cpu)).toBeGreaterThan(0);
        expect(bytes(x.resources?.requests?.memory)).toBeGreaterThan(0);
        expect(bytes(x.resources?.limits?.memory)).toBeGreaterThanOrEqual(bytes(x.resources?.requests?.memory));
      }
    }
  });

  it('spreads the pods over zones and nodes and rolls out without losing capacity', () => {
    const d = deployment();
    // The HPA owns the replica count: a re-apply must not scale a scaled-out fleet down.
    expect(d.spec.replicas).toBeUndefined();
    expect(d.spec.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
    expect(selects(d.spec.selector, podLabels())).toBe(true);
    const spread = servicePod().topologySpreadConstraints ?? [];
    expect(spread.map((t) => t.topologyKey).sort()).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    for (const t of spread) expect(selects(t.labelSelector, podLabels())).toBe(true);
  });

  it('autoscales on CPU around 60 %, 3 to 12 pods in production, scaling down slowly', () => {
    const hpa = baseObject<HorizontalPodAutoscaler>('HorizontalPodAutoscaler', 'fraud-scoring');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'fraud-scoring' });
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);
    expect(hpa.spec.behavior?.scaleUp?.stabilizationWindowSeconds).toBe(0);
    expect(hpa.spec.behavior?.scaleDown?.stabilizationWindowSeconds).toBeGreaterThanOrEqual(300);
    const [production] = readYamlDocuments(join(OVERLAYS_DIR, 'production', 'patches', 'hpa.yaml')) as HorizontalPodAutoscaler[];
    expect(production?.spec).toMatchObject({ minReplicas: 3, maxReplicas: 12 });
  });

  it('lets voluntary disruptions take one pod at a time', () => {
    const pdb = baseObject<PodDisruptionBudget>('PodDisruptionBudget', 'fraud-scoring');
    expect(pdb.spec.maxUnavailable ?? pdb.spec.minAvailable).toBeDefined();
    if (pdb.spec.maxUnavailable !== undefined) expect(pdb.spec.maxUnavailable).toBe(1);
    expect(selects(pdb.spec.selector, podLabels())).toBe(true);
  });

  it('retrains nightly, one run at a time, with training resources and deadlines', () => {
    const cj = cronJob();
    expect(cj.spec.schedule.split(' ')).toHaveLength(5);
    expect(cj.spec.concurrencyPolicy).toBe('Forbid');
    expect(cj.spec.jobTemplate.spec.backoffLimit).toBeGreaterThanOrEqual(0);
    expect(cj.spec.jobTemplate.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(retrainPod().restartPolicy).toBe('Never');
    const c = container(retrainPod(), 'retrain');
    expect(c.args).toEqual(['retrain', '--json']);
    expect(c.env?.find((e) => e.name === 'OMP_WAIT_POLICY')?.value).toBe('passive');
    expect(cores(c.resources?.requests?.cpu)).toBe(2);
    expect(bytes(c.resources?.requests?.memory)).toBe(4 * 2 ** 30);
  });
});

describe('registry operations by hand', () => {
  it('keeps a never-scheduled Job template that rolls the champion back on the registry volume', () => {
    const cj = adminCronJob();
    expect(cj.spec.suspend).toBe(true);
    expect(cj.spec.concurrencyPolicy).toBe('Forbid');
    const c = container(adminPod(), 'models');
    expect(c.args).toEqual(['models', 'rollback', '--json']);
    const config = loadConfig({ ...configMapData('production'), ...exampleSecret() });
    const mount = c.volumeMounts?.find((m) => m.mountPath === config.MODEL_REGISTRY_DIR);
    expect(mount?.readOnly).not.toBe(true);
    expect(adminPod().volumes?.find((v) => v.name === mount?.name)?.persistentVolumeClaim?.claimName).toBe('fraud-models');
    expect(c.envFrom?.map((e) => e.configMapRef?.name)).toEqual([CONFIG_MAP]);
  });

  it('gives those pods no network at all', () => {
    const np = baseObject<NetworkPolicy>('NetworkPolicy', 'fraud-model-admin');
    expect(selects(np.spec.podSelector, adminCronJob().spec.jobTemplate.spec.template.metadata?.labels ?? {})).toBe(true);
    expect(np.spec).toMatchObject({ policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] });
  });
});

describe('network policy', () => {
  const ports = (list: readonly { ports?: readonly { port?: number | string; endPort?: number }[] }[] | undefined) =>
    (list ?? []).flatMap((r) => (r.ports ?? []).map((p) => [Number(p.port), p.endPort ?? Number(p.port)] as const));

  it('admits only port 8080, from named namespaces (payments, ingress, monitoring)', () => {
    const np = baseObject<NetworkPolicy>('NetworkPolicy', 'fraud-scoring');
    expect(selects(np.spec.podSelector, podLabels())).toBe(true);
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(ports(np.spec.ingress)).toEqual(np.spec.ingress?.map(() => [8080, 8080]));
    for (const r of np.spec.ingress ?? []) expect(r.from?.length).toBeGreaterThan(0);
    expect(JSON.stringify(np.spec.ingress)).toContain('monitoring');
  });

  it('lets the pods reach only DNS, Redis, PostgreSQL, Couchbase and the OTLP collector', () => {
    const allowed = new Set([53, 6379, 5432, 4318, 11207, 11210, 8091, 8092, 8093, 8094, 8095, 8096, 18091, 18092, 18093, 18094, 18095, 18096]);
    const np = baseObject<NetworkPolicy>('NetworkPolicy', 'fraud-scoring');
    const opened = ports(np.spec.egress).flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => from + i));
    expect(opened.filter((p) => !allowed.has(p))).toEqual([]);
    for (const needed of [53, 6379, 5432, 4318, 11210, 8091]) expect(opened).toContain(needed);
  });

  it('closes the retraining pods to ingress and lets them reach only DNS, PostgreSQL and OTLP', () => {
    const np = baseObject<NetworkPolicy>('NetworkPolicy', 'fraud-retrain');
    expect(selects(np.spec.podSelector, cronJob().spec.jobTemplate.spec.template.metadata?.labels ?? {})).toBe(true);
    expect(selects(np.spec.podSelector, podLabels())).toBe(false);
    expect(np.spec.ingress).toEqual([]);
    expect([...new Set(ports(np.spec.egress).map(([p]) => p))].sort((a, b) => a - b)).toEqual([53, 4318, 5432]);
  });
});

describe('monitoring: ServiceMonitor, rules and dashboard', () => {
  const catalogue = serviceMetricCatalogue();
  const recorded = new Set(rules().flatMap((r) => (r.record === undefined ? [] : [r.record])));

  it('scrapes /metrics through a named port of the Service', () => {
    const sm = baseObject<ServiceMonitor>('ServiceMonitor', 'fraud-scoring');
    const svc = baseObject<Service & K8sObject>('Service', 'fraud-scoring');
    expect(selects(sm.spec.selector, svc.metadata?.labels ?? {})).toBe(true);
    expect(sm.spec.endpoints).toHaveLength(1);
    expect(svc.spec.ports.map((p) => p.name)).toContain(sm.spec.endpoints[0]?.port);
    expect(sm.spec.endpoints[0]?.path).toBe('/metrics');
  });

  it('uses in rules only metrics and labels the service exports (or Prometheus and kube-state-metrics do)', () => {
    const problems = rules().flatMap((r) => selectorProblems(r.expr, catalogue, new Set([...EXTERNAL_METRICS, ...recorded])).map((p) => `${r.alert ?? r.record}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('has the alerts operations needs, each with a severity, a summary, a description and a runbook section', () => {
    const docs = readFileSync(DOCS, 'utf8');
    const anchors = new Set([...docs.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1] as string)));
    const alerts = rules().filter((r) => r.alert !== undefined);
    const used = new Set(alerts.flatMap((r) => selectorsIn(r.expr).map((s) => s.name)));
    for (const metric of [
      'fraud_degraded_total',
      'fraud_model_load_failures_total',
      'fraud_model_info',
      'fraud_decision_log_pending',
      'fraud_decision_log_spilled_total',
      'fraud_decision_log_write_errors_total',
      'fraud_decision_events_dropped_total',
      'fraud_http_request_duration_seconds_count',
      'up',
    ]) {
      expect(used.has(metric) ? metric : `no alert reads ${metric}`).toBe(metric);
    }
    expect(alerts.find((a) => a.alert === 'FraudScoreLatencyP99High')?.expr).toMatch(/\{route="\/v1\/score"\} > 0\.005\s*$/);
    for (const a of alerts) {
      expect({ alert: a.alert, severity: a.labels?.severity }).toEqual({ alert: a.alert, severity: expect.stringMatching(/^(warning|critical)$/) });
      expect(a.annotations?.summary).toBeTruthy();
      expect(a.annotations?.description).toBeTruthy();
      const url = a.annotations?.runbook_url ?? '';
      expect(url.startsWith('docs/kubernetes.md#') && anchors.has(url.slice('docs/kubernetes.md#'.length)) ? a.alert : `${a.alert}: no section ${url}`).toBe(a.alert);
    }
    expect(new Set(alerts.map((a) => a.alert)).size).toBe(alerts.length);
  });

  it('records p99 latency by route and decisions per second by outcome, as recording rules', () => {
    const byName = new Map(rules().map((r) => [r.record, r.expr]));
    expect(byName.get('namespace_route:fraud_http_request_duration_seconds:p99_rate5m')).toMatch(/histogram_quantile\(0\.99,/);
    expect(byName.get('namespace_decision:fraud_decisions:rate5m')).toMatch(/sum by \(namespace, decision\)/);
  });

  it('unit-tests every alert in k8s/tests/prometheus-rules.test.yaml, each one firing at least once', () => {
    const suite = yaml.load(readFileSync(join(RULE_TESTS_DIR, 'prometheus-rules.test.yaml'), 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const fired = new Set(suite.tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    expect(rules().flatMap((r) => (r.alert === undefined || fired.has(r.alert) ? [] : [r.alert]))).toEqual([]);
  });

  it('ships the dashboard as valid JSON in a ConfigMap the Grafana sidecar picks up', () => {
    const g = (readKustomization(BASE_DIR).configMapGenerator ?? []).find((x) => x.name === DASHBOARD_MAP);
    expect(g?.files).toEqual(['fraud-scoring.json=monitoring/dashboards/fraud-scoring.json']);
    expect(g?.options?.labels).toEqual({ grafana_dashboard: '1' });
    expect(g?.options?.disableNameSuffixHash).toBe(true);
    const d = dashboard();
    expect(d.uid).toBe('fraud-scoring');
    const ids = d.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of d.panels) {
      if (p.type === 'row') continue;
      expect({ panel: p.title, targets: (p.targets ?? []).length > 0 }).toEqual({ panel: p.title, targets: true });
      for (const t of p.targets ?? []) {
        expect(t.expr).toBeTruthy();
        expect(t.datasource?.uid).toBe('${datasource}');
      }
    }
  });

  it('queries in the dashboard only metrics and labels the service exports', () => {
    const problems = dashboardExprs().flatMap(({ where, expr }) => selectorProblems(expr, catalogue, new Set()).map((p) => `${where}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('has a dashboard panel for every metric of the service', () => {
    const used = new Set(dashboardExprs().flatMap(({ expr }) => selectorsIn(expr).map((s) => s.name.replace(/_(bucket|sum|count)$/, ''))));
    const { registry } = createServiceMetrics({ defaultMetrics: false });
    new DriftMonitor(registry);
    const own = registry.getMetricsAsArray().map((m) => m.name);
    expect(own.filter((m) => !used.has(m))).toEqual([]);
    for (const m of ['process_cpu_seconds_total', 'process_resident_memory_bytes']) expect(used).toContain(m);
  });
});

describe('rendered overlays (kubectl kustomize)', () => {
  const render = (overlay: string): K8sObject[] => {
    const r = renderKustomization(join(OVERLAYS_DIR, overlay));
    if (!r.ok) throw new Error(`kubectl kustomize unavailable: ${r.reason}`);
    return r.objects;
  };
  const podSpecs = (objects: K8sObject[]): PodSpec[] =>
    objects.flatMap((o) => {
      if (o.kind === 'Deployment') return [(o as unknown as Deployment).spec.template.spec];
      if (o.kind === 'CronJob') return [(o as unknown as CronJob).spec.jobTemplate.spec.template.spec];
      return [];
    });

  (hasKubectl ? it.each : it.skip.each)(OVERLAYS.map((o) => [o]))('%s renders: one namespace, released images, hashed ConfigMap wired in, no Secret', (overlay) => {
    const objects = render(overlay);
    const namespace = readKustomization(join(OVERLAYS_DIR, overlay)).namespace;
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const o of objects) {
      if (o.kind === 'Namespace') expect(o.metadata?.name).toBe(namespace);
      else expect(`${o.kind}/${o.metadata?.name} in ${o.metadata?.namespace}`).toBe(`${o.kind}/${o.metadata?.name} in ${namespace}`);
    }
    const images = podSpecs(objects).flatMap((p) => [...p.containers, ...(p.initContainers ?? [])].map((c) => c.image ?? ''));
    expect(images.length).toBeGreaterThanOrEqual(3);
    for (const image of images) {
      expect(image).toMatch(/^[a-z0-9.-]+(:\d+)?\/[a-z0-9/._-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/);
      expect(image).not.toMatch(/:latest$/);
    }
    const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name?.startsWith(`${CONFIG_MAP}-`));
    expect(configMap?.metadata?.name).toMatch(new RegExp(`^${CONFIG_MAP}-[a-z0-9]{10}$`));
    for (const p of podSpecs(objects)) {
      for (const c of p.containers) expect(c.envFrom?.[0]?.configMapRef?.name).toBe(configMap?.metadata?.name);
    }
    // What kustomize merged is what the file-level tests assumed.
    expect(configMap?.data).toEqual(configMapData(overlay));
    expect(() => loadConfig({ ...configMap?.data, ...exampleSecret() })).not.toThrow();
  });

  (hasKubectl ? it : it.skip)('production renders the autoscaler bounds, the rules and the dashboard; staging leaves the shared monitoring out', () => {
    const production = render('production');
    const hpa = production.find((o) => o.kind === 'HorizontalPodAutoscaler') as unknown as HorizontalPodAutoscaler;
    expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 12 });
    expect((production.find((o) => o.kind === 'Deployment') as unknown as Deployment).spec.replicas).toBeUndefined();
    expect(production.filter((o) => o.kind === 'PrometheusRule' || o.metadata?.name === DASHBOARD_MAP)).toHaveLength(2);
    const staging = render('staging');
    expect(staging.filter((o) => o.kind === 'PrometheusRule' || o.metadata?.name === DASHBOARD_MAP)).toEqual([]);
  });
});

describe('promtool', () => {
  let work = '';
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'k8s-rules-'));
  });
  afterAll(() => {
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  /** The PrometheusRule's groups as a plain Prometheus rules file. */
  const rulesFile = (name: string, withAnnotations: boolean): string => {
    const groups = baseObject<PrometheusRule>('PrometheusRule', 'fraud-scoring').spec.groups.map((g) => ({
      ...g,
      rules: g.rules.map(({ annotations, ...r }) => (withAnnotations && annotations !== undefined ? { ...r, annotations } : r)),
    }));
    const path = join(work, name);
    writeFileSync(path, yaml.dump({ groups }, { lineWidth: -1, noRefs: true }));
    return path;
  };

  const expectSuccess = (run: { status: number | null; output: string }) => {
    expect(run.status === 0 ? 'ok' : run.output).toBe('ok');
  };

  (hasPromtool ? it : it.skip)('`promtool check rules` accepts the PrometheusRule (expressions, durations, templates)', () => {
    const path = rulesFile('check-rules.yaml', true);
    const run = promtool(['check', 'rules', path], work);
    expectSuccess(run);
    expect(run.output).toContain(`SUCCESS: ${rules().length} rules found`);
  });

  (hasPromtool ? it : it.skip)(
    '`promtool test rules` passes k8s/tests/prometheus-rules.test.yaml',
    () => {
      // Annotations are left out: their templates are checked above; the unit tests check firing.
      rulesFile('fraud-rules.yaml', false);
      copyFileSync(join(RULE_TESTS_DIR, 'prometheus-rules.test.yaml'), join(work, 'prometheus-rules.test.yaml'));
      expectSuccess(promtool(['test', 'rules', 'prometheus-rules.test.yaml'], work));
    },
    300_000,
  );

  (hasPromtool ? it : it.skip)('`promtool check rules` parses every dashboard query (Grafana variables substituted)', () => {
    const substitute = (expr: string) => expr.replace(/\$\{?(\w+)\}?/g, (_m, v: string) => (v.startsWith('__') ? '5m' : 'x'));
    const groups = [{ name: 'dashboard', rules: dashboardExprs().map(({ expr }, i) => ({ record: `dashboard:query_${i}`, expr: substitute(expr) })) }];
    const path = join(work, 'dashboard-queries.yaml');
    writeFileSync(path, yaml.dump({ groups }, { lineWidth: -1 }));
    expectSuccess(promtool(['check', 'rules', path], work));
  });

  if (!hasPromtool) {
    // A skip is acceptable on a developer machine only; CI installs prometheus (.ci/run).
    (onCi ? it : it.skip)(`needs ${PROMTOOL} (CI=true makes its absence a failure)`, () => {
      throw new Error(`${PROMTOOL} is not installed; apt-get install prometheus`);
    });
  }
});
