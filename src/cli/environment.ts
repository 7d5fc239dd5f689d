import { ConfigError, loadConfig, type Config } from '../config/config';
import { loadXGBoost, XGBoostUnavailableError, type XGBoost } from '../training/xgboost';
import { CommandExit, type CliIO } from './command';

/** The service configuration of the command's environment; a bad one ends the command (exit 2). */
export function configFromEnv(io: CliIO): Config {
  try {
    return loadConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) throw new CommandExit(err.message, 2);
    throw err;
  }
}

/**
 * XGBoost for a training command. libgomp reads its wait policy when the library loads, so it is
 * set to passive first unless given (busy-waiting threads fight on a shared machine). A missing
 * library ends the command with the one-line install hint (exit 2).
 */
export function xgboostFromEnv(io: CliIO): XGBoost {
  process.env.OMP_WAIT_POLICY ??= 'passive';
  try {
    return loadXGBoost({ env: io.env });
  } catch (err) {
    if (err instanceof XGBoostUnavailableError) throw new CommandExit(err.message, 2);
    throw err;
  }
}
