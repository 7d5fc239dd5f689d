import { ConfigError } from '../../../src/config/config';
import { NoDecisionLogError } from '../../../src/records/open-decision-history';
import { XGBoostUnavailableError } from '../../../src/training/xgboost';
import { CommandExit, FAILURES, UsageError } from '../../../src/cli/command';
import { failureOf } from '../../../src/cli/fraudctl';

describe('failure codes', () => {
  it('is a closed catalogue: missing or unusable input and usage mistakes exit 2, refusals and the rest exit 1', () => {
    expect(FAILURES).toEqual({ usage: 2, invalid_input: 2, not_found: 2, unavailable: 2, refused: 1, internal: 1 });
  });

  it('maps every error in one place: a CommandExit carries its code, known errors get theirs, anything else is internal', () => {
    expect(failureOf(new CommandExit('REFUSED: unsigned', 'refused'))).toEqual({ code: 'refused', message: 'REFUSED: unsigned' });
    expect(failureOf(new UsageError('--out is required'))).toEqual({ code: 'usage', message: '--out is required' });
    expect(failureOf(new NoDecisionLogError('no decision log at x'))).toEqual({ code: 'not_found', message: 'no decision log at x' });
    expect(failureOf(new ConfigError(['DATA_DIR must not be empty']))).toEqual({ code: 'invalid_input', message: 'invalid configuration: DATA_DIR must not be empty' });
    expect(failureOf(new XGBoostUnavailableError('/nowhere/libxgboost.so', 'not found'))).toEqual({ code: 'unavailable', message: expect.stringMatching(/^XGBoost is not available \(cannot use \/nowhere\/libxgboost\.so\): /) });
    expect(failureOf(new Error('EACCES: permission denied'))).toEqual({ code: 'internal', message: 'EACCES: permission denied' });
    expect(failureOf('thrown text')).toEqual({ code: 'internal', message: 'thrown text' });
  });
});
