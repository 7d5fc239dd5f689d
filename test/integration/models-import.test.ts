import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEATURE_NAMES } from '../../features';
import { main } from '../../src/cli/fraudctl';
import { encodeOnnxModel } from '../../src/model/onnx-export';
import { floatsAttribute, floatTensorInfo, intsAttribute, stringAttribute } from '../../src/model/onnx-export/onnx-builders';
import { ATTRIBUTE_TYPE, type OnnxNode, type OnnxValueInfo } from '../../src/model/onnx-export/onnx-types';
import { ModelRegistry } from '../../src/model/registry/model-registry';
import { readRegistryEvents } from '../../src/model/registry/registry-history';
import { postJson, startTestService } from '../support/service';

/*
 * Acceptance (any ONNX binary classifier): a non-tree model built here (an Imputer then a
 * LinearClassifier, as sklearn's converters write them) imports, evaluates on the handbook test
 * week, is signed and registered, and serves, without reason codes. Models that would fail in
 * service are refused with the reason.
 */

const DATA_DIR = mkdtempSync(join(tmpdir(), 'import-data-'));
const WIDTH = FEATURE_NAMES.length;
const INT64 = 7;

/** A logistic model on a few features the simulator's fraud shows in (amounts, a merchant's fraud history, a customer's unusual amount). */
function linearClassifier(opts: { impute: boolean; width?: number }): Uint8Array {
  const width = opts.width ?? WIDTH;
  const w = new Array<number>(width).fill(0);
  const set = (name: string, weight: number) => {
    const i = FEATURE_NAMES.indexOf(name);
    if (i >= 0 && i < width) w[i] = weight;
  };
  set('amount', 0.02);
  set('merchant_risk_7d_delay7', 6);
  set('merchant_known_frauds_7d', 0.8);
  set('user_amount_to_avg_30d_delay7', 0.6);
  const intercept = -7;
  const nodes: OnnxNode[] = [];
  let features = 'features';
  if (opts.impute) {
    nodes.push({ input: ['features'], output: ['imputed'], name: 'imputer', op_type: 'Imputer', domain: 'ai.onnx.ml',
      attribute: [floatsAttribute('imputed_value_floats', new Array<number>(width).fill(0)), { name: 'replaced_value_float', type: ATTRIBUTE_TYPE.FLOAT, f: Number.NaN }] });
    features = 'imputed';
  }
  nodes.push({ input: [features], output: ['label', 'probabilities'], name: 'linear', op_type: 'LinearClassifier', domain: 'ai.onnx.ml',
    attribute: [
      // Two classes: class 0's scores are the negation of class 1's, so the logistic of each is (1 - p, p).
      floatsAttribute('coefficients', [...w.map((x) => -x), ...w]),
      floatsAttribute('intercepts', [-intercept, intercept]),
      intsAttribute('classlabels_ints', [0, 1]),
      stringAttribute('post_transform', 'LOGISTIC'),
    ] });
  const label: OnnxValueInfo = { name: 'label', type: { tensor_type: { elem_type: INT64, shape: { dim: [{ dim_param: 'N' }] } } } };
  return encodeOnnxModel({
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }, { domain: 'ai.onnx.ml', version: 3 }],
    producer_name: 'hand-built for fraud-scoring tests',
    producer_version: '1',
    graph: { name: 'linear', node: nodes, input: [floatTensorInfo('features', ['N', width])], output: [label, floatTensorInfo('probabilities', ['N', 2])], value_info: [] },
    metadata_props: [],
  });
}

function cli() {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, isTTY: false, env: { ...process.env, DATA_DIR, MODEL_ACTOR: 'analyst' } } as never;
  return { run: (args: string[]) => main(args, io), out, err };
}

