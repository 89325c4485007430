/**
 * A small certificate authority for TLS tests, made with the openssl command line in a folder the
 * caller owns (the keys are written 0600 and never pass through a command line as text):
 *
 * - `ca`: the test CA (EC P-256, 7 days);
 * - `server`: signed by the CA, SAN = the given IP address and DNS name, serverAuth;
 *   `serverKeystore` is its key + certificate chain in one PEM file (Kafka's `ssl.keystore.type=PEM`);
 * - `client`: signed by the CA, clientAuth (for mTLS);
 * - `expired`: signed by the CA, SAN as the server's, valid only in 2020;
 * - `notYetValid`: signed by the CA, SAN as the server's, valid only in 2099;
 * - `wrongHost`: signed by the CA, valid now, for a name that is not the broker's;
 * - `otherCa`: a second, unrelated CA: a client that trusts only it must refuse the broker;
 * - `otherClient`: a client certificate signed by `otherCa` (a broker that trusts the test CA
 *   refuses it);
 * - `expiredKeystore`, `notYetValidKeystore`, `wrongHostKeystore`: key + certificate + CA in one
 *   PEM file each, for
 *   listeners that serve those certificates (the connection doctor's tests).
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sh } from './netns-subnet.js';

export interface PemFile {
  readonly path: string;
  readonly pem: string;
}

export interface KeyPairFiles {
  readonly cert: PemFile;
  readonly key: PemFile;
}

export interface TestPki {
  readonly ca: PemFile;
  readonly server: KeyPairFiles;
  /** Private key + server certificate + CA certificate, one PEM file. */
  readonly serverKeystore: PemFile;
  readonly client: KeyPairFiles;
  readonly expired: KeyPairFiles;
  readonly notYetValid: KeyPairFiles;
  readonly wrongHost: KeyPairFiles & { readonly dnsName: string };
  readonly otherCa: PemFile;
  readonly otherClient: KeyPairFiles;
  readonly expiredKeystore: PemFile;
  readonly notYetValidKeystore: PemFile;
  readonly wrongHostKeystore: PemFile;
}

/** A name under `.invalid` (RFC 2606): never resolves anywhere. */
export const WRONG_HOST_NAME = 'not-the-broker.kvs-test.invalid';

const DAYS = '7';

async function pem(file: string): Promise<PemFile> {
  return { path: file, pem: await readFile(file, 'utf8') };
}

async function newKey(file: string): Promise<void> {
  await sh('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    file,
  ]);
  await chmod(file, 0o600);
}

async function selfSignedCa(dir: string, name: string, cn: string): Promise<PemFile> {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  await newKey(key);
  await sh('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    key,
    '-days',
    DAYS,
    '-subj',
    `/O=Kafka Video Studio tests/CN=${cn}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    cert,
  ]);
  return pem(cert);
}

/**
 * A leaf certificate signed by the CA in `dir` (ca.crt / ca.key). `validity` is either a number of
 * days from now, or fixed dates (via `openssl ca`, which takes a start and an end date).
 */
async function leaf(
  dir: string,
  name: string,
  o: {
    cn: string;
    extensions: string;
    validity: { days: string } | { start: string; end: string };
    /** The signing CA's file names in `dir` (default "ca": ca.crt, ca.key). */
    ca?: string;
  },
): Promise<KeyPairFiles> {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.crt`);
  const ext = path.join(dir, `${name}.ext`);
  await newKey(key);
  await writeFile(ext, `${o.extensions}\n`);
  await sh('openssl', [
    'req',
    '-new',
    '-key',
    key,
    '-subj',
    `/O=Kafka Video Studio tests/CN=${o.cn}`,
    '-out',
    csr,
  ]);
  const ca = path.join(dir, `${o.ca ?? 'ca'}.crt`);
  const caKey = path.join(dir, `${o.ca ?? 'ca'}.key`);
  if ('days' in o.validity) {
    await sh('openssl', [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca,
      '-CAkey',
      caKey,
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      o.validity.days,
      '-sha256',
      '-extfile',
      ext,
      '-out',
      cert,
    ]);
  } else {
    // `openssl x509` (3.0) has no start date: a throwaway `openssl ca` database does.
    const db = path.join(dir, `${name}-ca-db`);
    await writeFile(`${db}.index`, '');
    await writeFile(`${db}.serial`, `${randomBytes(8).toString('hex')}\n`);
    const config = path.join(dir, `${name}-ca.cnf`);
    await writeFile(
      config,
      [
        '[ca]',
        'default_ca = test_ca',
        '[test_ca]',
        `database = ${db}.index`,
        `serial = ${db}.serial`,
        `new_certs_dir = ${dir}`,
        'default_md = sha256',
        'policy = any',
        'unique_subject = no',
        'copy_extensions = none',
        '[any]',
        'commonName = supplied',
        'organizationName = optional',
        '',
      ].join('\n'),
    );
    await sh('openssl', [
      'ca',
      '-batch',
      '-notext',
      '-config',
      config,
      '-cert',
      ca,
      '-keyfile',
      caKey,
      '-startdate',
      o.validity.start,
      '-enddate',
      o.validity.end,
      '-extfile',
      ext,
      '-in',
      csr,
      '-out',
      cert,
    ]);
  }
  return { cert: await pem(cert), key: await pem(key) };
}

