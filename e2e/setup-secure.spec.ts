/**
 * The setup wizard's "TLS + SCRAM login" as a person uses it: a real sshd in a "server" this spec
 * creates (scripts/test-support/netns-servers.ts: its own network namespace and folders, so the
 * install writes nothing on this machine), a Kafka .tgz packed from the Maven Central jars and
 * uploaded from "this computer", the option turned on (a generated password offered), the plan
 * showing SASL_SSL and the password on no line, the install, and one click that saves a connection
 * profile with the CA and the login and connects with it. Where the password cannot be remembered (kvs serve), the
 * page says so and still connects.
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

const installDir = `/tmp/kvs-e2e-secure/kafka`;

test.describe('setup wizard: TLS + SCRAM login', () => {
  let fx: NetnsServers | undefined;
  let sb: NetnsServer | undefined;
  let dir = '';
  let tarball = '';
  let blocked: string | undefined = serversSkipReason();

  // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from this pattern
  test.beforeAll(async ({}, testInfo) => {
    test.setTimeout(3 * 60_000);
    const bin = electronBinary();
    if (testInfo.project.name === 'electron' && 'missing' in bin) blocked = bin.missing;
    if (blocked !== undefined) return;
    fx = await startNetnsServers({ count: 1, prefix: 'kvs-e2es', sudo: true });
    sb = fx.servers[0];
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-e2e-secure-'));
    tarball = (await packKafka({ mode: 'kraft', out: path.join(dir, 'kafka_2.13-4.1.1.tgz') }))
      .tarball;
  });

  test.afterAll(async () => {
    // Kafka runs inside the server: closing it ends the broker with everything else there and
    // removes the server's folders (the install's too; none of it is on this machine).
    await fx?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('installs with TLS + SCRAM login and connects through a new profile in one click', async ({
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
    await page.getByTestId('setup-host').fill(server.address);
    await page.getByTestId('setup-user').fill(server.user);
    await page.getByTestId('setup-next').click();
    await page.getByTestId('setup-auth-kind').selectOption('password');
    await page.getByTestId('setup-password').fill(server.password);
    await page.getByTestId('setup-login').click();
    await page.getByTestId('setup-hostkey-accept').click();
    await expect(page.getByTestId('setup-facts')).toContainText(server.user);
    await page.getByTestId('setup-next').click();

    await page.getByTestId('setup-install-dir').fill(installDir);
    await page.getByTestId('setup-source').selectOption('upload');
    await app.pickTarball(tarball);
    await expect(page.getByTestId('setup-tarball-name')).toContainText('kafka_2.13-4.1.1.tgz');

    // the option: a strong password is offered; "New password" makes another
    await page.getByTestId('setup-secure').check();
    const passwordField = page.getByTestId('setup-scram-password');
    await expect(passwordField).toHaveValue(/^[A-Za-z0-9_-]{32}$/);
    const offered = await passwordField.inputValue();
    await page.getByTestId('setup-scram-generate').click();
    await expect(passwordField).not.toHaveValue(offered);
    const password = await passwordField.inputValue();
    await expect(page.getByTestId('setup-scram-user')).toHaveValue('kvs-admin');
    await page.getByTestId('setup-make-plan').click();

    const plan = page.getByTestId('setup-plan');
    await expect(plan).toContainText(`advertised.listeners=SASL_SSL://${server.address}:9092`);
    await expect(plan).toContainText('the SCRAM password and its fingerprint, on stdin');
    expect(await plan.textContent()).not.toContain(password);
    await page.getByTestId('setup-install').click();

    await expect(page.getByTestId('setup-result')).toBeVisible({ timeout: 4 * 60_000 });
    await expect(page.getByTestId('setup-error')).toHaveCount(0);
    await expect(page.getByTestId('setup-result')).toContainText('SCRAM-SHA-512');
    expect(await page.getByTestId('setup-log').textContent()).not.toContain(password);
    await expect(page.getByTestId('setup-connect')).toHaveText('Save as a profile and connect');
    await page.screenshot({ path: testInfo.outputPath(`setup-secure-done-${app.transport}.png`) });

    await page.getByTestId('setup-connect').click();
    await expect(page.getByTestId('connection-status')).toContainText('Connected', {
      timeout: 30_000,
    });
    await expect(page.getByTestId('connection-status')).toContainText(server.address);
    if (app.transport === 'browser')
      await expect(page.getByTestId('setup-password-not-remembered')).toBeVisible();

    // again after a disconnect: the same profile is updated and used, not refused as a duplicate
    await page.getByTestId('connect-button').click();
    await expect(page.getByTestId('connection-status')).toContainText('Not connected');
    await page.getByTestId('setup-connect').click();
    await expect(page.getByTestId('connection-status')).toContainText('Connected', {
      timeout: 30_000,
    });
    await expect(page.getByTestId('setup-error')).toHaveCount(0);
    await expect(page.locator('[data-testid="profile"][data-name^="Kafka on"]')).toHaveCount(1);
  });
});