describe('fraudctl models import', () => {
  const dir = mkdtempSync(join(tmpdir(), 'import-'));
  const registry = join(dir, 'registry');
  const dataset = join(dir, 'dataset');
  const file = (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  beforeAll(async () => {
    for (const args of [
      ['simulate', '--out', join(dir, 'events.ndjson'), '--customers', '400', '--terminals', '2000', '--days', '140', '--json'],
      ['build-dataset', '--in', join(dir, 'events.ndjson'), '--out', dataset, '--json'],
    ]) {
      const c = cli();
      expect([await c.run(args), c.err.join('')]).toEqual([0, '']);
    }
  }, 120_000);

  it('imports a linear classifier, evaluates it on the handbook test week, signs it, and the service serves it without reason codes', async () => {
    const c = cli();
    const path = file('linear.onnx', linearClassifier({ impute: true }));
    expect(await c.run(['models', 'import', path, '--dataset', dataset, '--registry', registry, '--promote', '--reason', 'vendor model trial', '--json'])).toBe(0);
    const summary = JSON.parse(c.out.join('')) as { version: string; onnx: unknown; metrics: { auc: number; ap: number }; reasonCodes: boolean; promoted: boolean };
    expect(summary).toMatchObject({ onnx: { file: 'model.onnx', input: 'features', output: 'probabilities', outputColumn: 1 }, reasonCodes: false, promoted: true });
    // It learned nothing here, but it is a real classifier: clearly better than chance on the test week.
    expect(summary.metrics.auc).toBeGreaterThan(0.7);
    const entry = new ModelRegistry(registry).get(summary.version);
    expect(entry.metadata).toMatchObject({ status: 'champion', protocol: 'handbook', trainer: { name: 'imported', params: { source: 'linear.onnx' } }, windows: { test: { from: '2018-08-08', to: '2018-08-14' } } });
    expect(entry.metadata.explainer).toBeUndefined();
    // Its drift reference: the dataset's training window and its own scores on the validation window.
    expect(entry.metadata.drift).toMatchObject({ version: 1, featureRows: expect.any(Number), scoreRows: entry.metadata.metrics?.validation?.rows });
    expect(Object.keys(entry.metadata.drift!.features)).toEqual([...FEATURE_NAMES]);
    expect(readFileSync(join(entry.dir, 'report.html'), 'utf8')).toContain(summary.version);
    console.log(`models import: linear classifier ${summary.version} on the test week ${JSON.stringify(summary.metrics)}`);
    expect(entry.metadata.thresholds.challenge).toBeLessThan(1);
    expect(readRegistryEvents(registry).at(-1)).toMatchObject({ action: 'promote', actor: 'analyst', to: summary.version, reason: 'vendor model trial' });

    const svc = await startTestService({ MODEL_REGISTRY_DIR: registry, DATA_DIR, MODEL_SIGNATURES: 'required' });
    try {
      expect(svc.models.champion()?.version).toBe(summary.version);
      const txn = { transactionId: 'imp-1', timestamp: '2018-09-01T10:00:00Z', userId: 'c00001', merchantId: 'm00001', amountMinor: 95_000, currency: 'EUR' };
      const r = await postJson(`${svc.url}/v1/score`, txn);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ modelVersion: summary.version, degraded: false, reasons: [] });
      // sigmoid(0.02 · 950 - 7): the linear model's own score, through the service.
      expect(r.body.score as number).toBeCloseTo(1 / (1 + Math.exp(-(0.02 * 950 - 7))), 5);
      const got = (await (await fetch(`${svc.url}/v1/decisions/imp-1`)).json()) as Record<string, unknown>;
      expect(got.explanation).toBeNull();
    } finally {
      await svc.close();
    }
  }, 120_000);

  it('refuses a model that turns missing values into NaN, or expects another number of features, saying why', async () => {
    const nan = cli();
    expect(await nan.run(['models', 'import', file('no-imputer.onnx', linearClassifier({ impute: false })), '--dataset', dataset, '--registry', registry, '--json'])).toBe(1);
    expect(JSON.parse(nan.out.join(''))).toEqual({ refused: 'it answers NaN for a row of missing values (NaN); the service sends NaN for what it does not know, so the model must map it to a probability (e.g. an Imputer before the classifier)' });
    expect(nan.err.join('')).toMatch(/^REFUSED: .*no-imputer\.onnx: it answers NaN/);
    const narrow = cli();
    expect(await narrow.run(['models', 'import', file('narrow.onnx', linearClassifier({ impute: true, width: 10 })), '--dataset', dataset, '--registry', registry])).toBe(1);
    expect(narrow.err.join('')).toContain(`input "features" has shape [N, 10]; the running feature spec needs [N, ${WIDTH}] (N any)`);
    const column = cli();
    expect(await column.run(['models', 'import', file('linear2.onnx', linearClassifier({ impute: true })), '--dataset', dataset, '--registry', registry, '--output-column', '2'])).toBe(1);
    expect(column.err.join('')).toContain('--output-column 2 is outside output "probabilities"\'s 2 column(s)');
    // Nothing refused reached the registry.
    expect(new ModelRegistry(registry).list()).toHaveLength(1);
  }, 60_000);
});
