export { type BinaryParams, type TreeMethod, toXGBoostParams } from './binary-params';
export { Booster, type ImportanceType, type PredictOptions, type XGBoostParamList } from './booster';
export { DMatrix, type DMatrixInit } from './dmatrix';
export { XGBoostCallError, XGBoostFreedError, XGBoostUnavailableError } from './errors';
export { parseEvalLine } from './eval-line';
export { type EvalMetric, improves, isMaximized } from './eval-metric';
export {
  type CreateBoosterOptions, DEFAULT_XGBOOST_LIBRARY, type LoadXGBoostOptions, MIN_XGBOOST_VERSION, type XGBoost,
  type XGBoostVersion, loadXGBoost,
} from './load-xgboost';
export { type IterationRecord, type TrainBinaryOptions, type TrainBinaryResult, trainBinary } from './train-binary';
export { type Freeable, withDMatrix, withResource } from './with-resource';
