import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** The fixed answer of the baseline: about the size of a scoring answer's headers, small. */
const ANSWER = JSON.stringify({ decision: 'approve' });
const ANSWER_BYTES = Buffer.byteLength(ANSWER);

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'Content-Type': 'application/json', 'Content-Length': 2 });
      res.end('{}');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': ANSWER_BYTES });
    res.end(ANSWER);
  });
}

/**
 * The ceiling the benchmark compares the service with: a bare `node:http` server that reads the
 * whole body, `JSON.parse`s it and answers a fixed small JSON (400 for a body that is not JSON).
 * Same keep-alive settings as the service. Never listens by itself.
 */
export function createBaselineServer(): Server {
  const server = createServer(handle);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
