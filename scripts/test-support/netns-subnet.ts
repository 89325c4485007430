// Network-namespace plumbing the test sandboxes share: running a command, reserving a free subnet.
import { execFile } from 'node:child_process';

/** The sandboxes' subnets are 10.232.N.0/30. */
export const SANDBOX_NET = '10.232';

/** Runs a command (no shell) and resolves with its stdout; `input` goes to its stdin. */
export async function sh(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(Object.assign(err, { stdout, stderr })) : resolve(stdout),
    );
    child.stdin?.end(input);
  });
}

/**
 * Creates a veth pair for a free 10.232.N.0/24 block (the fixtures use a /30 or /29 of it). The
 * interface names carry N, so creating them is the atomic reservation between concurrent
 * fixtures of every kind (the address and route check covers everybody else).
 */
export async function reserveSubnet(): Promise<{ octet: number; vethHost: string; vethNs: string }> {
  for (let attempt = 0; attempt < 64; attempt++) {
    const used = `${await sh('ip', ['-4', 'addr'])}${await sh('ip', ['-4', 'route'])}`;
    const free = [...Array(256).keys()].filter((n) => !used.includes(`${SANDBOX_NET}.${n}.`));
    const octet = free[Math.floor(Math.random() * free.length)];
    if (octet === undefined) break;
    const vethHost = `kvs-v${octet}-h`;
    const vethNs = `kvs-v${octet}-n`;
    try {
      await sh('ip', ['link', 'add', vethHost, 'type', 'veth', 'peer', 'name', vethNs]);
      return { octet, vethHost, vethNs };
    } catch (e) {
      if (!String((e as { stderr?: unknown }).stderr ?? e).includes('exists')) throw e;
    }
  }
  throw new Error(`no free ${SANDBOX_NET}.N.0 subnet for a test namespace`);
}
