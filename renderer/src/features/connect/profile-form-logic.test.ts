import { describe, expect, it } from 'vitest';
import type { ProfileView } from '../../../../electron/shared/connection-profile.js';
import {
  buildSave,
  describeSecurity,
  EMPTY_FORM,
  formFromImport,
  formFromProfile,
  type ProfileForm,
} from './profile-form-logic.js';
import { propertiesFileOf } from './profile-files.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n';

const scramForm: ProfileForm = {
  ...EMPTY_FORM,
  name: ' Lab ',
  bootstrap: '10.0.0.5:9095',
  protocol: 'SASL_SSL',
  caMode: 'pem',
  caPem: CA,
  mechanism: 'SCRAM-SHA-512',
  username: 'alice',
  password: 'pw',
  remember: true,
};

describe('profile form', () => {
  it('builds a SASL_SSL/SCRAM save request: public settings apart from the password', () => {
    const r = buildSave(scramForm);
    expect(r).toEqual({
      ok: true,
      save: {
        id: null,
        name: 'Lab',
        bootstrap: '10.0.0.5:9095',
        security: {
          protocol: 'SASL_SSL',
          tls: { ca: CA, client: null, verifyHostname: true },
          sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice' },
        },
        secrets: { saslPassword: 'pw' },
        remember: true,
      },
      secrets: { saslPassword: 'pw' },
    });
  });

  it('sends only what the protocol uses: mTLS has no login, PLAINTEXT nothing at all', () => {
    const m = buildSave({
      ...scramForm,
      protocol: 'SSL',
      clientMode: 'pem',
      clientCert: CA,
      clientKey: KEY,
      verifyHostname: false,
    });
    expect(m.ok && m.save.security).toEqual({
      protocol: 'SSL',
      tls: { ca: CA, client: { kind: 'pem', cert: CA }, verifyHostname: false },
      sasl: null,
    });
    expect(m.ok && m.save.secrets).toEqual({ clientKey: KEY });
    const p = buildSave({ ...scramForm, protocol: 'PLAINTEXT' });
    expect(p.ok && p.save).toMatchObject({
      security: { protocol: 'PLAINTEXT', tls: null, sasl: null },
      secrets: {},
    });
  });

  it('says what to fix, field by field', () => {
    const r = buildSave({
      ...scramForm,
      name: ' ',
      bootstrap: 'PLAINTEXT://x:9092',
      caPem: 'not pem',
      username: '',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['bootstrap', 'caPem', 'name', 'username']);
    const o = buildSave({
      ...scramForm,
      mechanism: 'OAUTHBEARER',
      oauthKind: 'client-credentials',
      tokenEndpoint: 'ftp://x',
      clientId: '',
    });
    expect(!o.ok && Object.keys(o.errors).sort()).toEqual(['clientId', 'tokenEndpoint']);
  });

  it('an empty secret is not sent (asked at connect, or the remembered one is kept)', () => {
    const r = buildSave({ ...scramForm, password: '' });
    expect(r.ok && r.save.secrets).toEqual({});
  });

  it('a saved profile comes back into the form without secrets; import fills them', () => {
    const view: ProfileView = {
      id: 'p1',
      name: 'Cloud',
      bootstrap: 'c:9092',
      security: {
        protocol: 'SASL_SSL',
        tls: { ca: null, client: null, verifyHostname: true },
        sasl: {
          mechanism: 'OAUTHBEARER',
          token: { kind: 'client-credentials', tokenEndpoint: 'https://t/x', clientId: 'app' },
        },
      },
      secretsNeeded: ['oauthClientSecret'],
      secretsRemembered: true,
      lastUsed: 5,
    };
    const f = formFromProfile(view, true);
    expect(f).toMatchObject({
      id: 'p1',
      caMode: 'system',
      mechanism: 'OAUTHBEARER',
      oauthKind: 'client-credentials',
      tokenEndpoint: 'https://t/x',
      clientId: 'app',
      clientSecret: '',
      remember: true,
      remembered: true,
    });
    expect(formFromProfile(view, false).remember).toBe(false);
    expect(describeSecurity(view.security)).toBe('SASL_SSL · OAUTHBEARER (app) · system CAs');

    const imported = formFromImport(
      {
        bootstrap: 'b:9095',
        security: {
          protocol: 'SASL_SSL',
          tls: { ca: CA, client: null, verifyHostname: false },
          sasl: { mechanism: 'PLAIN', username: 'key' },
        },
        secrets: { saslPassword: 'secret' },
        unused: [],
      },
      'confluent.properties',
      EMPTY_FORM,
    );
    expect(imported).toMatchObject({
      name: 'confluent',
      bootstrap: 'b:9095',
      caMode: 'pem',
      caPem: CA,
      verifyHostname: false,
      mechanism: 'PLAIN',
      username: 'key',
      password: 'secret',
    });
    expect(
      describeSecurity({
        protocol: 'SSL',
        tls: { ca: CA, client: { kind: 'pkcs12' }, verifyHostname: false },
        sasl: null,
      }),
    ).toBe('SSL · own CA · client certificate · hostname NOT checked');
  });

  it('the import pick: the .properties file, whatever the order', () => {
    const files = [{ name: 'ca.pem' }, { name: 'client.properties' }, { name: 'k.p12' }];
    expect(propertiesFileOf(files).name).toBe('client.properties');
    expect(propertiesFileOf([{ name: 'kafka.conf' }]).name).toBe('kafka.conf');
    expect(() => propertiesFileOf([])).toThrow('Pick a client.properties file.');
  });
});
