/**
 * The setup wizard as a person uses it: a real sshd in a "server" this spec creates
 * (scripts/test-support/netns-servers.ts: its own address, nothing leaves the machine, and its own
 * folders, so the install writes nothing on this machine), a Kafka .tgz packed from the Maven
 * Central jars and uploaded from "this computer", the install with its live log, the check from
 * this computer, and one click to connect the app to the new broker.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { packKafka } from '../scripts/local-kafka/pack.js';
import {
  serversSkipReason,
  startNetnsServers,
  type NetnsServer,
  type NetnsServers,
} from '../scripts/test-support/netns-servers.js';
import { electronBinary } from '../scripts/electron-binary.js';
import { expect, test } from './fixtures.js';

const installDir = `/tmp/kvs-e2e-wizard/kafka`;

test.describe('setup wizard', () => {
  let fx: NetnsServers | undefined;
  let sb: NetnsServer | undefined;
  let dir = '';
  let tarball = '';
  let blocked: string | undefined = serversSkipReason();

  // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from this pattern
  test.beforeAll(async ({}, testInfo) => {
    test.setTimeout(3 * 60_000);
    const bin = electronBinary();
    // the app fixture reports the Electron skip; no need for a server then
    if (testInfo.project.name === 'electron' && 'missing' in bin) blocked = bin.missing;
    if (blocked !== undefined) return;
    fx = await startNetnsServers({ count: 1, prefix: 'kvs-e2e', sudo: true });
    sb = fx.servers[0];
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-e2e-wizard-'));
    tarball = (await packKafka({ mode: 'kraft', out: path.join(dir, 'kafka_2.13-4.1.1.tgz') }))
      .tarball;
  });

  test.afterAll(async () => {
    // Kafka runs inside the server: closing it ends the broker with everything else there and
    // removes the server's folders (the install's too; none of it is on this machine).
    await fx?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('installs Kafka on a server over SSH, checks it from here and connects with one click', async ({
    app,
  }, testInfo) => {
    test.skip(
      blocked !== undefined,
      `needs a server in network + mount namespaces with sshd: ${blocked ?? ''}`,
    );
    test.setTimeout(5 * 60_000);
    const server = sb;
    if (!server) throw new Error('the server did not start');
    const { page } = app;

    await page.getByTestId('setup-open').click();
    await expect(page.getByTestId('setup-wizard')).toBeVisible();

    // 1. the server
    await page.getByTestId('setup-host').fill(server.address);
    await page.getByTestId('setup-user').fill(server.user);
    await expect(page.getByTestId('setup-port')).toHaveValue('22');
    await page.getByTestId('setup-next').click();

    // 2. login: first a wrong password — the host key is asked about first, then the password is refused
    await page.getByTestId('setup-auth-kind').selectOption('password');
    await page.getByTestId('setup-password').fill('not-the-password');
    await page.getByTestId('setup-login').click();
    await expect(page.getByTestId('setup-hostkey-fingerprint')).toHaveText(
      server.hostKeyFingerprint,
    );
    await page.getByTestId('setup-hostkey-accept').click();
    await expect(page.getByTestId('setup-error')).toContainText(/password/i);

    await page.getByTestId('setup-password').fill(server.password);
    await page.getByTestId('setup-login').click();
    await expect(page.getByTestId('setup-facts')).toContainText(server.user);
    await page.getByTestId('setup-next').click();

    // 3. mode and version: the defaults, the advertised address is the one we connected to
    await expect(page.getByTestId('setup-kafka-version')).toHaveValue('4.1.1');
    await expect(page.getByTestId('setup-advertise')).toHaveValue(server.address);
    await page.getByTestId('setup-install-dir').fill(installDir);
    await page.getByTestId('setup-source').selectOption('upload');
    await app.pickTarball(tarball);
    await expect(page.getByTestId('setup-tarball-name')).toContainText('kafka_2.13-4.1.1.tgz');
    await page.getByTestId('setup-make-plan').click();

    // 4. the plan: every command before anything runs
    const plan = page.getByTestId('setup-plan');
    await expect(plan).toContainText(`advertised.listeners=PLAINTEXT://${server.address}:9092`);
    expect(await page.getByTestId('setup-plan-step').count()).toBeGreaterThan(8);
    await page.getByTestId('setup-install').click();

    // 5. install: a live log and a progress bar; 6. the result
    await expect(page.getByTestId('setup-log')).toContainText('$ ', { timeout: 60_000 });
    await expect(page.getByTestId('setup-result')).toBeVisible({ timeout: 4 * 60_000 });
    await expect(page.getByTestId('setup-error')).toHaveCount(0);
    const progress = page.getByTestId('setup-progress');
    await expect(progress).toHaveAttribute(
      'aria-valuenow',
      (await progress.getAttribute('aria-valuemax')) ?? 'none',
    );
    await expect(page.getByTestId('setup-step-row').last()).toHaveAttribute(
      'data-status',
      'checked',
    );
    await expect(page.getByTestId('setup-bootstrap')).toHaveText(`${server.address}:9092`);
    await page.screenshot({ path: testInfo.outputPath(`setup-done-${app.transport}.png`) });

    await page.getByTestId('setup-connect').click();
    await expect(page.getByTestId('connection-status')).toContainText('Connected');
    await expect(page.getByTestId('connection-status')).toContainText(server.address);
  });
});
