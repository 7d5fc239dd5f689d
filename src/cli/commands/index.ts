import type { Command } from '../command';
import { benchCommand } from './bench';
import { benchMemoryCommand } from './bench-memory';
import { benchRetrainCommand } from './bench-retrain';
import { buildDatasetCommand } from './build-dataset';
import { loopCommand } from './loop';
import { clientsCommand } from './clients';
import { driftCommand } from './drift';
import { simulateCommand } from './simulate';
import { evaluateCommand } from './evaluate';
import { modelsCommand } from './models';
import { profilesCommand } from './profiles';
import { pruneCommand } from './prune';
import { retrainCommand } from './retrain';
import { rulesCommand } from './rules';
import { serveCommand } from './serve';
import { specCommand } from './spec';
import { trainCommand } from './train';

/** Every `fraudctl` subcommand, in the order `fraudctl --help` lists them. */
export const commands: readonly Command[] = [
  simulateCommand,
  buildDatasetCommand,
  trainCommand,
  evaluateCommand,
  modelsCommand,
  rulesCommand,
  retrainCommand,
  driftCommand,
  loopCommand,
  profilesCommand,
  pruneCommand,
  serveCommand,
  clientsCommand,
  specCommand,
  benchCommand,
  benchRetrainCommand,
  benchMemoryCommand,
];
