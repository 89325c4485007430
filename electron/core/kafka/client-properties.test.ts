import { describe, expect, it } from 'vitest';
import {
  keytoolCommand,
  loadClientProperties,
  parseClientProperties,
  parseJaas,
} from './client-properties.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----';

/** Files the properties name, as the loader would read them. */
function files(map: Record<string, string | Buffer>) {
  return {
    readFile: (file: string): Promise<Buffer> => {
      const v = map[file];
      if (v === undefined) return Promise.reject(new Error('ENOENT: no such file'));
      return Promise.resolve(Buffer.isBuffer(v) ? v : Buffer.from(v));
    },
  };
}

describe('parseJaas', () => {
  it('reads the module, the flag and the options, in double or single quotes or bare', () => {
    expect(
      parseJaas(
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="p\\"w;x";',
      ),
    ).toEqual({
      module: 'org.apache.kafka.common.security.scram.ScramLoginModule',
      options: { username: 'alice', password: 'p"w;x' },
    });
    expect(
      parseJaas(
        "org.apache.kafka.common.security.plain.PlainLoginModule required username='KEY' password='SECRET';",
      )?.options,
    ).toEqual({ username: 'KEY', password: 'SECRET' });
    expect(parseJaas('not jaas at all')).toBeNull();
  });
});

