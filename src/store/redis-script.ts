import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/**
 * A Lua script run by its SHA1 (`EVALSHA`), loaded by one `EVAL` when a server answers NOSCRIPT
 * (first use, or a restarted server). Unlike ioredis' `defineCommand`, whose commands inside an
 * (auto-)pipeline are sent as `EVAL` with the whole script text every time (it tracks loaded
 * scripts per socket, and a pipeline writes through a stand-in), this sends 40 bytes of SHA per
 * call, so it can be auto-pipelined: measured, the step script's text was 16 % of a loaded
 * service's CPU in socket writes.
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
  run(client: Redis | Cluster, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return client.evalsha(this.sha, keys.length, ...keys, ...args).catch((err: unknown) => {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return client.eval(this.lua, keys.length, ...keys, ...args);
    });
  }
}
