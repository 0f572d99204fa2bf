import { createServer, Socket, type Server } from 'node:net';

export interface TcpProxy {
  /** The proxy's own port on 127.0.0.1: point the client at it instead of the target. */
  readonly port: number;
  /**
   * A network cut: every open connection is reset (both ends destroyed) and new ones are
   * accepted then reset at once, until `restore()`.
   */
  cut(): void;
  /** Forward again (new connections only; the cut ones stay gone). */
  restore(): void;
  readonly isCut: boolean;
  /** Connections currently forwarded. */
  openConnections(): number;
  close(): Promise<void>;
}

/**
 * A test-owned TCP proxy between a client and a server (e.g. the ingestor and PostgreSQL):
 * the faithful stand-in for a network cut where network namespaces are not available.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let isCut = false;
  const server: Server = createServer((client) => {
    if (isCut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    upstream.connect(target.port, target.host, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const dropAll = (): void => {
    for (const [client, upstream] of [...pairs]) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    cut: () => {
      isCut = true;
      dropAll();
    },
    restore: () => {
      isCut = false;
    },
    get isCut() {
      return isCut;
    },
    openConnections: () => pairs.size,
    close: async () => {
      dropAll();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
