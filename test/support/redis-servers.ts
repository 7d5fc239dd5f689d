import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server process this test started (never the shared one on 6379). */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  /** SIGSTOP: the server stops answering, connections stay open. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** Kills the server and starts a fresh one on the same port, with no data (it keeps none on disk). */
  restartEmpty(): Promise<void>;
  stop(): Promise<void>;
}

/** Whether a TCP port on 127.0.0.1 can be bound now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** `count` consecutive free ports whose cluster-bus ports (+10000) are free too, in 20000..29999. */
export async function freePorts(count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (10_000 - count));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    const ok = await Promise.all(ports.flatMap((p) => [portFree(p), portFree(p + 10_000)]));
    if (ok.every(Boolean)) return ports;
  }
  throw new Error(`no ${count} free consecutive ports found`);
}

async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
    if (r.stdout.trim() === 'PONG') return;
    if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer: ${r.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function startProcess(port: number, dir: string, extra: readonly string[]): ChildProcess {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra], { stdio: 'ignore' });
  child.unref();
  return child;
}

function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  });
}

/** Starts a standalone redis-server without persistence on a spare port. */
export async function startRedisServer(): Promise<RedisServer> {
  const [port] = (await freePorts(1)) as [number];
  const dir = mkdtempSync(join(tmpdir(), 'redis-'));
  let child = startProcess(port, dir, []);
  await waitForPing(port);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get child() {
      return child;
    },
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    async restartEmpty() {
      await killed(child);
      child = startProcess(port, dir, []);
      await waitForPing(port);
    },
    async stop() {
      await killed(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A local Redis Cluster this test started: three masters, no replicas. */
export interface RedisCluster {
  readonly ports: readonly number[];
  /** Seed nodes, comma-separated, as REDIS_URL takes them with REDIS_CLUSTER=on. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts three `--cluster-enabled` servers on spare ports and joins them with `redis-cli --cluster create`. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const ports = await freePorts(3);
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const children = ports.map((port) =>
    startProcess(port, dir, ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000']),
  );
  const stop = async () => {
    await Promise.all(children.map(killed));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) await waitForPing(port);
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 30_000 });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const states = ports.map((p) => spawnSync('redis-cli', ['-p', String(p), 'cluster', 'info'], { encoding: 'utf8' }).stdout);
      if (states.every((s) => s.includes('cluster_state:ok'))) break;
      if (Date.now() > deadline) throw new Error(`the cluster did not become ready:\n${states.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { ports, url: ports.map((p) => `redis://127.0.0.1:${p}`).join(','), stop };
}

/** Whether `redis-server` and `redis-cli` are on the PATH (they come with Redis). */
export function redisBinariesAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0;
}
