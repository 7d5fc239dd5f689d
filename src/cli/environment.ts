import { loadConfig, type Config } from '../config/config';
import { loadXGBoost, type XGBoost } from '../training/xgboost';
import type { CliIO } from './command';

/** The service configuration of the command's environment. Throws ConfigError (fraudctl: `invalid_input`, exit 2). */
export function configFromEnv(io: CliIO): Config {
  return loadConfig(io.env);
}

/**
 * XGBoost for a training command. libgomp reads its wait policy when the library loads, so it is
 * set to passive first unless given (busy-waiting threads fight on a shared machine). Throws
 * XGBoostUnavailableError with the one-line install hint (fraudctl: `unavailable`, exit 2).
 */
export function xgboostFromEnv(io: CliIO): XGBoost {
  process.env.OMP_WAIT_POLICY ??= 'passive';
  return loadXGBoost({ env: io.env });
}
