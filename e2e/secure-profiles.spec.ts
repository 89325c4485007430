/**
 * Connection profiles as a person uses them (issue 15), against one real secured broker in a network
 * namespace (scripts/test-support/secure-kafka.ts): make a SASL_SSL/SCRAM profile in the form (the
 * CA from its file), save and connect, produce a video through the UI and play it back; the same
 * over mutual TLS from an imported client.properties with its PEM stores; a profile whose password
 * is not remembered asks for it in one click; a wrong password gets a plain message.
 *
 * Neither `kvs serve` nor the stand-in (Linux's basic_text safeStorage) can remember secrets, so the
 * profile is saved without them and connecting asks — the path every browser user takes.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { electronBinary } from '../scripts/electron-binary.js';
import {
  secureKafkaSkipReason,
  startSecureKafka,
  type SecureKafka,
} from '../scripts/test-support/secure-kafka.js';
import { allFiles, filesHolding } from '../scripts/test-support/secret-traces.js';
import { expect, test, type AppUnderTest } from './fixtures.js';

const video = (): string => process.env.KVS_E2E_VIDEO ?? '';
const FRAMES = 90; // the global setup's video: 3 s at 30 fps

test.describe('connection profiles over TLS and SASL', () => {
  let k: SecureKafka | undefined;
  let dir = '';
  let blocked: string | undefined = secureKafkaSkipReason();

  // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from this pattern
  test.beforeAll(async ({}, testInfo) => {
    test.setTimeout(120_000);
    const bin = electronBinary();
    if (testInfo.project.name === 'electron' && 'missing' in bin) blocked = bin.missing;
    if (blocked !== undefined) return;
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-e2e-secure-'));
    k = await startSecureKafka({ prefix: 'kvs-e2es' });
  });

  test.afterAll(async () => {
    await k?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function broker(): SecureKafka {
    test.skip(blocked !== undefined, `needs a network namespace with Kafka: ${blocked ?? ''}`);
    if (!k) throw new Error('the secured broker did not start');
    return k;
  }

  /** Produce the global setup's video into a new topic through the UI and play it from the beginning. */
  async function roundTrip(app: AppUnderTest): Promise<void> {
    const { page } = app;
    const topic = `e2e-sec-${randomBytes(3).toString('hex')}`;
    await app.pickVideo(video());
    await page.getByTestId('produce-topic-input').fill(topic);
    await page.getByTestId('produce-start-button').click();
    await expect(page.getByTestId('produce-progress')).toHaveAttribute('aria-valuenow', '100', {
      timeout: 30_000,
    });
    await page.getByTestId('watch-topic-input').first().fill(topic);
    await page.getByTestId('watch-from-beginning').first().check();
    await page.getByTestId('watch-start-button').first().click();
    await expect(page.getByTestId('watch-frame-count').first()).toHaveText(String(FRAMES), {
      timeout: 30_000,
    });
  }

  async function expectConnected(page: Page, bootstrap: string): Promise<void> {
    await expect(page.getByTestId('connection-status')).toContainText(`Connected to ${bootstrap}`, {
      timeout: 20_000,
    });
  }

  test('SASL_SSL + SCRAM-SHA-512 from the form: save, connect, produce and play; one click with the password later', async ({
    app,
  }, testInfo) => {
    const kafka = broker();
    const { page } = app;
    const bootstrap = kafka.listeners.scram.bootstrap;
    await page.getByTestId('profile-new').click();
    const form = page.getByTestId('profile-form');
    await form.getByTestId('profile-name').fill('Secure lab');
    await form.getByTestId('profile-bootstrap').fill(bootstrap);
    await form.getByTestId('profile-protocol').selectOption('SASL_SSL');
    await form.getByTestId('profile-ca-pem').check();
    await form.getByTestId('profile-ca-file').setInputFiles(kafka.pki.ca.path);
    await expect(form.getByTestId('profile-ca')).toHaveValue(/BEGIN CERTIFICATE/);
    await form.getByTestId('profile-mechanism').selectOption('SCRAM-SHA-512');
    await form.getByTestId('profile-username').fill(kafka.scram.username);
    await form.getByTestId('profile-password').fill(kafka.scram.password);
    // turning the hostname check off is a choice with a warning; it stays on here
    await form.getByTestId('profile-verify-hostname').uncheck();
    await expect(form.getByTestId('profile-hostname-warning')).toBeVisible();
    await form.getByTestId('profile-verify-hostname').check();
    await expect(form.getByTestId('profile-remember')).toBeDisabled();
    await expect(form.getByTestId('profile-remember-unavailable')).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath(`profile-form-${app.transport}.png`) });
    await form.getByTestId('profile-save-connect').click();

    await expectConnected(page, bootstrap);
    const item = page.locator('[data-testid="profile"][data-name="Secure lab"]');
    await expect(item).toContainText('SASL_SSL · SCRAM-SHA-512 as');
    await expect(item).toContainText('asks for its secrets');
    await page.screenshot({
      path: testInfo.outputPath(`profiles-connected-${app.transport}.png`),
      fullPage: true,
    });
    await roundTrip(app);

    // later: one click asks for the password it does not remember, then connects
    await page.getByTestId('connect-button').click(); // disconnect
    await expect(page.getByTestId('connection-status')).toContainText('Not connected');
    await item.getByTestId('profile-connect').click();
    const secrets = item.getByTestId('profile-secrets');
    await expect(secrets).toBeVisible();
    await page
      .locator('section.card')
      .first()
      .screenshot({ path: testInfo.outputPath(`broker-panel-profiles-${app.transport}.png`) });
    await secrets.getByTestId('profile-secret-saslPassword').fill('not-the-password-e2e');
    await secrets.getByTestId('profile-secrets-connect').click();
    await expect(page.getByTestId('connection-status')).toContainText(/user name or password/i, {
      timeout: 20_000,
    });
    await expect(page.locator('body')).not.toContainText('not-the-password-e2e');
    await item.getByTestId('profile-connect').click();
    await item.getByTestId('profile-secret-saslPassword').fill(kafka.scram.password);
    await item.getByTestId('profile-secrets-connect').click();
    await expectConnected(page, bootstrap);
    // Diagnose on the profile: the doctor over SASL_SSL with the password typed for it
    await item.getByTestId('profile-diagnose').click();
    await expect(page.getByTestId('doctor-result')).toHaveAttribute('data-ok', 'true', {
      timeout: 15_000,
    });
  });

  test('mutual TLS from an imported client.properties (PEM truststore and keystore picked with it)', async ({
    app,
  }) => {
    const kafka = broker();
    const { page } = app;
    const bootstrap = kafka.listeners.mtls.bootstrap;
    // what a person has: client.properties naming its stores, in a folder with them
    const conf = path.join(dir, `mtls-${app.runner}`);
    await rm(conf, { recursive: true, force: true });
    await mkdir(conf, { recursive: true });
    await copyFile(kafka.pki.ca.path, path.join(conf, 'ca.pem'));
    await writeFile(
      path.join(conf, 'client-keystore.pem'),
      kafka.pki.client.key.pem + kafka.pki.client.cert.pem,
    );
    await writeFile(
      path.join(conf, 'client.properties'),
      [
        `bootstrap.servers=${bootstrap}`,
        'security.protocol=SSL',
        'ssl.truststore.type=PEM',
        `ssl.truststore.location=/etc/kafka/secrets/ca.pem`,
        'ssl.keystore.type=PEM',
        `ssl.keystore.location=/etc/kafka/secrets/client-keystore.pem`,
        'request.timeout.ms=20000',
      ].join('\n'),
    );

    await page.getByTestId('profile-new').click();
    const form = page.getByTestId('profile-form');
    // only the properties first: the service names the store to pick with it
    await form.getByTestId('profile-import').setInputFiles(path.join(conf, 'client.properties'));
    await expect(form.getByTestId('profile-import-error')).toContainText('pick ca.pem too');
    await form
      .getByTestId('profile-import')
      .setInputFiles(
        ['client.properties', 'ca.pem', 'client-keystore.pem'].map((f) => path.join(conf, f)),
      );
    await expect(form.getByTestId('profile-import-note')).toContainText(
      'Not used: request.timeout.ms',
    );
    await expect(form.getByTestId('profile-name')).toHaveValue('client');
    await expect(form.getByTestId('profile-bootstrap')).toHaveValue(bootstrap);
    await expect(form.getByTestId('profile-client-pem')).toBeChecked();
    await expect(form.getByTestId('profile-client-key-state')).toContainText('✓');
    await form.getByTestId('profile-name').fill('mTLS lab');
    await form.getByTestId('profile-save-connect').click();

    await expectConnected(page, bootstrap);
    await expect(page.locator('[data-testid="profile"][data-name="mTLS lab"]')).toContainText(
      'SSL · own CA · client certificate',
    );
    await roundTrip(app);
  });

  test('mutual TLS with a PKCS#12 bundle: saved without it, asked for (file and password) at connect; a prompt can be cancelled', async ({
    app,
  }) => {
    const kafka = broker();
    const { page } = app;
    const bootstrap = kafka.listeners.mtls.bootstrap;
    const p12 = path.join(dir, `client-${app.runner}.p12`);
    execFileSync('openssl', [
      ...['pkcs12', '-export', '-inkey', kafka.pki.client.key.path],
      ...['-in', kafka.pki.client.cert.path, '-out', p12, '-passout', 'pass:p12-pass-e2e'],
    ]);
    await page.getByTestId('profile-new').click();
    const form = page.getByTestId('profile-form');
    await form.getByTestId('profile-name').fill('PKCS12 lab');
    await form.getByTestId('profile-bootstrap').fill(bootstrap);
    await form.getByTestId('profile-protocol').selectOption('SSL');
    await form.getByTestId('profile-ca-pem').check();
    await form.getByTestId('profile-ca').fill(kafka.pki.ca.pem);
    await form.getByTestId('profile-client-pkcs12').check();
    await form.getByTestId('profile-save').click(); // saved without the bundle

    const item = page.locator('[data-testid="profile"][data-name="PKCS12 lab"]');
    await expect(item).toContainText('SSL · own CA · client certificate · asks for its secrets');
    await item.getByTestId('profile-connect').click();
    await expect(item.getByTestId('profile-secrets')).toBeVisible();
    await item.getByRole('button', { name: 'Cancel' }).click();
    await expect(item.getByTestId('profile-secrets')).toHaveCount(0);

    await item.getByTestId('profile-connect').click();
    await item.getByTestId('profile-secret-pkcs12Base64').setInputFiles(p12);
    await item.getByTestId('profile-secret-pkcs12Password').fill('p12-pass-e2e');
    await item.getByTestId('profile-secrets-connect').click();
    await expectConnected(page, bootstrap);
  });

  test.describe('in the desktop app with a keyring', () => {
    test.use({ keyring: 'gnome_libsecret' });

    test('remembers the password encrypted: one click connects later, and no file holds it', async ({
      app,
    }) => {
      test.skip(
        app.runner === 'browser',
        'kvs serve never remembers secrets (the test above covers it asking instead)',
      );
      const kafka = broker();
      const { page } = app;
      const bootstrap = kafka.listeners.scram.bootstrap;
      await page.getByTestId('profile-new').click();
      const form = page.getByTestId('profile-form');
      await form.getByTestId('profile-name').fill('Remembered');
      await form.getByTestId('profile-bootstrap').fill(bootstrap);
      await form.getByTestId('profile-ca-pem').check();
      await form.getByTestId('profile-ca').fill(kafka.pki.ca.pem);
      await form.getByTestId('profile-mechanism').selectOption('SCRAM-SHA-256');
      await form.getByTestId('profile-username').fill(kafka.scram.username);
      await form.getByTestId('profile-password').fill(kafka.scram.password);
      await expect(form.getByTestId('profile-remember')).toBeEnabled();
      await form.getByTestId('profile-remember').check();
      await form.getByTestId('profile-save').click();

      const item = page.locator('[data-testid="profile"][data-name="Remembered"]');
      await expect(item).toContainText('secrets remembered');
      await item.getByTestId('profile-connect').click();
      await expect(item.getByTestId('profile-secrets')).toHaveCount(0);
      await expectConnected(page, bootstrap);
      expect(await filesHolding(app.userDataDir, kafka.scram.password)).toEqual([]);
      expect(
        (await allFiles(app.userDataDir)).some((f) => f.endsWith('connection-profiles.json')),
      ).toBe(true);
    });
  });
});
