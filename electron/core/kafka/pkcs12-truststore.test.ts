/**
 * A PKCS12 truststore as Java's keytool makes it (real openssl + keytool), read into PEM; and
 * through the client.properties import.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClientProperties } from './client-properties.js';
import { pkcs12TruststorePem } from './pkcs12-truststore.js';

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const missing = ['openssl', 'keytool'].filter((c) => !has(c));

describe.skipIf(missing.length > 0)(
  `PKCS12 truststores${missing.length > 0 ? ` — skipped: no ${missing.join(', ')}` : ''}`,
  () => {
    let dir: string;
    let caPem: string;
    let rsaPem: string;
    let store: Buffer;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-p12-'));
      const run = (cmd: string, args: string[]) =>
        execFileSync(cmd, args, { cwd: dir, stdio: 'pipe' });
      run('openssl', [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
        ...['-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=kvs test CA'],
      ]);
      run('keytool', [
        ...['-importcert', '-noprompt', '-alias', 'kvs-ca', '-file', 'ca.pem'],
        ...['-keystore', 'truststore.p12', '-storetype', 'PKCS12', '-storepass', 'changeit'],
      ]);
      // and an RSA CA beside it (forge reads RSA certificates itself, others as ASN.1)
      run('openssl', [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rsa.key'],
        ...['-out', 'rsa.pem', '-days', '2', '-subj', '/CN=kvs test RSA CA'],
      ]);
      run('keytool', [
        ...['-importcert', '-noprompt', '-alias', 'kvs-rsa', '-file', 'rsa.pem'],
        ...['-keystore', 'truststore.p12', '-storetype', 'PKCS12', '-storepass', 'changeit'],
      ]);
      rsaPem = await readFile(path.join(dir, 'rsa.pem'), 'utf8');
      caPem = await readFile(path.join(dir, 'ca.pem'), 'utf8');
      store = await readFile(path.join(dir, 'truststore.p12'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    const fingerprints = (pem: string): string[] =>
      (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [])
        .map((c) => new X509Certificate(c).fingerprint256)
        .sort();

    it('reads the trusted certificates out as PEM (EC and RSA): the same certificates', () => {
      const pem = pkcs12TruststorePem(store, 'changeit', 'the truststore');
      expect(fingerprints(pem)).toEqual(fingerprints(caPem + rsaPem));
    });

    it('a wrong password or a file that is not PKCS12: a plain message', () => {
      expect(() => pkcs12TruststorePem(store, 'nope', 'the truststore')).toThrow(/wrong password/);
      expect(() => pkcs12TruststorePem(Buffer.from('not der'), '', 'x.p12')).toThrow(
        /is not a PKCS12 file/,
      );
    });

    it('client.properties with ssl.truststore.type=PKCS12: the CA as PEM in the settings', async () => {
      const text = [
        'bootstrap.servers=b:9093',
        'security.protocol=SSL',
        'ssl.truststore.type=PKCS12',
        'ssl.truststore.location=truststore.p12',
        'ssl.truststore.password=changeit',
      ].join('\n');
      const r = await loadClientProperties(text, path.join(dir, 'client.properties'), {
        readFile: (f) => readFile(f),
      });
      expect(r.problems).toEqual([]);
      expect(fingerprints(r.security?.tls?.ca ?? '')).toEqual(fingerprints(caPem + rsaPem));
    });
  },
);
