import { describe, expect, it } from 'vitest';
import {
  SETUP_DEFAULTS,
  SetupLogin,
  SetupPlanRequest,
  type SetupEndedEvent,
  type SetupPlanView,
  type SetupServerFacts,
  type SetupStepEvent,
} from '../../../../electron/shared/contract.js';
import { defaultAdvertise, formatKib, isDottedIPv4 } from './form-check.js';
import {
  asksSudoPassword,
  authKindOptions,
  buildLogin,
  connectErrorHint,
  DEFAULT_LOGIN_FORM,
  defaultAuthKind,
  effectiveAuthKind,
  hostKeyCheckCommand,
  keyFileProblem,
  keyTextProblem,
  REMEMBER_NEEDS_DESKTOP,
  rememberNote,
  withoutSecrets,
  type LoginForm,
} from './login-form.js';
import {
  advertiseNotes,
  buildPlanRequest,
  DEFAULT_OPTIONS_FORM,
  effectiveAdvertise,
  effectiveVersion,
  generateScramPassword,
  isTarballName,
  modeVersionProblem,
  secureVersionProblem,
  tarballVersion,
  type OptionsForm,
} from './options-form.js';
import type { PickedFile } from '../../shared/picked-file.js';
import { resultView } from './result-view.js';
import {
  applyEnded,
  applyLog,
  applyRunEvent,
  applyStep,
  capLines,
  failedStep,
  isCompleted,
  MAX_LOG_LINES,
  RunInbox,
  runProgress,
  startRun,
  STATUS_LABELS,
  type RunView,
} from './run-view.js';
import { describePorts, describeService, factRows, factWarnings } from './server-facts.js';
import {
  checkServer,
  DEFAULT_SERVER_FORM,
  findSaved,
  parsePort,
  sameServer,
  serverLabel,
} from './server-form.js';
import { stepIndex, WIZARD_STEPS } from './wizard-steps.js';

const FP = 'SHA256:' + 'A'.repeat(43);
const KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';

const facts: SetupServerFacts = {
  os: {
    prettyName: 'Ubuntu 22.04.4 LTS',
    id: 'ubuntu',
    versionId: '22.04',
    supported: true,
    reason: null,
  },
  arch: 'x86_64',
  systemd: true,
  diskFreeKb: 20 * 1024 * 1024,
  java: null,
  kafkaVersion: null,
  zookeeperdAvailable: true,
  portsInUse: [22, 53],
  ufw: 'inactive',
  user: 'ubuntu',
};

const target = { host: '192.168.1.20', port: 22, user: 'ubuntu' };

const plan: SetupPlanView = {
  planId: 'plan1',
  mode: 'kraft',
  kafkaVersion: '4.1.1',
  bootstrap: '192.168.1.20:9092',
  notes: [],
  steps: [
    { id: 'preflight', title: 'Check the OS', why: 'w', sudo: false, commands: ['sh -c …'] },
    {
      id: 'java',
      title: 'Install Java 17',
      why: 'w',
      sudo: true,
      commands: ['sudo apt-get install …'],
    },
    {
      id: 'start',
      title: 'Start Kafka',
      why: 'w',
      sudo: true,
      commands: ['sudo systemctl start kafka'],
    },
  ],
};

function stepEv(
  index: number,
  status: SetupStepEvent['status'],
  extra: Partial<SetupStepEvent> = {},
): SetupStepEvent {
  return {
    runId: 'run1',
    index,
    stepCount: 4,
    stepId: `s${index}`,
    title: `Step ${index}`,
    status,
    ...extra,
  };
}

function ended(extra: Partial<SetupEndedEvent> = {}): SetupEndedEvent {
  return {
    runId: 'run1',
    ok: true,
    cancelled: false,
    changed: 3,
    unchanged: 0,
    verify: null,
    error: null,
    secure: null,
    ...extra,
  };
}

describe('steps', () => {
  it('are server → login → mode → review → install → done', () => {
    expect(WIZARD_STEPS.map((s) => s.name)).toEqual([
      'server',
      'login',
      'mode',
      'review',
      'install',
      'done',
    ]);
    expect(stepIndex('server')).toBe(0);
    expect(stepIndex('done')).toBe(5);
  });
});

describe('IPv4 and the advertised address', () => {
  it('accepts dotted quads only', () => {
    for (const ok of ['192.168.1.20', '10.0.0.1', '0.0.0.0', '255.255.255.255', '127.0.0.1'])
      expect(isDottedIPv4(ok)).toBe(true);
    for (const bad of [
      '',
      '192.168.1',
      '192.168.1.256',
      '192.168.01.2',
      'a.b.c.d',
      ' 10.0.0.1',
      '10.0.0.1:9092',
      'kafka.local',
      '::1',
    ])
      expect(isDottedIPv4(bad)).toBe(false);
  });
  it('defaults to the SSH host when it is a usable IPv4, else empty', () => {
    expect(defaultAdvertise('192.168.1.20')).toBe('192.168.1.20');
    expect(defaultAdvertise('  10.1.2.3 ')).toBe('10.1.2.3');
    expect(defaultAdvertise('kafka.example.com')).toBe('');
    expect(defaultAdvertise('0.0.0.0')).toBe('');
    expect(defaultAdvertise('')).toBe('');
  });
  it('follows the host until edited (also to empty)', () => {
    expect(effectiveAdvertise(DEFAULT_OPTIONS_FORM, '10.0.0.5')).toBe('10.0.0.5');
    expect(effectiveAdvertise({ ...DEFAULT_OPTIONS_FORM, advertise: '10.0.0.9' }, '10.0.0.5')).toBe(
      '10.0.0.9',
    );
    expect(effectiveAdvertise({ ...DEFAULT_OPTIONS_FORM, advertise: '' }, '10.0.0.5')).toBe('');
  });
  it('warns about loopback', () => {
    expect(advertiseNotes('127.0.0.1')[0]).toContain('loopback');
    expect(advertiseNotes('10.0.0.5')).toEqual([]);
    expect(advertiseNotes('nonsense')).toEqual([]);
  });
});

