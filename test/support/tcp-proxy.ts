import net from 'node:net';

export interface TcpProxyOptions {
  /** Port on 127.0.0.1 that connections are forwarded to, such as 5432 for PostgreSQL. */
  targetPort: number;
  /** Port to listen on, on 127.0.0.1. A free one when unset. */
  port?: number;
}

/** A loopback TCP proxy that a test can take down and bring back, to simulate a server outage. */
export interface TcpProxy {
  /** Port on 127.0.0.1 that clients connect to. */
  readonly port: number;
  /** Connections accepted since the proxy started. */
  readonly accepted: number;
  /**
   * Closes every open connection (both sides see a reset) and stops
   * listening, so new connections are refused until {@link resume}.
   */
  pause(): Promise<void>;
  /** Listens again on the same port. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a TCP proxy on 127.0.0.1 that forwards every connection to
 * 127.0.0.1:`targetPort`. It never connects anywhere else.
 */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A reset from either side is expected here, and the pair is torn down below.
    socket.on('error', () => undefined);
  };

  const forward = (client: net.Socket) => {
    accepted += 1;
    const upstream = net.connect({ host: '127.0.0.1', port: options.targetPort });
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  };

  let server = await listen(forward, options.port ?? 0);
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    get accepted() {
      return accepted;
    },
    async pause() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) resetSocket(socket);
      await closed;
    },
    async resume() {
      if (server.listening) return;
      server = await listen(forward, port);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(onConnection: (socket: net.Socket) => void, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer(onConnection);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Closes a socket with a TCP reset, as a crashed server would. A socket without a handle yet is just destroyed. */
function resetSocket(socket: net.Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
