export { renderReport } from './render-report';
export type {
  DateWindow,
  FeatureGain,
  ReportInput,
  ReportLineage,
  ReportMetrics,
  SplitWindows,
  TestSetPlots,
} from './report-input';
export { HANDBOOK_XGBOOST, METRIC_LABELS } from './handbook-baseline';
export { escapeHtml } from './escape-html';
