import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** The Buffer-replying scripting commands ioredis adds to every client. */
interface BufferScripting {
  evalshaBuffer(sha: string, numKeys: number, ...keysAndArgs: (string | Buffer)[]): Promise<unknown>;
  evalBuffer(lua: string, numKeys: number, ...keysAndArgs: (string | Buffer)[]): Promise<unknown>;
}

/**
 * A Lua script run by its SHA1 (`EVALSHA`), loaded by one `EVAL` when a server answers NOSCRIPT
 * (first use, or a restarted server). Unlike ioredis' `defineCommand`, whose commands inside an
 * (auto-)pipeline are sent as `EVAL` with the whole script text every time (it tracks loaded
 * scripts per socket, and a pipeline writes through a stand-in), this sends 40 bytes of SHA per
 * call, so it can be auto-pipelined without writing the step script's text to the socket on
 * every call.
 */
export class RedisScript {
  readonly sha: string;

  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /**
   * Runs the script with `keys` and `args`. A NOSCRIPT answer means the script did not run, so
   * running it again with EVAL is safe. Rejects with the server's or the connection's error.
   */
  run(client: Redis | Cluster, keys: readonly string[], args: readonly (string | Buffer)[]): Promise<unknown> {
    return client.evalsha(this.sha, keys.length, ...keys, ...args).catch((err: unknown) => {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return client.eval(this.lua, keys.length, ...keys, ...args);
    });
  }

  /** {@link run}, with the reply's bulk strings as Buffers (binary values stay intact). */
  runBuffer(client: Redis | Cluster, keys: readonly string[], args: readonly (string | Buffer)[]): Promise<unknown> {
    // ioredis defines a Buffer-replying twin of every command at run time, untyped; `callBuffer`
    // would do, but it loses its command name when auto-pipelined (ioredis 5.11).
    const c = client as unknown as BufferScripting;
    return c.evalshaBuffer(this.sha, keys.length, ...keys, ...args).catch((err: unknown) => {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return c.evalBuffer(this.lua, keys.length, ...keys, ...args);
    });
  }
}