describe('server form', () => {
  it('starts with the default SSH port', () => {
    expect(DEFAULT_SERVER_FORM.port).toBe(String(SETUP_DEFAULTS.sshPort));
  });
  it('parses ports 1–65535', () => {
    expect(parsePort('22')).toBe(22);
    expect(parsePort(' 2222 ')).toBe(2222);
    expect(parsePort('65535')).toBe(65535);
    for (const bad of ['', '0', '65536', '22.5', '-1', 'ssh', '1e3'])
      expect(parsePort(bad)).toBeNull();
  });
  it('trims and accepts a complete form', () => {
    expect(checkServer({ host: ' 192.168.1.20 ', port: '22', user: ' ubuntu ' })).toEqual({
      ok: true,
      value: target,
    });
  });
  it('names the field that is wrong, in plain words', () => {
    const host = checkServer({ host: '', port: '22', user: 'u' });
    expect(host).toMatchObject({ ok: false, field: 'host' });
    expect(checkServer({ host: 'ubuntu@10.0.0.1', port: '22', user: 'u' })).toMatchObject({
      ok: false,
      field: 'host',
    });
    expect(checkServer({ host: 'ssh://10.0.0.1', port: '22', user: 'u' })).toMatchObject({
      ok: false,
      field: 'host',
    });
    expect(checkServer({ host: '10.0.0.1', port: '99999', user: 'u' })).toMatchObject({
      ok: false,
      field: 'port',
    });
    expect(checkServer({ host: '10.0.0.1', port: '22', user: '' })).toMatchObject({
      ok: false,
      field: 'user',
    });
    expect(checkServer({ host: '10.0.0.1', port: '22', user: 'a b' })).toMatchObject({
      ok: false,
      field: 'user',
    });
  });
  it('matches saved servers by host (any case), port and user', () => {
    const saved = [
      { host: 'Kafka.Example', port: 22, user: 'ubuntu', hasPassword: true },
      { host: '10.0.0.1', port: 2222, user: 'root', hasPassword: false },
    ];
    expect(sameServer({ host: 'kafka.example', port: 22, user: 'ubuntu' }, saved[0]!)).toBe(true);
    expect(findSaved(saved, { host: 'kafka.example', port: 22, user: 'ubuntu' })).toBe(saved[0]);
    expect(findSaved(saved, { host: '10.0.0.1', port: 22, user: 'root' })).toBeUndefined();
    expect(findSaved(saved, null)).toBeUndefined();
  });
  it('labels a server like ssh does', () => {
    expect(serverLabel(target)).toBe('ubuntu@192.168.1.20');
    expect(serverLabel({ ...target, port: 2222 })).toBe('ubuntu@192.168.1.20:2222');
  });
});

describe('login kinds', () => {
  const withPw = { ...target, hasPassword: true };
  const noPw = { ...target, hasPassword: false };
  it('offers "remembered password" only when that server has one', () => {
    expect(authKindOptions(undefined).map((o) => o.value)).toEqual(['password', 'key', 'agent']);
    expect(authKindOptions(noPw).map((o) => o.value)).toEqual(['password', 'key', 'agent']);
    expect(authKindOptions(withPw).map((o) => o.value)).toEqual([
      'password',
      'key',
      'agent',
      'saved',
    ]);
  });
  it('falls back to password when the remembered one is gone', () => {
    expect(effectiveAuthKind('saved', withPw)).toBe('saved');
    expect(effectiveAuthKind('saved', noPw)).toBe('password');
    expect(effectiveAuthKind('saved', undefined)).toBe('password');
    expect(effectiveAuthKind('key', undefined)).toBe('key');
    expect(defaultAuthKind(withPw)).toBe('saved');
    expect(defaultAuthKind(undefined)).toBe('password');
  });
  it('sudo uses the login password by default for password logins only', () => {
    expect(DEFAULT_LOGIN_FORM.sudoSame).toBe(true);
    expect(asksSudoPassword(DEFAULT_LOGIN_FORM, 'password')).toBe(false);
    expect(asksSudoPassword(DEFAULT_LOGIN_FORM, 'saved')).toBe(false);
    expect(asksSudoPassword({ ...DEFAULT_LOGIN_FORM, sudoSame: false }, 'password')).toBe(true);
    expect(asksSudoPassword(DEFAULT_LOGIN_FORM, 'key')).toBe(true);
    expect(asksSudoPassword(DEFAULT_LOGIN_FORM, 'agent')).toBe(true);
  });
  it('explains why "remember" is off', () => {
    expect(rememberNote('browser', false, 'password')).toBe(REMEMBER_NEEDS_DESKTOP);
    expect(REMEMBER_NEEDS_DESKTOP).toBe(
      'Remembering passwords needs the desktop app (it encrypts them with the system keychain)',
    );
    expect(rememberNote('electron', false, 'password')).toContain('keychain');
    expect(rememberNote('electron', true, 'password')).toBeNull();
    expect(rememberNote('electron', true, 'key')).not.toBeNull();
    expect(rememberNote('electron', true, 'saved')).not.toBeNull();
  });
  it('drops every secret', () => {
    const f: LoginForm = {
      ...DEFAULT_LOGIN_FORM,
      kind: 'key',
      password: 'p',
      key: { name: 'id', text: KEY },
      passphrase: 'x',
      sudoPassword: 's',
    };
    const clean = withoutSecrets(f);
    expect(clean).toMatchObject({
      kind: 'key',
      password: '',
      key: null,
      passphrase: '',
      sudoPassword: '',
    });
  });
});

