// A plain TCP forwarder (the otherCluster listener leads to another cluster through it), host:port.
import net from 'node:net';

export function splitHostPort(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]+)\]?:(\d+)$/.exec(address);
  if (match?.[1] === undefined || match[2] === undefined)
    throw new Error(`not host:port: ${JSON.stringify(address)}`);
  return { host: match[1], port: Number(match[2]) };
}

/** A plain TCP forwarder on host:0 to `target`; resolves once listening. */
export async function startProxy(
  host: string,
  target: string,
): Promise<{ port: number; close: () => Promise<void> }> {
  const to = splitHostPort(target);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: to.host, port: to.port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const a = server.address();
      if (a !== null && typeof a === 'object') resolve(a.port);
      else reject(new Error('the proxy has no port'));
    });
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
