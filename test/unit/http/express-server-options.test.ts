import express from 'express';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressServerOptions } from '../../../src/http/express-server-options';

/** Properties a constructor's source reserves: its `this.x = …` assignments, which V8 counts. */
function reserved(ctor: unknown): number {
  return (Function.prototype.toString.call(ctor).match(/this\.\w+ = /g) ?? []).length;
}

describe('expressServerOptions', () => {
  it("builds requests and responses with the app's prototypes, and room for every property a served one ends up with", async () => {
    const app = express();
    const options = expressServerOptions(app);
    let served: { req: IncomingMessage; res: ServerResponse } | null = null;
    app.post('/x', express.json(), (req, res) => {
      res.json({ got: (req.body as { a?: number }).a });
      served = { req, res };
    });
    const server = createServer(options, app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await fetch(`http://127.0.0.1:${port}/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":7}' });
      expect(await answer.json()).toEqual({ got: 7 });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const { req, res } = served as unknown as { req: IncomingMessage; res: ServerResponse };
    expect(Object.getPrototypeOf(req)).toBe(app.request);
    expect(Object.getPrototypeOf(res)).toBe(app.response);
    // Fewer reserved than set would send the rest to a backing store grown three slots at a time.
    expect(reserved(options.IncomingMessage)).toBeGreaterThanOrEqual(Reflect.ownKeys(req).length);
    expect(reserved(options.ServerResponse)).toBeGreaterThanOrEqual(Reflect.ownKeys(res).length);
  });
});