describe('private key files', () => {
  it('refuses empty and over-64-KiB files before reading them', () => {
    expect(keyFileProblem({ name: 'id', size: 0 })).toContain('empty');
    expect(keyFileProblem({ name: 'big.iso', size: 64 * 1024 + 1 })).toContain('64 KiB');
    expect(keyFileProblem({ name: 'id', size: 64 * 1024 })).toBeNull();
    expect(keyFileProblem({ name: 'id', size: 411 })).toBeNull();
  });
  it('tells public keys, PuTTY keys and non-keys apart', () => {
    expect(keyTextProblem('id_ed25519', KEY)).toBeNull();
    expect(
      keyTextProblem(
        'id_rsa',
        '-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----',
      ),
    ).toBeNull();
    expect(
      keyTextProblem('id_ed25519.pub', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA me@laptop'),
    ).toContain('public key');
    expect(keyTextProblem('k.ppk', 'PuTTY-User-Key-File-3: ssh-ed25519\n')).toContain('PuTTY');
    expect(keyTextProblem('notes.txt', 'hello')).toContain('does not look like a private key');
    expect(keyTextProblem('e', '  ')).toContain('empty');
    expect(keyTextProblem('huge', 'x'.repeat(64 * 1024 + 1))).toContain('64 KiB');
  });
});

describe('buildLogin', () => {
  const opts = { saved: undefined, canRemember: true };
  it('password login: sudo uses it (no sudoPassword sent)', () => {
    const r = buildLogin(target, { ...DEFAULT_LOGIN_FORM, password: 'pw' }, opts);
    expect(r).toEqual({
      ok: true,
      value: { ...target, auth: { kind: 'password', password: 'pw' }, remember: false },
    });
    if (r.ok) expect(SetupLogin.safeParse(r.value).success).toBe(true);
  });
  it('a separate sudo password is required when "same" is unticked', () => {
    const f = { ...DEFAULT_LOGIN_FORM, password: 'pw', sudoSame: false };
    expect(buildLogin(target, f, opts)).toMatchObject({ ok: false, field: 'sudoPassword' });
    const r = buildLogin(target, { ...f, sudoPassword: 'root-pw' }, opts);
    expect(r.ok && r.value.sudoPassword).toBe('root-pw');
  });
  it('asks for the password', () => {
    expect(buildLogin(target, DEFAULT_LOGIN_FORM, opts)).toMatchObject({
      ok: false,
      field: 'password',
    });
    expect(
      buildLogin(target, { ...DEFAULT_LOGIN_FORM, password: 'x'.repeat(1025) }, opts),
    ).toMatchObject({
      ok: false,
      field: 'password',
    });
  });
  it('key login: key text, optional passphrase, optional sudo password', () => {
    const f: LoginForm = { ...DEFAULT_LOGIN_FORM, kind: 'key', key: { name: 'id', text: KEY } };
    const r = buildLogin(target, f, opts);
    expect(r.ok && r.value.auth).toEqual({ kind: 'key', privateKey: KEY });
    expect(r.ok && 'sudoPassword' in r.value).toBe(false);
    const r2 = buildLogin(target, { ...f, passphrase: 'pp', sudoPassword: 'sp' }, opts);
    expect(r2.ok && r2.value.auth).toEqual({ kind: 'key', privateKey: KEY, passphrase: 'pp' });
    expect(r2.ok && r2.value.sudoPassword).toBe('sp');
    expect(buildLogin(target, { ...f, key: null }, opts)).toMatchObject({
      ok: false,
      field: 'key',
    });
    expect(
      buildLogin(target, { ...f, key: { name: 'id.pub', text: 'ssh-rsa AAAAB3 x' } }, opts),
    ).toMatchObject({
      ok: false,
      field: 'key',
    });
  });
  it('agent and remembered password carry no secret', () => {
    expect(buildLogin(target, { ...DEFAULT_LOGIN_FORM, kind: 'agent' }, opts)).toMatchObject({
      ok: true,
      value: { auth: { kind: 'agent' } },
    });
    const saved = { ...target, hasPassword: true };
    const r = buildLogin(
      target,
      { ...DEFAULT_LOGIN_FORM, kind: 'saved' },
      { saved, canRemember: true },
    );
    expect(r).toMatchObject({ ok: true, value: { auth: { kind: 'saved' }, remember: false } });
    expect(r.ok && 'sudoPassword' in r.value).toBe(false);
    // the remembered password is gone: it is a password login again
    expect(buildLogin(target, { ...DEFAULT_LOGIN_FORM, kind: 'saved' }, opts)).toMatchObject({
      ok: false,
      field: 'password',
    });
  });
  it('remembers only passwords, only when the service can', () => {
    const f = { ...DEFAULT_LOGIN_FORM, password: 'pw', remember: true };
    expect(buildLogin(target, f, opts)).toMatchObject({ ok: true, value: { remember: true } });
    expect(buildLogin(target, f, { ...opts, canRemember: false })).toMatchObject({
      ok: true,
      value: { remember: false },
    });
    expect(buildLogin(target, { ...f, kind: 'agent' }, opts)).toMatchObject({
      ok: true,
      value: { remember: false },
    });
  });
  it('passes the confirmed host key', () => {
    const r = buildLogin(
      target,
      { ...DEFAULT_LOGIN_FORM, password: 'pw' },
      { ...opts, trustHostKey: FP },
    );
    expect(r.ok && r.value.trustHostKey).toBe(FP);
    if (r.ok) expect(SetupLogin.safeParse(r.value).success).toBe(true);
  });
});

describe('host keys and login errors', () => {
  it('shows the ssh-keygen command for the key type', () => {
    expect(hostKeyCheckCommand('ssh-ed25519')).toBe(
      'ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub',
    );
    expect(hostKeyCheckCommand('ecdsa-sha2-nistp256')).toBe(
      'ssh-keygen -lf /etc/ssh/ssh_host_ecdsa_key.pub',
    );
    expect(hostKeyCheckCommand('rsa-sha2-512')).toBe(
      'ssh-keygen -lf /etc/ssh/ssh_host_rsa_key.pub',
    );
    expect(hostKeyCheckCommand('ssh-rsa')).toBe('ssh-keygen -lf /etc/ssh/ssh_host_rsa_key.pub');
    expect(hostKeyCheckCommand('whatever')).toBe(
      'ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub',
    );
  });
  it('adds a hint for some error codes only', () => {
    expect(connectErrorHint('SSH_HOST_KEY_CHANGED')).toContain('different key');
    expect(connectErrorHint('SUDO_AUTH_FAILED')).toContain('sudo');
    expect(connectErrorHint('SSH_AUTH_FAILED')).not.toBeNull();
    expect(connectErrorHint(null)).toBeNull();
    expect(connectErrorHint('INTERNAL')).toBeNull();
  });
});

describe('facts', () => {
  it('formats free space in KiB units', () => {
    expect(formatKib(20 * 1024 * 1024)).toBe('20.0 GiB');
    expect(formatKib(512 * 1024)).toBe('512 MiB');
    expect(formatKib(100)).toBe('100 KiB');
    expect(formatKib(null)).toBe('unknown');
  });
  it('a clean server has no warnings', () => {
    expect(factWarnings(facts, '/opt/kafka')).toEqual([]);
  });
  it('rows cover OS, arch, systemd, disk, Java, Kafka, ports, ufw and user', () => {
    const rows = factRows({ ...facts, java: { major: 17, version: '17.0.9' } }, '/opt/kafka');
    const byLabel = Object.fromEntries(rows.map((r) => [r.label, r.value]));
    expect(byLabel['System']).toBe('Ubuntu 22.04.4 LTS — supported');
    expect(byLabel['CPU']).toBe('x86_64');
    expect(byLabel['systemd']).toBe('yes');
    expect(byLabel['Free disk']).toBe('20.0 GiB free');
    expect(byLabel['Java']).toBe('17.0.9 (Java 17)');
    expect(byLabel['Kafka']).toBe('none in /opt/kafka');
    expect(byLabel['Ports in use']).toBe('22, 53');
    expect(byLabel['Firewall (ufw)']).toBe('inactive');
    expect(byLabel['Login user']).toBe('ubuntu');
    const unknown = factRows(
      { ...facts, java: null, ufw: 'absent', portsInUse: null, systemd: null },
      '/opt/kafka',
    );
    const u = Object.fromEntries(unknown.map((r) => [r.label, r.value]));
    expect(u['Java']).toContain('not installed');
    expect(u['Firewall (ufw)']).toBe('not installed');
    expect(u['Ports in use']).toBe('unknown');
    expect(u['systemd']).toBe('unknown');
  });
  it('unsupported OS: the reason, in the row and a warning', () => {
    const f = {
      ...facts,
      os: {
        ...facts.os,
        prettyName: 'CentOS 7',
        supported: false,
        reason: 'CentOS is not Ubuntu or Debian.',
      },
    };
    expect(factRows(f, '/opt/kafka')[0]).toMatchObject({
      tone: 'warn',
      value: expect.stringContaining('CentOS is not Ubuntu'),
    });
    expect(factWarnings(f, '/opt/kafka')[0]).toContain('CentOS 7 is not supported');
  });
  it('warns about ports 9092 and 2181 in use', () => {
    const w = factWarnings({ ...facts, portsInUse: [22, 2181, 9092] }, '/opt/kafka');
    expect(w.some((x) => x.includes('9092') && x.includes('Kafka'))).toBe(true);
    expect(w.some((x) => x.includes('2181') && x.includes('ZooKeeper'))).toBe(true);
  });
  it('existing Kafka: said once, and its ports are explained by it', () => {
    const w = factWarnings({ ...facts, kafkaVersion: '3.9.1', portsInUse: [9092] }, '/opt/kafka');
    expect(w[0]).toContain('Kafka 3.9.1 is already installed in /opt/kafka');
    expect(w[1]).toContain('probably by the Kafka already installed');
  });
  it('low disk (< 1 GiB), no systemd, unknown arch', () => {
    const w = factWarnings(
      { ...facts, diskFreeKb: 500 * 1024, systemd: false, arch: null },
      '/opt/kafka',
    );
    expect(w.some((x) => x.includes('500 MiB') && x.includes('1 GiB'))).toBe(true);
    expect(w.some((x) => x.includes('systemd'))).toBe(true);
    expect(w.some((x) => x.includes('x86_64'))).toBe(true);
    expect(factWarnings({ ...facts, diskFreeKb: 1024 * 1024 }, '/opt/kafka')).toEqual([]);
    expect(factWarnings({ ...facts, diskFreeKb: null }, '/opt/kafka')).toEqual([]);
  });
  it('shortens long port lists', () => {
    expect(describePorts([])).toBe('none');
    expect(describePorts([1, 2, 3, 4], 2)).toBe('1, 2 and 2 more');
  });
  it('describes the service state', () => {
    expect(
      describeService({
        kafka: true,
        zookeeper: false,
        installDir: '/opt/kafka',
        kafkaVersion: '3.9.1',
        mode: 'zookeeper',
      }),
    ).toBe('Kafka 3.9.1 (ZooKeeper) in /opt/kafka: Kafka running; ZooKeeper stopped.');
    expect(
      describeService({
        kafka: false,
        zookeeper: null,
        installDir: '/opt/kafka',
        kafkaVersion: '4.1.1',
        mode: 'kraft',
      }),
    ).toBe('Kafka 4.1.1 (KRaft) in /opt/kafka: Kafka stopped.');
  });
});

describe('mode and version', () => {
  it('the version follows the mode until edited', () => {
    expect(effectiveVersion(DEFAULT_OPTIONS_FORM)).toBe(SETUP_DEFAULTS.kafkaVersion.kraft);
    expect(effectiveVersion({ ...DEFAULT_OPTIONS_FORM, mode: 'zookeeper' })).toBe(
      SETUP_DEFAULTS.kafkaVersion.zookeeper,
    );
    expect(
      effectiveVersion({ ...DEFAULT_OPTIONS_FORM, mode: 'zookeeper', kafkaVersion: '3.8.0' }),
    ).toBe('3.8.0');
  });
  it('defaults: KRaft, the Apache archive, /opt/kafka', () => {
    expect(DEFAULT_OPTIONS_FORM).toMatchObject({
      mode: 'kraft',
      source: 'download',
      mirrorUrl: SETUP_DEFAULTS.mirrorUrl,
      installDir: SETUP_DEFAULTS.installDir,
      zookeeper: 'auto',
    });
  });
  it('checks the version against the mode', () => {
    expect(modeVersionProblem('zookeeper', '4.1.1')).toContain('no ZooKeeper mode');
    expect(modeVersionProblem('zookeeper', '3.9.1')).toBeNull();
    expect(modeVersionProblem('zookeeper', '0.11.0')).toContain('too old');
    expect(modeVersionProblem('kraft', '3.2.0')).toContain('3.3 or newer');
    expect(modeVersionProblem('kraft', '3.3.1')).toBeNull();
    expect(modeVersionProblem('kraft', '4.1.1')).toBeNull();
    expect(modeVersionProblem('kraft', 'latest')).toBeNull();
  });
  it('reads the version from a tarball name', () => {
    expect(tarballVersion('kafka_2.13-4.1.1.tgz')).toBe('4.1.1');
    expect(tarballVersion('kafka_2.12-2.8.2.tar.gz')).toBe('2.8.2');
    expect(tarballVersion('kafka.tgz')).toBeNull();
    expect(isTarballName('kafka_2.13-4.1.1.tgz')).toBe(true);
    expect(isTarballName('x.TAR.GZ')).toBe(true);
    expect(isTarballName('kafka.zip')).toBe(false);
  });
});

describe('buildPlanRequest', () => {
  const none: PickedFile = { kind: 'none' };
  const ctx = { host: '192.168.1.20', facts, tarball: none };
  const form: OptionsForm = DEFAULT_OPTIONS_FORM;

  it('defaults make a valid request', () => {
    const r = buildPlanRequest('sess1', form, ctx);
    expect(r).toEqual({
      ok: true,
      value: {
        sessionId: 'sess1',
        mode: 'kraft',
        kafkaVersion: SETUP_DEFAULTS.kafkaVersion.kraft,
        advertise: '192.168.1.20',
        installDir: '/opt/kafka',
        source: { kind: 'download', mirrorUrl: SETUP_DEFAULTS.mirrorUrl },
        zookeeper: 'auto',
        openFirewall: false,
        secure: null,
      },
    });
    if (r.ok) expect(SetupPlanRequest.safeParse(r.value).success).toBe(true);
  });
  it('TLS + SCRAM login: a generated password, the user and password checked by the service’s rules, never echoed', () => {
    const pw = generateScramPassword();
    expect(pw).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generateScramPassword()).not.toBe(pw);
    const secure: OptionsForm = { ...form, secure: true, scramPassword: pw };
    const r = buildPlanRequest('s', secure, ctx);
    expect(r).toMatchObject({
      ok: true,
      value: { secure: { scramUser: 'kvs-admin', scramPassword: pw } },
    });
    if (r.ok) expect(SetupPlanRequest.safeParse(r.value).success).toBe(true);
    expect(buildPlanRequest('s', { ...secure, scramUser: 'a b' }, ctx)).toMatchObject({
      ok: false,
      field: 'scramUser',
    });
    const weak = buildPlanRequest('s', { ...secure, scramPassword: 'short"pw' }, ctx);
    expect(weak).toMatchObject({ ok: false, field: 'scramPassword' });
    expect(!weak.ok && weak.error).not.toContain('short"pw');
    expect(
      buildPlanRequest('s', { ...secure, scramPassword: 'has a space in it' }, ctx),
    ).toMatchObject({ ok: false, field: 'scramPassword' });
    expect(
      buildPlanRequest('s', { ...secure, mode: 'zookeeper', zookeeper: 'zookeeperd' }, ctx),
    ).toMatchObject({ ok: false, field: 'zookeeper' });
    expect(buildPlanRequest('s', { ...secure, kafkaVersion: '3.4.1' }, ctx)).toMatchObject({
      ok: false,
      field: 'kafkaVersion',
    });
    expect(secureVersionProblem('zookeeper', '2.6.3')).toContain('2.7');
    expect(secureVersionProblem('zookeeper', '3.9.1')).toBeNull();
  });
  it('asks for the advertised address when the host is a name', () => {
    const r = buildPlanRequest('sess1', form, { ...ctx, host: 'kafka.example.com' });
    expect(r).toMatchObject({ ok: false, field: 'advertise' });
    expect(!r.ok && r.error).toContain('advertised.listeners');
    expect(
      buildPlanRequest('sess1', { ...form, advertise: 'kafka.example.com' }, ctx),
    ).toMatchObject({
      ok: false,
      field: 'advertise',
    });
    expect(buildPlanRequest('sess1', { ...form, advertise: '0.0.0.0' }, ctx)).toMatchObject({
      ok: false,
      field: 'advertise',
    });
  });
  it('checks version, mode, folder and mirror with the service’s rules', () => {
    expect(buildPlanRequest('s', { ...form, kafkaVersion: '' }, ctx)).toMatchObject({
      field: 'kafkaVersion',
    });
    expect(buildPlanRequest('s', { ...form, kafkaVersion: '4.1' }, ctx)).toMatchObject({
      field: 'kafkaVersion',
    });
    expect(
      buildPlanRequest('s', { ...form, mode: 'zookeeper', kafkaVersion: '4.1.1' }, ctx),
    ).toMatchObject({
      field: 'kafkaVersion',
    });
    expect(buildPlanRequest('s', { ...form, installDir: '/opt' }, ctx)).toMatchObject({
      field: 'installDir',
    });
    expect(buildPlanRequest('s', { ...form, installDir: 'opt/kafka' }, ctx)).toMatchObject({
      field: 'installDir',
    });
    expect(buildPlanRequest('s', { ...form, mirrorUrl: 'ftp://x' }, ctx)).toMatchObject({
      field: 'mirrorUrl',
    });
    expect(buildPlanRequest('s', { ...form, mirrorUrl: 'https://a.b/x?y' }, ctx)).toMatchObject({
      field: 'mirrorUrl',
    });
  });
  it('zookeeper mode: zookeeperd only where apt offers it', () => {
    const zk = { ...form, mode: 'zookeeper' as const, zookeeper: 'zookeeperd' as const };
    expect(buildPlanRequest('s', zk, ctx)).toMatchObject({
      ok: true,
      value: { mode: 'zookeeper', kafkaVersion: '3.9.1', zookeeper: 'zookeeperd' },
    });
    expect(
      buildPlanRequest('s', zk, { ...ctx, facts: { ...facts, zookeeperdAvailable: false } }),
    ).toMatchObject({
      ok: false,
      field: 'zookeeper',
    });
  });
  it('upload: needs a finished upload, sends its id', () => {
    const up = { ...form, source: 'upload' as const };
    expect(buildPlanRequest('s', up, ctx)).toMatchObject({ ok: false, field: 'tarball' });
    expect(
      buildPlanRequest('s', up, {
        ...ctx,
        tarball: { kind: 'uploading', name: 'k.tgz', loaded: 1, total: 2 },
      }),
    ).toMatchObject({ ok: false, field: 'tarball' });
    const ready: PickedFile = {
      kind: 'ready',
      ref: { videoId: 'file_1', name: 'kafka_2.13-4.1.1.tgz', sizeBytes: 1 },
    };
    expect(buildPlanRequest('s', up, { ...ctx, tarball: ready })).toMatchObject({
      ok: true,
      value: { source: { kind: 'upload', fileId: 'file_1' } },
    });
  });
  it('opens the firewall only when ufw is active and it is ticked', () => {
    const active = { ...ctx, facts: { ...facts, ufw: 'active' as const } };
    expect(buildPlanRequest('s', form, active)).toMatchObject({ value: { openFirewall: true } });
    expect(buildPlanRequest('s', { ...form, openFirewall: false }, active)).toMatchObject({
      value: { openFirewall: false },
    });
    expect(buildPlanRequest('s', form, ctx)).toMatchObject({ value: { openFirewall: false } });
  });
});

