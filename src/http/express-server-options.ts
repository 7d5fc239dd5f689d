import type express from 'express';
import { IncomingMessage, ServerResponse, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

/** Node's HTTP constructors as the plain functions they are, applied to an object they did not allocate. */
type Init<A extends unknown[]> = (this: object, ...args: A) => void;

/**
 * Options for `http.createServer(options, app)` under which node builds every request and response
 * with the app's own prototypes (`app.request`, `app.response`, which inherit from node's).
 * Express otherwise re-prototypes each one (`Object.setPrototypeOf` in `app.handle`); on an object
 * node has just built that is a shape change which leaves node's HTTP internals on slow paths for
 * the rest of the request: over half the CPU of a request in the profile (docs/performance.md).
 * Built with the right prototype, express's call changes nothing. Decided once: where node's
 * constructors are ES classes (they cannot be applied to another object), the options are empty
 * and express works as it always does.
 */
export function expressServerOptions(app: express.Express): ServerOptions {
  const isClass = (f: unknown) => Function.prototype.toString.call(f).startsWith('class');
  if (isClass(IncomingMessage) || isClass(ServerResponse)) return {};
  // Plain functions with node's arity, not Reflect.construct: a foreign new.target is a slow path.
  const initRequest = IncomingMessage as unknown as Init<[Socket]>;
  const initResponse = ServerResponse as unknown as Init<[IncomingMessage, unknown]>;
  function AppRequest(this: object, socket: Socket): void {
    initRequest.call(this, socket);
  }
  function AppResponse(this: object, req: IncomingMessage, options: unknown): void {
    initResponse.call(this, req, options);
  }
  AppRequest.prototype = app.request;
  AppResponse.prototype = app.response;
  return { IncomingMessage: AppRequest as unknown as typeof IncomingMessage, ServerResponse: AppResponse as unknown as typeof ServerResponse };
}