/** Makes the whole set in `dir` (which must exist and be private to the caller). */
export async function makeTestPki(
  dir: string,
  server: { ipAddress: string; dnsName: string },
): Promise<TestPki> {
  const ca = await selfSignedCa(dir, 'ca', 'KVS test CA');
  const serverExt = [
    'basicConstraints=CA:FALSE',
    `subjectAltName=IP:${server.ipAddress},DNS:${server.dnsName}`,
    'extendedKeyUsage=serverAuth',
  ].join('\n');
  const [srv, client, expired, wrongHost, otherCa] = await Promise.all([
    leaf(dir, 'server', { cn: server.dnsName, extensions: serverExt, validity: { days: DAYS } }),
    leaf(dir, 'client', {
      cn: 'kvs-test-client',
      extensions: 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth',
      validity: { days: DAYS },
    }),
    leaf(dir, 'expired', {
      cn: server.dnsName,
      extensions: serverExt,
      validity: { start: '20200101000000Z', end: '20200102000000Z' },
    }),
    leaf(dir, 'wrong-host', {
      cn: WRONG_HOST_NAME,
      extensions: [
        'basicConstraints=CA:FALSE',
        `subjectAltName=DNS:${WRONG_HOST_NAME}`,
        'extendedKeyUsage=serverAuth',
      ].join('\n'),
      validity: { days: DAYS },
    }),
    selfSignedCa(dir, 'other-ca', 'KVS unrelated test CA'),
  ]);
  const notYetValid = await leaf(dir, 'not-yet-valid', {
    cn: server.dnsName,
    extensions: serverExt,
    validity: { start: '20990101000000Z', end: '20991231000000Z' },
  });
  const otherClient = await leaf(dir, 'other-client', {
    cn: 'kvs-test-client-of-another-ca',
    extensions: 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth',
    validity: { days: DAYS },
    ca: 'other-ca',
  });
  const keystore = async (name: string, pair: KeyPairFiles): Promise<PemFile> => {
    const file = path.join(dir, `${name}-keystore.pem`);
    await writeFile(file, `${pair.key.pem}${pair.cert.pem}${ca.pem}`, { mode: 0o600 });
    return pem(file);
  };
  const keystorePath = path.join(dir, 'server-keystore.pem');
  await writeFile(keystorePath, `${srv.key.pem}${srv.cert.pem}${ca.pem}`, { mode: 0o600 });
  return {
    ca,
    server: srv,
    serverKeystore: await pem(keystorePath),
    client,
    expired,
    notYetValid,
    wrongHost: { ...wrongHost, dnsName: WRONG_HOST_NAME },
    otherCa,
    otherClient,
    expiredKeystore: await keystore('expired', expired),
    notYetValidKeystore: await keystore('not-yet-valid', notYetValid),
    wrongHostKeystore: await keystore('wrong-host', wrongHost),
  };
}
