import net from 'node:net';
import { KvsError } from '../../electron/shared/errors.js';

export const HOST = '127.0.0.1';

export function assertValidPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new KvsError(
      'INVALID_ARGUMENT',
      `Port must be a whole number from 1 to 65535, not ${String(port)}.`,
    );
  }
}

/** Resolves true when a server could bind HOST:port (and is closed again), false on EADDRINUSE. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    server.listen({ host: HOST, port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** Throws PORT_IN_USE, naming the port, when HOST:port can't be bound. */
export async function assertPortFree(port: number, role = 'Kafka'): Promise<void> {
  assertValidPort(port);
  if (!(await isPortFree(port))) {
    throw new KvsError(
      'PORT_IN_USE',
      `Port ${port} on ${HOST} is already in use, so ${role} can't listen there. Stop whatever uses it or choose another port with --port <n>.`,
    );
  }
}

/**
 * `count` distinct ports that are free right now (the OS picks them). Each is held open
 * until all are chosen, so the same port is never handed out twice in one call.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const server = net.createServer();
      server.unref();
      servers.push(server);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host: HOST, port: 0, exclusive: true }, () => {
            const address = server.address();
            if (address !== null && typeof address === 'object') resolve(address.port);
            else reject(new KvsError('INTERNAL', 'Could not read the port the OS picked.'));
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new KvsError('INTERNAL', 'Could not find a free port.');
  return port;
}

/** Resolves true once something accepts TCP connections on HOST:port. */
export function canConnect(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
