import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePorts } from './redis-servers';

/** A PostgreSQL server this test started in a temporary folder (never the shared one on 5432). */
export interface PostgresServer {
  readonly port: number;
  /** Connection string of its `postgres` database (trust auth). */
  readonly url: string;
  /** SIGSTOP to the server and every backend: connections stay open, nothing answers (backends started later are not paused). */
  pause(): void;
  /** SIGCONT to all of them. */
  resume(): void;
  /** Fast shutdown (SIGINT): connections are closed, new ones refused; resolves once it exited. */
  stop(): Promise<void>;
  /** Starts it again on the same folder and port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it (if running) and deletes its folder. */
  dispose(): Promise<void>;
}

/** The folder holding `initdb` and `postgres` of the newest installed major version, or null. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length === 0 ? null : join(root, versions[0] as string, 'bin');
}

/** The `postgres` system user (initdb refuses to run as root). */
function postgresUser(): { uid: number; gid: number } {
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) throw new Error('no postgres system user');
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

async function waitForConnection(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres at ${url} did not accept connections: ${(err as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Initialises a cluster in a temporary folder (as the `postgres` user) and starts it on a spare
 * port, so it can be paused, stopped and started under load.
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (bin === null) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql');
  const user = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'pg-'));
  chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { ...user, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const [port] = (await freePorts(1)) as [number];
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | null = null;

  const start = async () => {
    child = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=50'], {
      ...user,
      stdio: 'ignore',
    });
    child.unref();
    await waitForConnection(url);
  };
  // Every backend runs in a session of its own (postgres calls setsid), so the postmaster's children are signalled one by one.
  const signal = (sig: NodeJS.Signals) => {
    const pid = child?.pid;
    if (pid === undefined || child?.exitCode !== null || child.signalCode !== null) return;
    const children = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l !== '').map(Number);
    for (const p of [pid, ...children]) {
      try {
        process.kill(p, sig);
      } catch {
        // A backend that exited meanwhile.
      }
    }
  };
  const stop = async () => {
    const c = child;
    if (c === null || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    signal('SIGCONT');
    c.kill('SIGINT');
    await exited;
    child = null;
  };
  await start();
  return {
    port,
    url,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    stop,
    start,
    async dispose() {
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
