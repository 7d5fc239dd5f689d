import { startService } from '../../main';
import { parseOptions } from '../args';
import type { Command } from '../command';
import { configFromEnv } from '../environment';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the scoring service (configured by environment variables; see README)',
  usage: 'serve',
  options: {},
  notes: ['Configured by environment variables only (README, Configuration); runs until SIGTERM or SIGINT.'],
  async run(args, io) {
    parseOptions(args, {});
    const config = configFromEnv(io);
    const service = await startService(config);
    const stop = (signal: string) => {
      service.logger.info(`received ${signal}`);
      service.close().then(
        () => process.exit(0),
        (err: unknown) => {
          service.logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    // Runs until a signal; never resolves.
    return new Promise<number>(() => undefined);
  },
};
