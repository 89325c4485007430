/**
 * The sshd sandbox fixture itself: what it sets up, and that close() leaves nothing behind
 * (namespace, veth, user, sudoers file, temp folder) except /run/sshd, which is shared.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  generateKey,
  SANDBOX_NET,
  sh,
  sshdSkipReason,
  startSshdSandbox,
  type SshdSandbox,
} from './netns-sshd.js';

const reason = sshdSkipReason();

describe.skipIf(reason !== undefined)(
  `sshd sandbox in a network namespace${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let starting: Promise<SshdSandbox> | undefined;
    afterAll(async () => {
      await (await starting?.catch(() => undefined))?.close();
    });

    it('starts sshd on the namespace address only, restarts it with another key, and removes everything again', async () => {
      starting = startSshdSandbox({ prefix: 'kvs-fixture', sshdConfig: ['LogLevel DEBUG1'] });
      const sb = await starting;
      const octet = /^10\.232\.(\d+)\.2$/.exec(sb.address)?.[1];
      expect(octet, sb.address).toBeDefined();
      expect(sb.hostAddress).toBe(`${SANDBOX_NET}.${octet}.1`);
      expect(sb.user).toMatch(/^kvs-fixture-t-[0-9a-f]{6}$/);
      for (const c of [`'`, '"', '$', '\\']) expect(sb.password).toContain(c);
      expect((await sh('getent', ['passwd', sb.user])).split(':')[5]).toBe(sb.home);
      expect(existsSync(sb.sudoersFile)).toBe(false); // sudo was not asked for

      const inside = (await sb.execInNamespace('ss', ['-Hltn'])).split('\n').filter(Boolean);
      expect(inside.length).toBeGreaterThan(0);
      for (const l of inside) expect(l).toContain(`${sb.address}:22`);
      expect(await sh('ss', ['-Hltn'])).not.toContain(`${sb.address}:22`);
      expect(sb.sshdLog()).toContain('Server listening on');
      expect((await sb.pids()).length).toBeGreaterThan(0);

      // Extra config lines win over the defaults (sshd takes a keyword's first value).
      const effective = await sb.execInNamespace('/usr/sbin/sshd', ['-T', '-f', sb.configFile]);
      expect(effective).toMatch(/^loglevel DEBUG1?$/m); // DEBUG1 prints as DEBUG
      const fp = sb.hostKeyFingerprint;
      expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(await sh('ssh-keygen', ['-lf', `${sb.hostKeyFile}.pub`])).toContain(fp);

      const other = path.join(sb.dir, 'other-hostkey');
      const otherFp = await generateKey(other);
      await sb.restartSshd({ hostKeyFile: other });
      expect(sb.hostKeyFingerprint).toBe(otherFp);
      expect(await readFile(sb.configFile, 'utf8')).toContain(`HostKey ${other}\n`);
      expect(await sb.execInNamespace('ss', ['-Hltn'])).toContain(`${sb.address}:22`);

      await sb.setSudo(true);
      expect(await readFile(sb.sudoersFile, 'utf8')).toBe(`${sb.user} ALL=(ALL:ALL) ALL\n`);

      await sb.close();
      await sb.close(); // idempotent
      expect(await sb.pids()).toEqual([]);
      expect(await sh('ip', ['netns', 'list'])).not.toContain(sb.ns);
      expect(await sh('ip', ['-4', 'addr'])).not.toContain(`${SANDBOX_NET}.${octet}.`);
      expect(await sh('ip', ['link'])).not.toContain(`kvs-v${octet}-`);
      expect(await sh('getent', ['passwd']).then((t) => t.includes(`${sb.user}:`))).toBe(false);
      expect(existsSync(sb.sudoersFile)).toBe(false);
      expect(existsSync(sb.home)).toBe(false);
      expect(existsSync(sb.dir)).toBe(false);
      expect(existsSync('/run/sshd')).toBe(true); // shared with other sshd tests: never removed
    }, 60_000);
  },
);
