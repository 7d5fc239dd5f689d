import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelMetadata } from '../../../../src/model/registry/model-metadata';
import { metadataProblem } from '../../../../src/model/registry/model-registry';
import { SIGNED_FIELDS, signerFromPem, TrustedKeys } from '../../../../src/model/registry/model-signature';

/** The committed registry. */
const MODELS = join(__dirname, '..', '..', '..', '..', 'models');

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, pub: publicKey.export({ type: 'spki', format: 'pem' }) as string };
}

const META: ModelMetadata = {
  version: '20260101T000000Z-abcdef01',
  createdAt: '2026-01-01T00:00:00.000Z',
  parent: '20251201T000000Z-01234567',
  featureSpecHash: 'a'.repeat(64),
  featureNames: ['amount', 'user_count_1h'],
  onnx: { file: 'model.onnx', input: 'features', output: 'probability', outputColumn: 1 },
  sha256: 'b'.repeat(64),
  explainer: { file: 'explainer.json', sha256: '9'.repeat(64) },
  thresholds: { challenge: 0.3, decline: 0.9, targets: { maxChallengeRate: 0.02 } },
  status: 'candidate',
  trainer: { name: 'xgboost', version: '1.7.4', params: { eta: 0.1 } },
  windows: { train: { from: '2018-04-01', to: '2018-07-01' } },
  datasetHash: 'c'.repeat(64),
  protocol: 'handbook',
  metrics: { test: { auc: 0.87, ap: 0.7, cpAt100: 0.3, recallAt1pctFpr: 0.6 } },
  notes: { why: 'test' },
};

/** A copy of `m` with one signed field changed in a way a tamperer might. */
function tamper(m: ModelMetadata, field: (typeof SIGNED_FIELDS)[number]): ModelMetadata {
  const changed: Record<(typeof SIGNED_FIELDS)[number], unknown> = {
    version: '20260101T000000Z-ffffffff',
    createdAt: '2026-01-02T00:00:00.000Z',
    parent: null,
    featureSpecHash: 'd'.repeat(64),
    featureNames: ['amount', 'user_count_24h'],
    onnx: { ...m.onnx, outputColumn: 0 },
    sha256: 'e'.repeat(64),
    explainer: { file: 'explainer.json', sha256: '8'.repeat(64) },
    thresholds: { ...m.thresholds, decline: 1 },
    trainer: { name: 'xgboost', version: '1.7.4', params: { eta: 0.3 } },
    windows: { train: { from: '2018-04-02', to: '2018-07-01' } },
    datasetHash: 'f'.repeat(64),
    protocol: 'retrain-served',
    drift: { version: 1, featureRows: 10, scoreRows: 5, features: {}, score: { edges: [0.5], shares: [0.4, 0.6, 0] } },
  };
  return { ...m, [field]: changed[field] } as ModelMetadata;
}

describe('signed model manifests', () => {
  const signer = keyPair();
  const dir = mkdtempSync(join(tmpdir(), 'trusted-'));
  writeFileSync(join(dir, 'release.pem'), signer.pub);
  const trusted = TrustedKeys.load(dir);
  const signed = signerFromPem(signer.pem).sign(META);

  it('signs with Ed25519 over the manifest; the signature validates against the trusted key, and model.json stays schema-valid', () => {
    expect(trusted.size).toBe(1);
    expect(metadataProblem(signed)).toBeNull();
    expect(trusted.problem(signed)).toBeNull();
    // Key order and JSON formatting do not matter: the manifest is canonical.
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(signed).reverse()))) as ModelMetadata;
    expect(trusted.problem(reordered)).toBeNull();
    // Status, metrics and notes are not covered: the registry rewrites status on promotion.
    expect(trusted.problem({ ...signed, status: 'champion', metrics: {}, notes: {} })).toBeNull();
  });

  it.each(SIGNED_FIELDS)('refuses a model.json whose %s was changed after signing', (field) => {
    expect(trusted.problem(tamper(signed, field))).toMatch(/does not match its manifest \(model\.json was changed after signing\)$/);
  });

  it('covers the drift reference when present, and a model.json signed before drift references existed still verifies', () => {
    const drift = { version: 1 as const, featureRows: 10, scoreRows: 5, features: { amount: { edges: [10], shares: [0.5, 0.5, 0] } }, score: { edges: [0.5], shares: [0.5, 0.5, 0] } };
    const withDrift = signerFromPem(signer.pem).sign({ ...META, drift });
    expect(metadataProblem(withDrift)).toBeNull();
    expect(trusted.problem(withDrift)).toBeNull();
    expect(trusted.problem({ ...withDrift, drift: { ...drift, score: { edges: [0.9], shares: [0.5, 0.5, 0] } } })).toContain('does not match');
    expect(trusted.problem({ ...withDrift, drift: undefined })).toContain('does not match');
    // A model.json signed before drift references existed has no such field in its manifest: it still verifies.
    const legacy = signerFromPem(signer.pem).sign(META);
    expect(legacy.drift).toBeUndefined();
    expect(trusted.problem(legacy)).toBeNull();
    // The committed champion carries one, signed with the rest.
    const pointer = JSON.parse(readFileSync(join(MODELS, 'champion.json'), 'utf8')) as { version: string };
    const champion = JSON.parse(readFileSync(join(MODELS, pointer.version, 'model.json'), 'utf8')) as ModelMetadata;
    expect(Object.keys(champion.drift?.features ?? {})).toHaveLength(champion.featureNames.length);
    expect(TrustedKeys.load(join(MODELS, 'trusted-keys')).problem(champion)).toBeNull();
  });

  it('refuses a threshold rewritten to approve everything or decline everything', () => {
    for (const thresholds of [{ challenge: 1, decline: 1 }, { challenge: 0, decline: 0 }]) {
      expect(trusted.problem({ ...signed, thresholds })).toContain('does not match');
    }
  });

  it('refuses unsigned models, unknown keys, and signatures moved to another model', () => {
    expect(trusted.problem(META)).toBe('it is not signed');
    const stranger = signerFromPem(keyPair().pem).sign(META);
    expect(trusted.problem(stranger)).toMatch(/^it is signed by key [0-9a-f]{16}, which is not among the trusted keys/);
    const other = signerFromPem(signer.pem).sign({ ...META, version: '20260101T000000Z-00000000' });
    expect(trusted.problem({ ...META, signature: (other as { signature?: unknown }).signature } as ModelMetadata)).toContain('does not match');
    expect(TrustedKeys.load(join(dir, 'absent')).problem(signed)).toMatch(/not among the trusted keys/);
  });

  it('accepts only Ed25519 keys', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => signerFromPem(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)).toThrow('a model signing key must be Ed25519, got rsa');
    const rsaDir = mkdtempSync(join(tmpdir(), 'trusted-'));
    writeFileSync(join(rsaDir, 'rsa.pem'), rsa.publicKey.export({ type: 'spki', format: 'pem' }));
    expect(() => TrustedKeys.load(rsaDir)).toThrow('a trusted model key must be Ed25519, got rsa');
  });
});
