import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelRegistry } from './model-registry';
import { devSigningKey, signerFromPem, TrustedKeys, type ModelSigner } from './model-signature';

/** The settings a registry's trust comes from (MODEL_* variables; the CLI reads them from its environment). */
export interface RegistryTrustSettings {
  /** `required` (default): only entries signed by a trusted key are promoted and served; `off`: no checks. */
  readonly signatures: 'required' | 'off';
  /** PEM public key file or directory of them; default `<registry>/trusted-keys`. */
  readonly trustedKeys?: string | undefined;
  /** PEM (PKCS#8) Ed25519 private key entries are signed with; default a development key in DATA_DIR. */
  readonly signingKeyFile?: string | undefined;
  readonly dataDir: string;
}

/** The settings of a process environment. */
export function trustSettingsFromEnv(env: NodeJS.ProcessEnv): RegistryTrustSettings {
  return {
    signatures: env.MODEL_SIGNATURES === 'off' ? 'off' : 'required',
    trustedKeys: env.MODEL_TRUSTED_KEYS || undefined,
    signingKeyFile: env.MODEL_SIGNING_KEY_FILE || undefined,
    dataDir: env.DATA_DIR || 'data',
  };
}

/** Where trusted keys are read from for `root`. */
export function trustedKeysPath(root: string, s: RegistryTrustSettings): string {
  return s.trustedKeys ?? join(root, 'trusted-keys');
}

/**
 * The registry at `root` with its trust: checking signatures unless they are off; signing what it
 * adds when `sign` (train, retrain) with MODEL_SIGNING_KEY_FILE, else with the development key of
 * DATA_DIR (made on first use; its public key goes into `<registry>/trusted-keys`), reported
 * through `onNote`. Throws naming a key file that cannot be read or is not Ed25519.
 */
export function openRegistry(root: string, s: RegistryTrustSettings, o: { readonly sign: boolean; readonly onNote?: (message: string) => void }): ModelRegistry {
  let signer: ModelSigner | null = null;
  if (o.sign) {
    if (s.signingKeyFile !== undefined) signer = signerFromPem(readFileSync(s.signingKeyFile, 'utf8'));
    else {
      const dev = devSigningKey(s.dataDir, join(root, 'trusted-keys'));
      signer = signerFromPem(dev.pem);
      o.onNote?.(
        `no MODEL_SIGNING_KEY_FILE: signing with the development key ${join(s.dataDir, 'model-signing.key')} (key ${signer.keyId}${dev.created ? ', just generated' : ''}), ` +
          `trusted through ${join(root, 'trusted-keys')}; production signs with its own key and serves with MODEL_TRUSTED_KEYS outside the registry`,
      );
    }
  }
  const path = trustedKeysPath(root, s);
  const trusted = s.signatures === 'off' ? null : () => TrustedKeys.load(path);
  return new ModelRegistry(root, { signer, trusted });
}
