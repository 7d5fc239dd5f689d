import type express from 'express';
import { IncomingMessage, ServerResponse, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

/** Node's HTTP constructors as the plain functions they are, applied to an object they did not allocate. */
type Init<A extends unknown[]> = (this: object, ...args: A) => void;

/**
 * Never true: guards the slot reservations below, which only their presence in the source matters for.
 * Typed `boolean` so neither the compiler nor the linter folds the branch away.
 */
const NEVER = false as boolean;

/** Request and response fields reserved in the constructors' source (node 20 sets 26-27 and 42-44 of its own, express a few more). */
type Slots = Record<`s${number}`, unknown>;

/**
 * Options for `http.createServer(options, app)` under which node builds every request and response
 * with the app's own prototypes (`app.request`, `app.response`, which inherit from node's).
 * Express otherwise re-prototypes each one (`Object.setPrototypeOf` in `app.handle`); on an object
 * node has just built that is a shape change which leaves node's HTTP internals on slow paths for
 * the rest of the request (the figures are in docs/performance.md).
 * Built with the right prototype, express's call changes nothing. Decided once: where node's
 * constructors are ES classes (they cannot be applied to another object), the options are empty
 * and express works as it always does.
 *
 * The constructors also size the objects. V8 gives a constructor's instances as many in-object
 * property slots as it counts `this.x = …` assignments in the constructor's source (plus a few, then
 * trims what goes unused after the first instances). These two call node's constructors, which add
 * over 40 properties to a response and over 25 to a request, but have no assignments of their own:
 * so without more the properties would go to a backing store that grows by three slots at a time,
 * leaving garbage at every step, for every request and response. The assignments in the
 * never-taken branches below make V8 reserve the slots; they never run.
 */
export function expressServerOptions(app: express.Express): ServerOptions {
  const isClass = (f: unknown) => Function.prototype.toString.call(f).startsWith('class');
  if (isClass(IncomingMessage) || isClass(ServerResponse)) return {};
  // Plain functions, not Reflect.construct: a foreign new.target is a slow path.
  const initRequest = IncomingMessage as unknown as Init<[Socket]>;
  const initResponse = ServerResponse as unknown as Init<[IncomingMessage, unknown]>;
  const AppRequest = sizedConstructor(initRequest as Init<[Socket, unknown]>, app.request);
  const AppResponse = sizedConstructor(initResponse, app.response);
  return { IncomingMessage: AppRequest as unknown as typeof IncomingMessage, ServerResponse: AppResponse as unknown as typeof ServerResponse };
}

/**
 * A constructor with `prototype` that applies `init` (one of node's) to the new object, with room
 * for 48 properties in the object itself (see above). Each call of this factory makes a constructor
 * of its own, and V8 sizes and trims each one's instances separately.
 */
function sizedConstructor<A, B>(init: Init<[A, B]>, prototype: object): (this: Slots, a: A, b: B) => void {
  function Sized(this: Slots, a: A, b: B): void {
    init.call(this, a, b);
    if (NEVER) {
      this.s0 = 0; this.s1 = 0; this.s2 = 0; this.s3 = 0; this.s4 = 0; this.s5 = 0; this.s6 = 0; this.s7 = 0;
      this.s8 = 0; this.s9 = 0; this.s10 = 0; this.s11 = 0; this.s12 = 0; this.s13 = 0; this.s14 = 0; this.s15 = 0;
      this.s16 = 0; this.s17 = 0; this.s18 = 0; this.s19 = 0; this.s20 = 0; this.s21 = 0; this.s22 = 0; this.s23 = 0;
      this.s24 = 0; this.s25 = 0; this.s26 = 0; this.s27 = 0; this.s28 = 0; this.s29 = 0; this.s30 = 0; this.s31 = 0;
      this.s32 = 0; this.s33 = 0; this.s34 = 0; this.s35 = 0; this.s36 = 0; this.s37 = 0; this.s38 = 0; this.s39 = 0;
      this.s40 = 0; this.s41 = 0; this.s42 = 0; this.s43 = 0; this.s44 = 0; this.s45 = 0; this.s46 = 0; this.s47 = 0;
    }
  }
  Sized.prototype = prototype;
  return Sized;
}
