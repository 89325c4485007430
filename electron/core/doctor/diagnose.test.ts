/**
 * The doctor's early checks, no broker needed: a typo, a name that does not resolve, a closed
 * port, something that is not Kafka. (Misconfigured real brokers: diagnose.int.test.ts.)
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { diagnose } from './diagnose.js';

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen(onConnection: (socket: Socket) => void): Promise<number> {
  const s = createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => undefined);
    onConnection(sock);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

describe('diagnose: before Kafka answers', () => {
  it('a bootstrap typo: BOOTSTRAP_INVALID and every later check skipped', async () => {
    const d = await diagnose('PLAINTEXT://10.0.0.5:9092');
    expect(d.findings.map((f) => f.code)).toEqual(['BOOTSTRAP_INVALID']);
    expect(d.ok).toBe(false);
    expect(d.checks[0]).toMatchObject({ id: 'parse', status: 'failed' });
    expect(d.checks.slice(1).every((c) => c.status === 'skipped')).toBe(true);
  });

  it('a name that does not resolve: BOOTSTRAP_UNRESOLVED, within the resolve limit', async () => {
    const d = await diagnose('kafka.example.invalid:9092', {
      resolve: () => new Promise<string[]>(() => undefined), // a resolver that never answers
      budgetMs: 3000,
    });
    expect(d.findings.map((f) => f.code)).toEqual(['BOOTSTRAP_UNRESOLVED']);
    expect(d.findings[0]?.fix).toContain("broker's IP address");
    expect(d.durationMs).toBeLessThan(4000);
  });

  it('nothing listens: BOOTSTRAP_UNREACHABLE with the listeners= fix', async () => {
    const port = await listen(() => undefined);
    await new Promise((r) => servers.pop()?.close(r)); // now the port is closed
    const d = await diagnose(`127.0.0.1:${port}`);
    expect(d.findings.map((f) => f.code)).toEqual(['BOOTSTRAP_UNREACHABLE']);
    expect(d.findings[0]?.fix).toContain('listeners=PLAINTEXT://0.0.0.0:');
  });

  it('something that is not Kafka (an HTTP server): NOT_KAFKA', async () => {
    const port = await listen((sock) => {
      sock.on('data', () => sock.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
      sock.on('error', () => undefined);
    });
    const d = await diagnose(`127.0.0.1:${port}`);
    expect(d.findings.map((f) => f.code)).toEqual(['NOT_KAFKA']);
    expect(d.checks.find((c) => c.id === 'api-versions')?.status).toBe('failed');
  });

  it('a server that accepts and never answers: a finding within the budget, never a hang', async () => {
    const port = await listen((sock) => sock.on('error', () => undefined));
    const d = await diagnose(`127.0.0.1:${port}`, { budgetMs: 4000 });
    expect(d.ok).toBe(false);
    expect(d.findings.length).toBeGreaterThan(0);
    expect(d.durationMs).toBeLessThan(9000);
  }, 15_000);
});