describe('install progress', () => {
  it('starts with the plan’s steps plus the check from this computer, all pending', () => {
    const run = startRun(plan);
    expect(run.steps.map((s) => s.stepId)).toEqual(['preflight', 'java', 'start', 'verify']);
    expect(run.steps.every((s) => s.status === 'pending')).toBe(true);
    expect(runProgress(run)).toEqual({ done: 0, total: 4 });
  });
  it('counts changed, unchanged and checked as completed', () => {
    expect(['changed', 'unchanged', 'checked'].every((s) => isCompleted(s as never))).toBe(true);
    expect(['pending', 'running', 'failed', 'cancelled'].some((s) => isCompleted(s as never))).toBe(
      false,
    );
    let run = startRun(plan, 'run1');
    run = applyStep(run, stepEv(0, 'running'));
    expect(runProgress(run)).toEqual({ done: 0, total: 4 });
    run = applyStep(run, stepEv(0, 'changed'));
    run = applyStep(run, stepEv(1, 'unchanged'));
    run = applyStep(run, stepEv(2, 'changed'));
    run = applyStep(run, stepEv(3, 'checked'));
    expect(runProgress(run)).toEqual({ done: 4, total: 4 });
  });
  it('takes titles and errors from events, and grows or shrinks to stepCount', () => {
    let run = startRun(plan, 'run1');
    run = applyStep(
      run,
      stepEv(1, 'failed', { title: 'Install Java 17 (openjdk)', error: 'apt failed' }),
    );
    expect(run.steps[1]).toMatchObject({
      title: 'Install Java 17 (openjdk)',
      status: 'failed',
      error: 'apt failed',
    });
    expect(failedStep(run)?.index).toBe(1);
    expect(applyStep(run, stepEv(0, 'running', { stepCount: 6 })).steps).toHaveLength(6);
    expect(applyStep(run, stepEv(0, 'running', { stepCount: 2 })).steps).toHaveLength(2);
    expect(applyStep(run, stepEv(7, 'running', { stepCount: 0 })).steps).toHaveLength(8);
    expect(applyStep(run, stepEv(-1, 'running'))).toBe(run);
  });
  it('every status has a readable label', () => {
    for (const s of [
      'pending',
      'running',
      'changed',
      'unchanged',
      'checked',
      'failed',
      'cancelled',
    ] as const)
      expect(STATUS_LABELS[s].length).toBeGreaterThan(3);
  });
  it('ending marks a step still running as failed or cancelled', () => {
    const running = applyStep(startRun(plan, 'run1'), stepEv(1, 'running'));
    expect(applyEnded(running, ended({ ok: false, cancelled: true })).steps[1]!.status).toBe(
      'cancelled',
    );
    expect(applyEnded(running, ended({ ok: false })).steps[1]!.status).toBe('failed');
    expect(applyEnded(running, ended()).ended?.ok).toBe(true);
  });
});

