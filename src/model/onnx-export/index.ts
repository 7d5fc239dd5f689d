export {
  ONNX_IR_VERSION, ONNX_ML_OPSET, ONNX_OPSET, type OnnxExportOptions, exportXGBoostToOnnx, xgboostOnnxModel,
} from './export-xgboost-onnx';
export { OnnxExportError, type OnnxExportErrorCode } from './onnx-export-error';
export { decodeOnnxModel, encodeOnnxModel } from './onnx-proto';
export type {
  OnnxAttribute, OnnxDimension, OnnxGraph, OnnxModel, OnnxNode, OnnxOperatorSetId, OnnxStringEntry, OnnxValueInfo,
} from './onnx-types';
export { type NodeMode, type TreeEnsembleArrays, treeEnsembleArrays } from './tree-ensemble-arrays';
export { type XGBoostBinaryModel, type XGBoostTree, readXGBoostBinaryModel } from './xgboost-json-model';
