import { loadXGBoost, XGBoostUnavailableError, type XGBoost } from '../../../../src/training/xgboost';

/**
 * Loads libxgboost for a suite. When it is missing the suite is skipped with a loud warning, except
 * under CI=true, where a missing library fails the suite instead.
 */
export function requireXGBoost(suite: string): XGBoost | undefined {
  try {
    return loadXGBoost({ env: process.env });
  } catch (error) {
    if (!(error instanceof XGBoostUnavailableError)) throw error;
    if (process.env.CI === 'true') {
      throw new Error(`${suite}: libxgboost is required when CI=true. ${error.message}`, { cause: error });
    }
    console.warn(`\n!!!!! SKIPPING ${suite}: ${error.message} !!!!!\n`);
    return undefined;
  }
}
