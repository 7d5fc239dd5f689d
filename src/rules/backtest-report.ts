import type { DatasetBacktestSource } from './backtest-dataset';
import type { DecisionLogBacktestSource } from './backtest-decision-log';
import type { BacktestFigures } from './backtest-tally';

/**
 * What `fraudctl rules test` reports (its `--json` object, and what the HTML page shows): the
 * candidate rule set, where the rows came from, the lists used (entries per list), the figures
 * (see `BacktestTotals` and `RuleFigures` for each one's meaning) and the HTML page's path.
 */
export interface BacktestReport extends BacktestFigures {
  readonly ruleSet: { readonly file: string; readonly version: string; readonly hash: string };
  readonly source: DatasetBacktestSource | DecisionLogBacktestSource;
  readonly lists: Readonly<Record<string, number>>;
  /** The HTML page written. */
  readonly report: string;
}
