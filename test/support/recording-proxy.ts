import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request that passed through a {@link RecordingProxy}. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A loopback HTTP proxy in front of a local emulator that keeps every
 * request it forwards, so that a test can check what a driver sent where the
 * emulator checks nothing (credentials) or reports nothing (job counts).
 */
export interface RecordingProxy {
  /** Base URL to give the driver instead of the emulator's. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a recording proxy on 127.0.0.1 that forwards to `target`, which must be a 127.0.0.1 URL. */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  if (upstream.hostname !== '127.0.0.1') throw new Error(`The recording proxy forwards to 127.0.0.1 only, not ${upstream.hostname}.`);

  const requests: RecordedRequest[] = [];
  const proxy = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body });
      const forwarded = http.request(
        { host: '127.0.0.1', port: upstream.port, path: request.url, method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forwarded.on('error', () => response.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}