describe('log lines', () => {
  it('keeps the last lines and counts what it dropped', () => {
    expect(capLines(['a'], ['b', 'c'], 5)).toEqual({ lines: ['a', 'b', 'c'], dropped: 0 });
    expect(capLines(['a', 'b'], ['c', 'd'], 3)).toEqual({ lines: ['b', 'c', 'd'], dropped: 1 });
    expect(
      capLines(
        [],
        Array.from({ length: 10 }, (_, i) => String(i)),
        3,
      ),
    ).toEqual({ lines: ['7', '8', '9'], dropped: 7 });
  });
  it('a run keeps at most MAX_LOG_LINES (2000)', () => {
    expect(MAX_LOG_LINES).toBe(2000);
    let run: RunView = startRun(plan, 'run1');
    for (let i = 0; i < 25; i++)
      run = applyLog(
        run,
        Array.from({ length: 100 }, (_, j) => `line ${i * 100 + j}`),
      );
    expect(run.log).toHaveLength(2000);
    expect(run.log[0]).toBe('line 500');
    expect(run.log.at(-1)).toBe('line 2499');
    expect(run.droppedLines).toBe(500);
    expect(applyLog(run, [])).toBe(run);
  });
});

describe('RunInbox', () => {
  it('keeps early events per run, in order, and hands them over once', () => {
    const inbox = new RunInbox();
    inbox.push({ type: 'step', ev: stepEv(0, 'running') });
    inbox.push({ type: 'log', ev: { runId: 'run1', lines: ['hello'] } });
    inbox.push({ type: 'log', ev: { runId: 'other', lines: ['x'] } });
    const early = inbox.take('run1');
    expect(early.map((e) => e.type)).toEqual(['step', 'log']);
    expect(inbox.take('run1')).toEqual([]);
    const run = early.reduce(applyRunEvent, startRun(plan, 'run1'));
    expect(run.steps[0]!.status).toBe('running');
    expect(run.log).toEqual(['hello']);
  });
  it('is bounded in runs and in events per run (log batches go first)', () => {
    const inbox = new RunInbox(2, 3);
    for (const id of ['a', 'b', 'c']) inbox.push({ type: 'log', ev: { runId: id, lines: [id] } });
    expect(inbox.size).toBe(2);
    expect(inbox.take('a')).toEqual([]);
    inbox.push({ type: 'step', ev: { ...stepEv(0, 'running'), runId: 'b' } });
    inbox.push({ type: 'log', ev: { runId: 'b', lines: ['2'] } });
    inbox.push({ type: 'ended', ev: ended({ runId: 'b' }) });
    const b = inbox.take('b');
    expect(b).toHaveLength(3);
    expect(b.map((e) => e.type)).toEqual(['step', 'log', 'ended']);
  });
});