// A table of files as people have them (the shapes of Confluent Cloud's, Aiven's, a company's
// mTLS cluster's, an OAuth cluster's; names and secrets made up).
describe('client.properties, real-world shapes', () => {
  it('Confluent Cloud: SASL_SSL + PLAIN with single quotes; the Java client tuning is listed as not used', async () => {
    const text = [
      '# Required connection configs for Kafka producer, consumer, and admin',
      'bootstrap.servers=pkc-abc12.eu-west-1.aws.confluent.cloud:9092',
      'security.protocol=SASL_SSL',
      "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username='ABCDEFGH' password='s3cr3t/+=';",
      'sasl.mechanism=PLAIN',
      '# Required for correctness in Apache Kafka clients prior to 2.6',
      'client.dns.lookup=use_all_dns_ips',
      '# Best practice for higher availability in Apache Kafka clients prior to 3.0',
      'session.timeout.ms=45000',
      'acks=all',
    ].join('\n');
    const r = await loadClientProperties(text, '/home/me/client.properties', files({}));
    expect(r.problems).toEqual([]);
    expect(r.bootstrap).toBe('pkc-abc12.eu-west-1.aws.confluent.cloud:9092');
    expect(r.security).toEqual({
      protocol: 'SASL_SSL',
      tls: { ca: null, client: null, verifyHostname: true },
      sasl: { mechanism: 'PLAIN', username: 'ABCDEFGH', password: 's3cr3t/+=' },
    });
    expect(r.unused).toEqual(['acks', 'client.dns.lookup', 'session.timeout.ms']);
  });

  it('SCRAM-SHA-512 with a PEM truststore next to the file, the JAAS line continued over lines', async () => {
    const text = [
      'bootstrap.servers=kafka-1.example.internal:9093,kafka-2.example.internal:9093',
      'security.protocol=SASL_SSL',
      'sasl.mechanism=SCRAM-SHA-512',
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\',
      '    username="svc-video" \\',
      '    password="pa ss";',
      'ssl.truststore.type=PEM',
      'ssl.truststore.location=certs/ca.pem',
    ].join('\n');
    const r = await loadClientProperties(
      text,
      '/etc/kvs/client.properties',
      files({ '/etc/kvs/certs/ca.pem': CA }),
    );
    expect(r.problems).toEqual([]);
    expect(r.security?.tls).toEqual({ ca: CA, client: null, verifyHostname: true });
    expect(r.security?.sasl).toEqual({
      mechanism: 'SCRAM-SHA-512',
      username: 'svc-video',
      password: 'pa ss',
    });
  });

  it('a JKS truststore (also by default, with no type) is refused with the exact keytool command', async () => {
    const text = [
      'bootstrap.servers=b:9093',
      'security.protocol=SSL',
      'ssl.truststore.location=/opt/certs/client.truststore.jks',
      'ssl.truststore.password=changeit',
    ].join('\n');
    const r = await loadClientProperties(text, '/x/client.properties', files({}));
    expect(r.security).toBeNull();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toContain(
      'keytool -importkeystore -srckeystore /opt/certs/client.truststore.jks -srcstoretype JKS -destkeystore /opt/certs/client.truststore.p12 -deststoretype PKCS12',
    );
    expect(keytoolCommand('ks.jks')).toContain('-destkeystore ks.p12');
  });

  it('mutual TLS: a PKCS12 keystore and an inline PEM CA; an empty endpoint check turns the hostname check off', async () => {
    const text = [
      'bootstrap.servers=10.0.0.5:9094',
      'security.protocol=SSL',
      `ssl.truststore.certificates=${CA.replace(/\n/g, '\\n')}`,
      'ssl.keystore.type=PKCS12',
      'ssl.keystore.location=client.p12',
      'ssl.keystore.password=p12pass',
      'ssl.endpoint.identification.algorithm=',
    ].join('\n');
    const r = await loadClientProperties(
      text,
      '/certs/client.properties',
      files({ '/certs/client.p12': Buffer.from([1, 2, 3]) }),
    );
    expect(r.problems).toEqual([]);
    expect(r.security?.tls).toEqual({
      ca: CA,
      client: { kind: 'pkcs12', pkcs12Base64: 'AQID', password: 'p12pass' },
      verifyHostname: false,
    });
  });

  it('a PEM keystore file: its key and certificate chain', async () => {
    const text = [
      'bootstrap.servers=b:9094',
      'security.protocol=SSL',
      'ssl.keystore.type=PEM',
      'ssl.keystore.location=/k/client.pem',
      'ssl.key.password=kp',
    ].join('\n');
    const r = await loadClientProperties(
      text,
      '/k/client.properties',
      files({ '/k/client.pem': `${KEY}\n${CERT}\n${CA}\n` }),
    );
    expect(r.problems).toEqual([]);
    expect(r.security?.tls?.client).toEqual({
      kind: 'pem',
      cert: `${CERT}\n${CA}`,
      key: KEY,
      keyPassword: 'kp',
    });
  });

  it('OAUTHBEARER with client credentials', async () => {
    const text = [
      'bootstrap.servers=b:9095',
      'security.protocol=SASL_SSL',
      'sasl.mechanism=OAUTHBEARER',
      'sasl.oauthbearer.token.endpoint.url=https://login.example.com/oauth2/token',
      'sasl.login.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler',
      'sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="video-app" clientSecret="cs" scope="kafka";',
    ].join('\n');
    const r = await loadClientProperties(text, '/p/client.properties', files({}));
    expect(r.problems).toEqual([]);
    expect(r.security?.sasl).toEqual({
      mechanism: 'OAUTHBEARER',
      token: {
        kind: 'client-credentials',
        tokenEndpoint: 'https://login.example.com/oauth2/token',
        clientId: 'video-app',
        clientSecret: 'cs',
        scope: 'kafka',
      },
    });
    expect(r.unused).toEqual([]);
  });

  it('refused, each with its reason: GSSAPI (also the default), a missing password, a file that cannot be read', async () => {
    const kerberos = parseClientProperties('security.protocol=SASL_PLAINTEXT\n');
    expect(kerberos.problems[0]).toContain('GSSAPI (Kerberos');
    const noPassword = parseClientProperties(
      'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="a";\n',
    );
    expect(noPassword.problems).toEqual([
      'SCRAM-SHA-256 needs username="…" and password="…" in sasl.jaas.config.',
    ]);
    const missing = await loadClientProperties(
      'security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=nope.pem\n',
      '/d/client.properties',
      files({}),
    );
    expect(missing.security).toBeNull();
    expect(missing.problems[0]).toContain('/d/nope.pem cannot be read');
  });

  it('PLAINTEXT and no file at all: just the bootstrap', async () => {
    const r = await loadClientProperties(
      'bootstrap.servers=10.0.0.5:9092\n',
      '/c.properties',
      files({}),
    );
    expect(r).toEqual({
      bootstrap: '10.0.0.5:9092',
      security: { protocol: 'PLAINTEXT', tls: null, sasl: null },
      unused: [],
      problems: [],
    });
  });
});
