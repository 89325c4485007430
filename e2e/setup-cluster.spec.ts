/**
 * The setup wizard's cluster path as a person uses it (issue 16): three "servers" in network
 * namespaces this spec creates (each its own sshd, address and filesystem view; one login for
 * all), a Kafka .tgz packed from the Maven Central jars and uploaded from "this computer", each
 * server's key confirmed in turn, the plan for every node, the install node by node with the
 * checks from this computer, one click to connect — then the broker panel lists three brokers and
 * a quorum leader, shows a node stopped from the wizard's server view as down (no error) and up
 * again once started. Then, in the browser project, a rolling restart from the server view; in
 * electron-standin, the plan made again (the cluster id kept), a re-run that changes nothing, and
 * logging in again shows the servers' state without a new install.
 *
 * Each project starts its own servers (a fresh worker per project), so each installs anew.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { packKafka } from '../scripts/local-kafka/pack.js';
import {
  serversSkipReason,
  startNetnsServers,
  type NetnsServers,
} from '../scripts/test-support/netns-servers.js';
import { electronBinary } from '../scripts/electron-binary.js';
import { expect, test } from './fixtures.js';

test.describe('setup wizard: a KRaft cluster on three servers', () => {
  let starting: Promise<NetnsServers> | undefined;
  let fx: NetnsServers | undefined;
  let dir = '';
  let tarball = '';
  let blocked: string | undefined = serversSkipReason();

  // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from this pattern
  test.beforeAll(async ({}, testInfo) => {
    test.setTimeout(5 * 60_000);
    const bin = electronBinary();
    // the app fixture reports the Electron skip; no servers needed then
    if (testInfo.project.name === 'electron' && 'missing' in bin) blocked = bin.missing;
    if (blocked !== undefined) return;
    starting = startNetnsServers({
      count: 3,
      prefix: 'kvs-e2e-clu',
      sudo: true,
      sharedLogin: true,
    });
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-e2e-cluster-'));
    [fx, tarball] = await Promise.all([
      starting,
      packKafka({ mode: 'kraft', out: path.join(dir, 'kafka_2.13-4.1.1.tgz') }).then(
        (p) => p.tarball,
      ),
    ]);
  });

  test.afterAll(async () => {
    // Kafka runs inside the namespaces: closing them ends it with everything else there.
    await (await starting?.catch(() => undefined))?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('installs a cluster node by node, connects, and the broker panel follows a node stopped and started', async ({
    app,
  }, testInfo) => {
    test.skip(blocked !== undefined, `needs network namespaces with sshd: ${blocked ?? ''}`);
    test.setTimeout(8 * 60_000);
    const servers = fx?.servers ?? [];
    const first = servers[0];
    if (first === undefined || servers.length !== 3) throw new Error('the servers did not start');
    const { page } = app;

    await page.getByTestId('setup-open').click();
    await page.getByTestId('setup-kind-cluster-3').check();

    // 1. the servers and one login for all; each server's key is asked about in turn
    for (const [i, s] of servers.entries())
      await page.getByTestId(`cluster-host-${i}`).fill(s.address);
    await expect(page.getByTestId('cluster-same-login')).toBeChecked();
    await page.getByTestId('cluster-user').fill(first.user);
    await page.getByTestId('cluster-password').fill(first.password);
    await page.getByTestId('cluster-login-all').click();
    for (const s of servers) {
      await expect(page.getByTestId('setup-hostkey-fingerprint')).toHaveText(s.hostKeyFingerprint);
      await page.getByTestId('setup-hostkey-accept').click();
    }
    const logins = page.getByTestId('cluster-node-login');
    await expect(logins.and(page.locator('[data-state="logged-in"]'))).toHaveCount(3);
    await expect(page.getByTestId('cluster-node-facts').first()).toContainText('no Kafka yet');
    await expect(page.getByTestId('setup-error')).toHaveCount(0);
    await page.getByTestId('cluster-next').click();

    // 2. options: KRaft, each node advertises its login address, the .tgz from this computer
    await expect(page.getByTestId('cluster-options')).toContainText(
      'ZooKeeper clusters are not offered',
    );
    for (const [i, s] of servers.entries())
      await expect(page.getByTestId(`cluster-advertise-${i}`)).toHaveValue(s.address);
    await page.getByTestId('cluster-source').selectOption('upload');
    await app.pickTarball(tarball);
    await expect(page.getByTestId('setup-tarball-name')).toContainText('kafka_2.13-4.1.1.tgz');
    await page.getByTestId('cluster-make-plan').click();

    // 3. the plan: a new cluster id, the quorum, every node's id, address and steps
    await expect(page.getByTestId('cluster-plan-id')).toContainText('new');
    const voters = servers.map((s, i) => `${i + 1}@${s.address}:9093`).join(',');
    await expect(page.getByTestId('cluster-plan-quorum')).toContainText(voters);
    const planNodes = page.getByTestId('cluster-plan-node');
    await expect(planNodes).toHaveCount(3);
    for (const [i, s] of servers.entries()) {
      const node = planNodes.nth(i);
      await expect(node).toHaveAttribute('data-node-id', String(i + 1));
      await expect(node).toContainText(`advertises ${s.address}:9092`);
      expect(await node.getByTestId('cluster-plan-step').count()).toBeGreaterThan(5);
    }
    await page.getByTestId('cluster-install').click();

    // 4. the run: node by node with its own log, then the checks from this computer
    await expect(page.getByTestId('cluster-run-log').first()).toContainText('$ ', {
      timeout: 60_000,
    });
    const result = page.getByTestId('cluster-result');
    await expect(result).toBeVisible({ timeout: 5 * 60_000 });
    // how it ended, in the failure message when it did not go through
    expect(await result.getAttribute('data-ok'), await result.innerText()).toBe('true');
    const runNodes = page.getByTestId('cluster-run-node');
    for (let i = 0; i < 3; i++)
      await expect(runNodes.nth(i)).toHaveAttribute('data-status', 'changed');
    await expect(page.getByTestId('cluster-run-checks')).toHaveAttribute('data-status', 'checked');
    await expect(page.getByTestId('cluster-result-brokers').locator('li')).toHaveCount(3);
    await expect(page.getByTestId('cluster-result-leader')).toHaveText(/^node [123]$/);
    await expect(page.getByTestId('cluster-result-insync')).toHaveText('3 of 3 replicas in sync');
    const bootstrap = servers.map((s) => `${s.address}:9092`).join(',');
    await expect(page.getByTestId('cluster-bootstrap')).toHaveText(bootstrap);
    await page.screenshot({ path: testInfo.outputPath(`cluster-done-${app.runner}.png`) });

    // 5. connect: the broker panel lists three brokers and a quorum leader
    await page.getByTestId('cluster-connect').click();
    await expect(page.getByTestId('cluster-connected')).toBeVisible();
    await expect(page.getByTestId('connection-status')).toContainText('Connected');
    const brokers = page.getByTestId('cluster-broker');
    await expect(brokers).toHaveCount(3);
    for (let id = 1; id <= 3; id++)
      await expect(brokers.and(page.locator(`[data-node-id="${id}"]`))).toHaveAttribute(
        'data-state',
        'up',
      );
    await expect(page.getByTestId('cluster-quorum-leader')).toHaveCount(1);
    const panel = page.locator('section.card', { has: page.getByTestId('connection-status') });
    await panel.getByTestId('cluster-brokers').screenshot({
      path: testInfo.outputPath(`cluster-brokers-${app.runner}.png`),
    });

    // 6. the server view: stop node 3 → down in the broker panel (no error); start it → up
    const node3 = page.locator('[data-testid="cluster-server"][data-node-id="3"]');
    await expect(node3).toHaveAttribute('data-state', 'running');
    await node3.getByTestId('cluster-server-stop').click();
    await expect(node3).toHaveAttribute('data-state', 'stopped', { timeout: 2 * 60_000 });
    const broker3 = brokers.and(page.locator('[data-node-id="3"]'));
    await expect(broker3).toHaveAttribute('data-state', 'down', { timeout: 60_000 });
    await expect(page.getByTestId('connection-status')).toContainText('Connected');
    await expect(page.getByTestId('setup-error')).toHaveCount(0);
    await panel.getByTestId('cluster-brokers').screenshot({
      path: testInfo.outputPath(`cluster-node-down-${app.runner}.png`),
    });
    await node3.getByTestId('cluster-server-start').click();
    await expect(node3).toHaveAttribute('data-state', 'running', { timeout: 2 * 60_000 });
    await expect(broker3).toHaveAttribute('data-state', 'up', { timeout: 60_000 });
    await expect(brokers).toHaveCount(3);

    // 7. browser project: a rolling restart; electron-standin: a re-run that changes nothing
    // (one each, the same page code either way, to keep CI time down)
    if (app.runner !== 'browser') {
      await page.getByTestId('cluster-replan').click();
      await expect(page.getByTestId('cluster-plan-id')).toContainText('kept');
      await page.getByTestId('cluster-install').click();
      const again = page.getByTestId('cluster-result');
      await expect(again).toBeVisible({ timeout: 5 * 60_000 });
      expect(await again.getAttribute('data-ok'), await again.innerText()).toBe('true');
      await expect(page.getByTestId('cluster-counts')).toHaveAttribute('data-changed', '0');
      await expect(page.getByTestId('cluster-counts')).toContainText('0 steps changed something');

      // coming back to it: log out and in again (keys known now) → its servers, no install needed
      await page.getByTestId('setup-back').click();
      await page.getByTestId('setup-back').click();
      await page.getByTestId('cluster-logout-all').click();
      await page.getByTestId('cluster-password').fill(first.password);
      await page.getByTestId('cluster-login-all').click();
      await expect(page.getByTestId('cluster-node-facts').first()).toContainText(
        'Kafka 4.1.1 there',
      );
      const again3 = page.getByTestId('cluster-server');
      await expect(again3).toHaveCount(3);
      for (const row of await again3.all())
        await expect(row).toHaveAttribute('data-state', 'running');
      return;
    }
    await page.getByTestId('cluster-rolling-restart').click();
    const rolled = page.getByTestId('cluster-rolling-result');
    await expect(rolled).toBeVisible({ timeout: 5 * 60_000 });
    await expect(rolled).toHaveAttribute('data-ok', 'true');
    await expect(rolled).toContainText('3 servers restarted');
    await expect(page.getByTestId('cluster-rolling-step-row')).toHaveCount(9);
    for (const row of await page.getByTestId('cluster-rolling-step-row').all())
      await expect(row).toHaveAttribute('data-status', /^(changed|unchanged|checked)$/);
  });
});
