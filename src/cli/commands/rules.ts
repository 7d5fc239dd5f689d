import { commandGroup } from '../command-group';
import { rulesTestAction } from './rules-test';

/** `fraudctl rules <action>`: the guard-rail rule set's tools (today: `test`, a backtest). */
export const rulesCommand = commandGroup({
  name: 'rules',
  summary: 'backtest a guard-rail rule set on a dataset or the decision log: decisions changed, fraud caught, friction, per rule',
  actions: [rulesTestAction],
});
