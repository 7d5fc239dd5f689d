import { createHash } from 'node:crypto';
import { canonicalJson, featureSpec, type FeatureSpec } from '../../features';

/** SHA-256 (hex) of the canonical JSON of a feature spec; the running spec by default. */
export function featureSpecHash(spec: FeatureSpec = featureSpec()): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}

/** The generated spec document committed as `features/spec.generated.json`. */
export interface GeneratedSpec {
  readonly version: number;
  readonly hash: string;
  readonly names: readonly string[];
  readonly spec: FeatureSpec;
}

/** Builds the generated spec document of the running `features/`. */
export function generatedSpec(): GeneratedSpec {
  const spec = featureSpec();
  return { version: spec.version, hash: featureSpecHash(spec), names: spec.names, spec };
}

/** The document's file text: pretty JSON with a trailing newline, stable across runs. */
export function generatedSpecText(): string {
  return `${JSON.stringify(generatedSpec(), null, 2)}\n`;
}
