import Ajv, { type JSONSchemaType } from 'ajv';

/**
 * One tree of an explainer document, in XGBoost's array layout: node 0 is the root, `left` is -1
 * at a leaf. `value` is the split threshold (x goes left when x < value) at a split and the leaf
 * value at a leaf; `cover` is the node's training cover (XGBoost's hessian sum). Every array has
 * one entry per node.
 */
export interface ExplainerTree {
  readonly left: readonly number[];
  readonly right: readonly number[];
  readonly feature: readonly number[];
  readonly value: readonly number[];
  readonly defaultLeft: readonly boolean[];
  readonly cover: readonly number[];
}

/**
 * `explainer.json` of a registry version: the served tree ensemble with what exact TreeSHAP needs
 * beyond the ONNX file (the covers). Written by `train`/`retrain` from the same XGBoost model the
 * ONNX file is exported from; its sha256 is in the signed manifest.
 */
export interface ExplainerDocument {
  readonly format: 'tree-shap/v1';
  readonly featureCount: number;
  /** The margin every tree adds to (logit of XGBoost's base_score). */
  readonly baseMargin: number;
  readonly trees: readonly ExplainerTree[];
}

const numbers = { type: 'array', items: { type: 'number' } } as const;

const schema: JSONSchemaType<ExplainerDocument> = {
  type: 'object',
  required: ['format', 'featureCount', 'baseMargin', 'trees'],
  additionalProperties: false,
  properties: {
    format: { type: 'string', const: 'tree-shap/v1' },
    featureCount: { type: 'integer', minimum: 1 },
    baseMargin: { type: 'number' },
    trees: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['left', 'right', 'feature', 'value', 'defaultLeft', 'cover'],
        additionalProperties: false,
        properties: {
          left: { ...numbers, minItems: 1 },
          right: numbers,
          feature: numbers,
          value: numbers,
          defaultLeft: { type: 'array', items: { type: 'boolean' } },
          cover: numbers,
        },
      },
    },
  },
} as unknown as JSONSchemaType<ExplainerDocument>;

/** A compiled check of explainer documents (compile once, at start-up). */
export type ExplainerCheck = (text: string) => ExplainerDocument;

/**
 * Compiles the explainer document check. The returned function parses `text` and throws an Error
 * naming the first problem: not JSON, a schema violation (with its JSON Pointer), or a tree whose
 * arrays differ in length.
 */
export function compileExplainerCheck(): ExplainerCheck {
  const validate = new Ajv({ allErrors: false }).compile(schema);
  return (text) => {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new Error(`explainer is not JSON: ${(err as Error).message}`);
    }
    if (!validate(doc)) {
      const e = validate.errors?.[0];
      throw new Error(`explainer ${e?.instancePath || '/'} ${e?.message ?? 'is invalid'}`);
    }
    doc.trees.forEach((t, i) => {
      const n = t.left.length;
      for (const [name, list] of Object.entries(t)) {
        if ((list as readonly unknown[]).length !== n) throw new Error(`explainer /trees/${i}/${name} has ${(list as readonly unknown[]).length} entries, left has ${n}`);
      }
    });
    return doc;
  };
}
