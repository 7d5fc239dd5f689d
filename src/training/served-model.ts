import { explainerFromXGBoost } from '../model/explain/explainer-from-xgboost';
import { exportXGBoostToOnnx } from '../model/onnx-export';
import type { ModelMetadata } from '../model/registry/model-metadata';
import { sha256Hex } from '../model/registry/model-registry';

/** What a registry version serves, made from one trained booster. */
export interface ServedModel {
  /** model.onnx: the ai.onnx.ml tree ensemble the service scores with. */
  readonly onnx: Uint8Array;
  /** explainer.json: the same trees with their covers, for TreeSHAP reason codes. */
  readonly explainer: string;
  /** model.json's fields naming and checking both files. */
  readonly manifest: Pick<ModelMetadata, 'onnx' | 'sha256' | 'explainer'>;
  /** The registry files (model.onnx, explainer.json) to add beside the report. */
  readonly files: Readonly<Record<string, Uint8Array | string>>;
}

/**
 * Exports an XGBoost binary:logistic model (Booster.saveJson()) as the served artifacts. Both come
 * from the same document, so the explainer describes exactly the trees the ONNX file scores with
 * (the service checks this again when it loads them). Throws OnnxExportError for a model the
 * exporter refuses.
 */
export function exportServedModel(boosterJson: string, featureCount: number, featureSpecHash: string): ServedModel {
  const onnx = exportXGBoostToOnnx(boosterJson, { featureCount, metadata: { featureSpecHash } });
  const explainer = JSON.stringify(explainerFromXGBoost(boosterJson, featureCount));
  return {
    onnx,
    explainer,
    manifest: {
      onnx: { file: 'model.onnx', input: 'features', output: 'probability' },
      sha256: sha256Hex(onnx),
      explainer: { file: 'explainer.json', sha256: sha256Hex(explainer) },
    },
    files: { 'model.onnx': onnx, 'explainer.json': explainer },
  };
}