describe('resultView', () => {
  const verify = {
    bootstrap: '192.168.1.20:9092',
    brokers: ['192.168.1.20:9092'],
    framesSent: 5,
    framesReceived: 5,
    problem: null,
  };
  it('ok: what runs where, the check numbers, the counts and the bootstrap', () => {
    const v = resultView(
      ended({ changed: 9, unchanged: 2, verify }),
      plan,
      '192.168.1.20',
      startRun(plan),
    );
    expect(v.ok).toBe(true);
    expect(v.headline).toBe('Kafka 4.1.1 (KRaft) is running on 192.168.1.20');
    expect(v.lines.join(' ')).toContain('5 test frames sent, 5 read back');
    expect(v.counts).toBe('9 steps changed something, 2 were already done.');
    expect(v.bootstrap).toBe('192.168.1.20:9092');
    expect(v.error).toBeNull();
    expect(v.secure).toBeNull();
  });
  it('a secure install hands over the profile’s public part and says how clients log in', () => {
    const secure = {
      bootstrap: '192.168.1.20:9092',
      ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      username: 'kvs-admin',
      mechanism: 'SCRAM-SHA-512' as const,
    };
    const v = resultView(ended({ verify, secure }), plan, '192.168.1.20', startRun(plan));
    expect(v.secure).toEqual(secure);
    expect(v.lines.join(' ')).toContain('SASL_SSL and SCRAM-SHA-512 as “kvs-admin”');
    expect(v.bootstrap).toBe('192.168.1.20:9092');
  });
  it('ok without a check falls back to the plan’s bootstrap', () => {
    expect(
      resultView(
        ended(),
        { ...plan, mode: 'zookeeper', kafkaVersion: '3.9.1' },
        'h',
        startRun(plan),
      ),
    ).toMatchObject({
      headline: 'Kafka 3.9.1 (ZooKeeper) is running on h',
      bootstrap: plan.bootstrap,
    });
  });
  it('failed: the message, detail, the failed step and that re-running is safe', () => {
    const run = applyStep(
      startRun(plan, 'run1'),
      stepEv(1, 'failed', { title: 'Install Java 17', error: 'E: Unable to locate package' }),
    );
    const v = resultView(
      ended({
        ok: false,
        changed: 1,
        unchanged: 0,
        error: { code: 'SSH_COMMAND_FAILED', message: 'apt-get failed', detail: 'E: …' },
      }),
      plan,
      'h',
      run,
    );
    expect(v.ok).toBe(false);
    expect(v.error).toEqual({ message: 'apt-get failed', detail: 'E: …' });
    expect(v.lines.join(' ')).toContain('Step 2 failed: Install Java 17.');
    expect(v.lines.join(' ')).toContain('again is safe');
    expect(v.counts).toBe('1 step changed something, 0 were already done.');
    expect(v.bootstrap).toBeNull();
  });
  it('failed without an error payload uses the step’s error; cancelled says so', () => {
    const run = applyStep(startRun(plan, 'run1'), stepEv(0, 'failed', { error: 'disk full' }));
    expect(resultView(ended({ ok: false }), plan, 'h', run).error?.message).toBe('disk full');
    const c = resultView(ended({ ok: false, cancelled: true }), plan, 'h', startRun(plan));
    expect(c.headline).toBe('Install cancelled');
    expect(c.error?.message).toContain('cancelled');
  });
  it('the check from this computer failing is explained', () => {
    const v = resultView(
      ended({
        ok: false,
        verify: {
          ...verify,
          framesReceived: 0,
          problem: 'The broker advertises 10.0.0.5:9092, which this computer cannot reach.',
        },
      }),
      plan,
      'h',
      startRun(plan),
    );
    expect(v.lines.join(' ')).toContain('cannot reach');
  });
});
