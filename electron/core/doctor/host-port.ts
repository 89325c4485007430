/** How the doctor writes an address (host:port, [v6]:port) and tells a loopback host. */
import { isIP } from 'node:net';
import { isLoopback } from '../../shared/bootstrap.js';

export const hostPort = (host: string, port: number): string =>
  isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;

export function loopbackHost(host: string): boolean {
  const kind = isIP(host) === 4 ? 'ipv4' : isIP(host) === 6 ? 'ipv6' : 'hostname';
  return isLoopback({ host, kind });
}
