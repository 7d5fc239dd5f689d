import type { Command } from '../command';
import { specCommand } from './spec';

/** Every `fraudctl` subcommand, in the order `fraudctl --help` lists them. */
export const commands: readonly Command[] = [specCommand];
