import type { AddressInfo } from 'node:net';
import { createBaselineServer } from './baseline-server';

/**
 * Entry of the baseline's own process (the benchmark starts it with `node baseline-main.js`):
 * listens on 127.0.0.1 and an ephemeral port (or `PORT`), prints `baseline listening on URL`
 * on stdout, and exits on SIGTERM/SIGINT.
 */
function main(): void {
  const server = createBaselineServer();
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`baseline listening on http://127.0.0.1:${port}\n`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main();
