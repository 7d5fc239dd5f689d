import { UsageError, type Command } from '../command';
import { RULES_TEST_USAGE, runRulesTest } from './rules-test';

/** `fraudctl rules <action>`: the guard-rail rule set's tools (today: `test`, a backtest). */
export const rulesCommand: Command = {
  name: 'rules',
  summary: 'backtest a guard-rail rule set on a dataset or the decision log: decisions changed, fraud caught, friction, per rule',
  usage: RULES_TEST_USAGE,
  async run(args, io) {
    const [action, ...rest] = args;
    if (action === 'test') return runRulesTest(rest, io);
    throw new UsageError(action === undefined ? 'missing action' : `unknown action "${action}"`);
  },
};
