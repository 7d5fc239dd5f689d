import type { FromSchema } from 'json-schema-to-ts';
import { driftReferenceSchema } from '../drift/drift-reference';

/**
 * The threshold meaning "never": scores are probabilities in [0, 1], so `score ≥ 2` never holds.
 * A finite number (unlike Infinity) survives a JSON round trip in model.json.
 */
export const NEVER = 2;

const windowSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: { from: { type: 'string' }, to: { type: 'string' } },
} as const;

const metricsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['auc', 'ap', 'cpAt100', 'recallAt1pctFpr'],
  properties: {
    // null where undefined (e.g. AUC of a window without fraud): JSON has no NaN.
    auc: { type: ['number', 'null'] },
    ap: { type: ['number', 'null'] },
    cpAt100: { type: ['number', 'null'] },
    recallAt1pctFpr: { type: ['number', 'null'] },
    rows: { type: 'integer' },
    frauds: { type: 'integer' },
  },
} as const;

/**
 * `model.json`, the registry entry of one model. The required part is what any ONNX binary
 * classifier needs to be served (inputs, outputs, feature spec hash, checksum, thresholds); the
 * rest is lineage and evaluation, filled by our own training pipeline.
 */
export const modelMetadataSchema = {
  $id: 'urn:fraud-scoring:model-metadata:v1',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'createdAt', 'featureSpecHash', 'featureNames', 'onnx', 'sha256', 'thresholds', 'status'],
  properties: {
    version: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,80}$' },
    createdAt: { type: 'string' },
    parent: { type: ['string', 'null'] },
    featureSpecHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    featureNames: { type: 'array', items: { type: 'string' }, minItems: 1 },
    onnx: {
      type: 'object',
      additionalProperties: false,
      required: ['file', 'input', 'output'],
      properties: {
        file: { type: 'string' },
        /** Name of the float input of shape [N, featureNames.length]. */
        input: { type: 'string' },
        /** Name of the output holding P(fraud): shape [N, 1], or [N, 2] with `outputColumn`. */
        output: { type: 'string' },
        outputColumn: { type: 'integer', minimum: 0 },
      },
    },
    /** SHA-256 (hex) of the ONNX file. */
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    /**
     * The tree ensemble with its training covers, for exact TreeSHAP reason codes (see
     * src/model/explain); absent for a model without one, which then answers without reasons.
     */
    explainer: {
      type: 'object',
      additionalProperties: false,
      required: ['file', 'sha256'],
      properties: {
        file: { type: 'string' },
        sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      },
    },
    thresholds: {
      type: 'object',
      additionalProperties: false,
      required: ['challenge', 'decline'],
      properties: {
        /** score >= challenge (and < decline) => challenge; NEVER (2) disables challenges */
        challenge: { anyOf: [{ type: 'number', minimum: 0, maximum: 1 }, { const: NEVER }] },
        /** score >= decline => decline; NEVER (2) disables declines */
        decline: { anyOf: [{ type: 'number', minimum: 0, maximum: 1 }, { const: NEVER }] },
        targets: { type: 'object' },
        validation: { type: 'object' },
      },
    },
    status: { type: 'string', enum: ['candidate', 'champion', 'retired', 'rejected'] },
    trainer: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string' }, version: { type: 'string' }, params: { type: 'object' }, bestIteration: { type: 'integer' }, seconds: { type: 'number' } },
    },
    windows: {
      type: 'object',
      additionalProperties: false,
      properties: { train: windowSchema, validation: windowSchema, delay: windowSchema, test: windowSchema },
    },
    datasetHash: { type: 'string' },
    protocol: { type: 'string' },
    metrics: {
      type: 'object',
      additionalProperties: false,
      properties: {
        test: metricsSchema,
        validation: metricsSchema,
        prequential: { type: 'object' },
      },
    },
    notes: { type: 'object' },
    /**
     * Reference distributions for drift monitoring (see src/model/drift and docs/drift.md): every
     * feature binned on the training window, the score on the validation window. Absent in models
     * made before references were recorded; `fraudctl drift` refuses those.
     */
    drift: driftReferenceSchema,
    /** Ed25519 over the manifest (see model-signature.ts). */
    signature: {
      type: 'object',
      additionalProperties: false,
      required: ['algorithm', 'keyId', 'value'],
      properties: { algorithm: { const: 'ed25519' }, keyId: { type: 'string', pattern: '^[0-9a-f]{16}$' }, value: { type: 'string' } },
    },
  },
} as const;

export type ModelMetadata = FromSchema<typeof modelMetadataSchema>;
export type ModelStatus = ModelMetadata['status'];
export type ModelMetrics = NonNullable<NonNullable<ModelMetadata['metrics']>['test']>;
