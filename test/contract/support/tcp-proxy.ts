import { connect, createServer, type Socket } from 'node:net';

/** A TCP proxy in front of a real server whose link can be cut and restored: a network outage on demand. */
export interface TcpProxy {
  /** The local port clients connect to. */
  readonly port: number;
  /** Drops every open connection and refuses new ones (each is closed as soon as it opens). */
  cut(): void;
  /** Lets new connections through again. */
  restore(): void;
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 (a free port) forwarding to `host:port`, ready when returned.
 * Why a proxy and not a wrong port or a mocked pool: it makes the real driver meet a real outage
 * (connections dropped mid-life, then refused) and a real recovery, without touching the shared
 * server other suites use. Rejects when it cannot listen.
 */
export async function startTcpProxy(target: { readonly host: string; readonly port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
  return {
    port: address.port,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      down = false;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The host and port a PostgreSQL URL points at (default port 5432). */
export function urlTarget(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: u.port === '' ? 5432 : Number(u.port) };
}

/** `url` pointed at the proxy instead. */
export function throughProxy(url: string, proxy: TcpProxy): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  return u.toString();
}
