/**
 * The connection doctor as a person meets it: connecting to a broker that advertises a loopback
 * address fails, the doctor runs by itself and shows the finding with the exact line to change;
 * the Diagnose button on a healthy listener says it is usable. The brokers are real: one Kafka in a
 * network namespace this spec creates, with one listener per misconfiguration.
 */
import { electronBinary } from '../scripts/electron-binary.js';
import {
  misconfiguredKafkaSkipReason,
  startMisconfiguredKafka,
  type MisconfiguredKafka,
} from '../scripts/test-support/misconfigured-kafka.js';
import { expect, test } from './fixtures.js';

test.describe('connection doctor', () => {
  let k: MisconfiguredKafka | undefined;
  let blocked: string | undefined = misconfiguredKafkaSkipReason();

  // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from this pattern
  test.beforeAll(async ({}, testInfo) => {
    test.setTimeout(120_000);
    const bin = electronBinary();
    if (testInfo.project.name === 'electron' && 'missing' in bin) blocked = bin.missing;
    // any other real cluster will do for the "other cluster" listener: the e2e broker
    const other = process.env.KVS_E2E_BOOTSTRAP;
    if (other === undefined) blocked ??= 'no other broker for the other-cluster listener';
    if (blocked !== undefined || other === undefined) return;
    k = await startMisconfiguredKafka({ otherClusterBootstrap: other, prefix: 'kvs-e2ed' });
  });

  test.afterAll(async () => {
    await k?.close();
  });

  test('a broker advertising loopback: connect fails, the doctor says why and what to change', async ({
    app,
  }, testInfo) => {
    test.skip(blocked !== undefined, `needs a network namespace with Kafka: ${blocked ?? ''}`);
    if (!k) throw new Error('the misconfigured broker did not start');
    const { page } = app;
    await page.getByTestId('bootstrap-input').fill(k.bootstrap.loopback);
    await page.getByTestId('connect-button').click();

    const result = page.getByTestId('doctor-result');
    await expect(result).toHaveAttribute('data-ok', 'false', { timeout: 40_000 });
    const f = page.locator('[data-testid="doctor-finding"][data-code="ADVERTISED_LOOPBACK"]');
    await expect(f).toBeVisible();
    await expect(f.getByTestId('doctor-fix')).toContainText(
      `advertised.listeners=PLAINTEXT://${k.bootstrap.loopback}`,
    );
    await expect(
      page.locator('[data-testid="doctor-check"][data-first-failure="true"]'),
    ).toHaveAttribute('data-check', 'advertised');
    await page.screenshot({ path: testInfo.outputPath(`doctor-loopback-${app.transport}.png`) });
  });

  test('Diagnose on a healthy listener: usable from here; on a TLS listener: LISTENER_TLS', async ({
    app,
  }) => {
    test.skip(blocked !== undefined, `needs a network namespace with Kafka: ${blocked ?? ''}`);
    if (!k) throw new Error('the misconfigured broker did not start');
    const { page } = app;
    await page.getByTestId('bootstrap-input').fill(k.bootstrap.healthy);
    await page.getByTestId('doctor-run').click();
    await expect(page.getByTestId('doctor-result')).toHaveAttribute('data-ok', 'true');
    await expect(page.getByTestId('doctor-broker')).toContainText(k.bootstrap.healthy);

    await page.getByTestId('bootstrap-input').fill(k.bootstrap.tls);
    await page.getByTestId('doctor-run').click();
    await expect(
      page.locator('[data-testid="doctor-finding"][data-code="LISTENER_TLS"]'),
    ).toBeVisible();
  });
});
