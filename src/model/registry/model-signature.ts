import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { canonicalJson } from '../../../features';
import type { ModelMetadata } from './model-metadata';

/** The `signature` of a model.json: Ed25519 over its manifest (see {@link manifestBytes}). */
export interface ModelSignature {
  readonly algorithm: 'ed25519';
  /** The signing key's id: the first 16 hex characters of the SHA-256 of its public key (SPKI DER). */
  readonly keyId: string;
  /** The signature, base64. */
  readonly value: string;
}

/**
 * The fields of model.json a signature covers: what decides how the service scores and decides
 * (the ONNX file's checksum, its input and output, the feature spec and names, the thresholds, the
 * explainer's checksum) and
 * the model's lineage (version, time, parent, trainer, windows, dataset), and its drift reference
 * (what drift is measured against). `status`, `metrics` and
 * `notes` are not covered: the registry rewrites status on every promotion, and the others do not
 * change a decision.
 */
export const SIGNED_FIELDS = ['version', 'createdAt', 'parent', 'featureSpecHash', 'featureNames', 'onnx', 'sha256', 'explainer', 'thresholds', 'trainer', 'windows', 'datasetHash', 'protocol', 'drift'] as const;

/** The signed manifest of a model.json: the canonical JSON of its {@link SIGNED_FIELDS}, prefixed with a purpose string. */
export function manifestBytes(m: ModelMetadata): Buffer {
  const record = m as unknown as Record<string, unknown>;
  const manifest = Object.fromEntries(SIGNED_FIELDS.filter((f) => record[f] !== undefined).map((f) => [f, record[f]]));
  return Buffer.from(`fraud-scoring model manifest v1\n${canonicalJson(manifest)}`, 'utf8');
}

/** The id of a public key (see {@link ModelSignature.keyId}). */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/** A private Ed25519 key that signs what the registry adds. */
export interface ModelSigner {
  readonly keyId: string;
  sign(m: ModelMetadata): ModelMetadata;
}

/** A signer from a PEM (PKCS#8) Ed25519 private key. Throws naming a key of another type. */
export function signerFromPem(pem: string): ModelSigner {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a model signing key must be Ed25519, got ${key.asymmetricKeyType ?? 'unknown'}`);
  const keyId = keyIdOf(createPublicKey(key));
  return {
    keyId,
    sign: (m) => {
      const { signature: _old, ...rest } = m as ModelMetadata & { signature?: unknown };
      const signature: ModelSignature = { algorithm: 'ed25519', keyId, value: sign(null, manifestBytes(rest as ModelMetadata), key).toString('base64') };
      return { ...rest, signature } as ModelMetadata;
    },
  };
}

/** Public keys a model's signature may come from, by key id. */
export class TrustedKeys {
  private constructor(
    private readonly keys: ReadonlyMap<string, KeyObject>,
    /** Where they were read from (for messages). */
    readonly source: string,
  ) {}

  /**
   * Every Ed25519 public key in `path`: a PEM file (several keys may follow each other) or a
   * directory of `*.pem` files. A path that does not exist holds none. Throws naming a file that
   * is not a public key.
   */
  static load(path: string): TrustedKeys {
    const keys = new Map<string, KeyObject>();
    if (existsSync(path)) {
      const files = statSync(path).isDirectory() ? readdirSync(path).filter((f) => f.endsWith('.pem')).sort().map((f) => join(path, f)) : [path];
      for (const file of files) {
        const blocks = readFileSync(file, 'utf8').match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
        if (blocks.length === 0) throw new Error(`${file}: no PEM public key in it`);
        for (const pem of blocks) {
          const key = createPublicKey(pem);
          if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${file}: a trusted model key must be Ed25519, got ${key.asymmetricKeyType ?? 'unknown'}`);
          keys.set(keyIdOf(key), key);
        }
      }
    }
    return new TrustedKeys(keys, path);
  }

  /** How many keys are trusted. */
  get size(): number {
    return this.keys.size;
  }

  /** Null when `m` carries a valid signature by a trusted key over its manifest; else what is wrong. */
  problem(m: ModelMetadata): string | null {
    const s = (m as { signature?: Partial<ModelSignature> }).signature;
    if (s === undefined) return 'it is not signed';
    if (s.algorithm !== 'ed25519' || typeof s.keyId !== 'string' || typeof s.value !== 'string') return 'its signature is malformed';
    const key = this.keys.get(s.keyId);
    if (key === undefined) return `it is signed by key ${s.keyId}, which is not among the trusted keys (${this.source})`;
    if (!verify(null, manifestBytes(m), key, Buffer.from(s.value, 'base64'))) return `its signature by key ${s.keyId} does not match its manifest (model.json was changed after signing)`;
    return null;
  }
}

/**
 * The development signing key of `dataDir`, generated once (`model-signing.key`, 0600) with its
 * public key written into `trustedDir` (`dev-<keyId>.pem`) so this machine's registry trusts what
 * it trains. For production, set MODEL_SIGNING_KEY_FILE and MODEL_TRUSTED_KEYS instead.
 * Resolves to the PEM and whether it was just made.
 */
export function devSigningKey(dataDir: string, trustedDir: string): { readonly pem: string; readonly created: boolean } {
  const path = join(dataDir, 'model-signing.key');
  let created = false;
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    created = true;
  }
  const pem = readFileSync(path, 'utf8');
  const publicKey = createPublicKey(pem);
  const pub = join(trustedDir, `dev-${keyIdOf(publicKey)}.pem`);
  if (!existsSync(pub)) {
    mkdirSync(trustedDir, { recursive: true });
    writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return { pem, created };
}
