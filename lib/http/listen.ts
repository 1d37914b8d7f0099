// Binding HTTP servers as promises that resolve with the bound port, and closing them the same way.

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on host:port (0 for any free port) and resolves with the port actually bound. */
export function listenHttp(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting connections, closes idle keep-alive sockets, and resolves once every connection has ended. */
export function closeHttp(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/** The host to put in a URL for a bound address (IPv6 in brackets, the wildcard as loopback). */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
