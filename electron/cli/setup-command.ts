/**
 * `kvs setup` (install Kafka on a server over SSH) and `kvs server start|stop|status|uninstall`.
 * Passwords come from stdin only (first line: SSH password, next: sudo password) and are
 * never printed; `--tls-scram`'s SCRAM password from an environment variable or a file.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { KvsError } from '../shared/errors.js';
import { SETUP_DEFAULTS } from '../shared/contract.js';
import {
  detectServer,
  installedIn,
  queryStatus,
  runPlan,
  verifyFromLaptop,
  type StepEvent,
} from '../core/setup/executor.js';
import { renderPlan } from '../core/setup/dry-run.js';
import { buildInstallPlan } from '../core/setup/install-plan.js';
import type { SecureChoice } from '../core/setup/plan-types.js';
import { readCaCertificate } from '../core/setup/secure-install.js';
import { DEFAULT_INSTALL_DIR } from '../core/setup/scripts.js';
import { buildStartPlan, buildStopPlan } from '../core/setup/service-plans.js';
import { buildUninstallPlan } from '../core/setup/uninstall-plan.js';
import { parseCommand, requireOption, type CommandSpec, type DocumentedOptions } from './args.js';
import type { CliIo } from './cli-io.js';
import { LOGIN_NOTE, LOGIN_OPTIONS, login, toKvs } from './ssh-login.js';

export const SETUP = {
  usage: 'kvs setup --host <ip> --user <name>',
  summary:
    'Install Kafka (KRaft or ZooKeeper mode) on an Ubuntu server over SSH, then check it from here.',
  maxPositionals: 0,
  options: {
    ...LOGIN_OPTIONS,
    mode: {
      type: 'string',
      value: 'kraft|zookeeper',
      help: 'KRaft (Kafka 4.x, default) or ZooKeeper mode (Kafka 3.9)',
    },
    'kafka-version': {
      type: 'string',
      value: 'V',
      help: "the Kafka version (default: the mode's)",
    },
    'kafka-tarball': {
      type: 'string',
      value: '<file>',
      help: 'install from this Kafka .tgz, uploaded from here',
    },
    'kafka-url': {
      type: 'string',
      value: '<mirror>',
      help: 'download from this Apache mirror (default: archive.apache.org)',
    },
    advertise: {
      type: 'string',
      value: '<ip>',
      help: 'the address clients bootstrap from (default: --host)',
    },
    zookeeper: {
      type: 'string',
      value: 'auto|zookeeperd|bundled',
      help: 'which ZooKeeper, in ZooKeeper mode',
    },
    'tls-scram': {
      type: 'boolean',
      help: 'TLS + SCRAM login: a CA and certificate made on the server, SASL_SSL for clients',
    },
    'scram-user': {
      type: 'string',
      value: '<name>',
      help: 'with --tls-scram: the first SCRAM-SHA-512 user (required)',
    },
    'scram-password-env': {
      type: 'string',
      value: 'NAME',
      help: "with --tls-scram: that user's password, from this environment variable",
    },
    'scram-password-file': {
      type: 'string',
      value: '<file>',
      help: "with --tls-scram: that user's password, from this file's first line",
    },
    'dry-run': { type: 'boolean', help: 'print every step and command, run nothing' },
  },
  notes: [
    LOGIN_NOTE,
    'The SCRAM password comes from an environment variable or a file, never from the command line; it reaches the server on stdin. With --json the last line carries the CA certificate and the user for a connection profile.',
  ],
} as const satisfies CommandSpec<DocumentedOptions>;

/** --tls-scram's user and password (the password from --scram-password-env or -file only). */
async function secureOptions(values: {
  'tls-scram'?: boolean;
  'scram-user'?: string;
  'scram-password-env'?: string;
  'scram-password-file'?: string;
}): Promise<SecureChoice | undefined> {
  const given =
    values['scram-user'] !== undefined ||
    values['scram-password-env'] !== undefined ||
    values['scram-password-file'] !== undefined;
  if (values['tls-scram'] !== true) {
    if (given)
      throw new KvsError(
        'INVALID_ARGUMENT',
        '--scram-user and --scram-password-env/-file go with --tls-scram.',
      );
    return undefined;
  }
  const scramUser = requireOption(values['scram-user'], 'scram-user', 'kvs-admin');
  const envName = values['scram-password-env'];
  const file = values['scram-password-file'];
  if ((envName === undefined) === (file === undefined))
    throw new KvsError(
      'INVALID_ARGUMENT',
      '--tls-scram needs the password from exactly one of --scram-password-env NAME or --scram-password-file <file> (never on the command line).',
    );
  let scramPassword: string;
  if (envName !== undefined) {
    const v = process.env[envName];
    if (v === undefined || v === '')
      throw new KvsError(
        'INVALID_ARGUMENT',
        `--scram-password-env: the environment variable ${envName} is not set.`,
      );
    scramPassword = v;
  } else {
    let text: string;
    try {
      text = await readFile(file ?? '', 'utf8');
    } catch (e) {
      throw new KvsError(
        'FILE_NOT_FOUND',
        `--scram-password-file: ${file ?? ''} cannot be read (${e instanceof Error ? e.message : String(e)}).`,
      );
    }
    scramPassword = text.split(/\r?\n/)[0] ?? '';
  }
  return { scramUser, scramPassword };
}

export const SERVER = {
  usage: 'kvs server start|stop|status|uninstall --host <ip> --user <name>',
  summary: 'Start, stop, ask about or remove the Kafka that kvs setup installed.',
  maxPositionals: 1,
  options: {
    ...LOGIN_OPTIONS,
    'remove-data': { type: 'boolean', help: "with uninstall: also delete the topics' data" },
  },
  notes: [LOGIN_NOTE],
} as const satisfies CommandSpec<DocumentedOptions>;

function stepLine(io: CliIo, json: boolean): (e: StepEvent) => void {
  return (e) => {
    if (e.status === 'running') return;
    const line = `[${e.status}] ${e.title}${e.status === 'failed' && e.error ? `: ${e.error}` : ''}`;
    if (json) io.err(`${line}\n`);
    else io.out(line);
  };
}

export async function setupCommand(
  argv: string[],
  io: CliIo,
  signal: AbortSignal,
): Promise<number> {
  const { values } = parseCommand(SETUP, argv);
  const mode = values.mode ?? 'kraft';
  if (mode !== 'kraft' && mode !== 'zookeeper')
    throw new KvsError('INVALID_ARGUMENT', `--mode must be kraft or zookeeper, got "${mode}".`);
  const kafkaVersion = values['kafka-version'] ?? SETUP_DEFAULTS.kafkaVersion[mode];
  if (values['kafka-tarball'] !== undefined && values['kafka-url'] !== undefined) {
    throw new KvsError(
      'INVALID_ARGUMENT',
      'Choose either --kafka-tarball or --kafka-url, not both.',
    );
  }
  const installDir = values['install-dir'] ?? DEFAULT_INSTALL_DIR;
  const advertise = values.advertise ?? requireOption(values.host, 'host', '10.0.0.5');
  const json = values.json === true;
  const zookeeper = values.zookeeper ?? 'auto';
  if (zookeeper !== 'auto' && zookeeper !== 'zookeeperd' && zookeeper !== 'bundled') {
    throw new KvsError(
      'INVALID_ARGUMENT',
      `--zookeeper must be auto, zookeeperd or bundled, got "${zookeeper}".`,
    );
  }

  const secure = await secureOptions(values);

  const { session, sudoPassword } = await login(values, io);
  try {
    const facts = await detectServer(session, installDir, {
      ...(sudoPassword ? { sudoPassword } : {}),
      signal,
    });
    const plan = buildInstallPlan(facts, {
      mode,
      kafkaVersion,
      installDir,
      advertise,
      zookeeper,
      ...(secure === undefined ? {} : { secure }),
      source:
        values['kafka-tarball'] !== undefined
          ? { kind: 'upload', tarballPath: path.resolve(values['kafka-tarball']) }
          : { kind: 'download', mirrorUrl: values['kafka-url'] ?? SETUP_DEFAULTS.mirrorUrl },
    });
    if (values['dry-run']) {
      for (const line of renderPlan(plan, { maxScriptLength: 80 })) io.out(line);
      if (json)
        io.out(
          JSON.stringify({
            ok: true,
            dryRun: true,
            mode,
            kafkaVersion: plan.installation.kafkaVersion,
            steps: plan.steps.length,
          }),
        );
      return 0;
    }
    const result = await runPlan(session, plan, {
      ...(sudoPassword ? { sudoPassword } : {}),
      signal,
      onStep: stepLine(io, json),
    });
    // A secure install: its CA, read back from the server, and its login for the check from here.
    const profile =
      plan.secure === null || secure === undefined
        ? null
        : {
            bootstrap: `${advertise}:${SETUP_DEFAULTS.kafkaPort}`,
            ca: await readCaCertificate(session, plan.secure.caPath, {
              ...(sudoPassword ? { sudoPassword } : {}),
              signal,
            }),
            username: plan.secure.scramUser,
            mechanism: plan.secure.mechanism,
          };
    const verify = await verifyFromLaptop({
      advertise,
      signal,
      ...(profile === null || secure === undefined
        ? {}
        : {
            security: {
              protocol: 'SASL_SSL',
              tls: { ca: profile.ca, client: null, verifyHostname: true },
              sasl: {
                mechanism: profile.mechanism,
                username: profile.username,
                password: secure.scramPassword,
              },
            },
          }),
    });
    if (!verify.ok)
      throw new KvsError(
        'KAFKA_ERROR',
        `Kafka is running but the check from this computer failed: ${verify.problem ?? 'unknown problem'}`,
      );
    const summary = `Kafka ${plan.installation.kafkaVersion} (${mode}) is ready: ${verify.framesReceived}/${verify.framesSent} test frames went through ${verify.bootstrap}.`;
    if (json) {
      io.err(`${summary}\n`);
      io.out(
        JSON.stringify({
          ok: true,
          bootstrap: verify.bootstrap,
          mode,
          kafkaVersion: plan.installation.kafkaVersion,
          changed: result.changed,
          unchanged: result.unchanged + result.checked,
          secure: profile,
        }),
      );
    } else {
      io.out(summary);
      io.out(`Bootstrap: ${verify.bootstrap}`);
      if (profile !== null) {
        io.out(
          `Log in with SASL_SSL, SCRAM-SHA-512, user ${profile.username}; trust this CA (the server keeps it in ${plan.secure?.caPath ?? ''}):`,
        );
        io.out(profile.ca.trimEnd());
      }
    }
    return 0;
  } catch (e) {
    throw toKvs(e);
  } finally {
    await session.close().catch(() => undefined);
  }
}

export async function serverCommand(
  argv: string[],
  io: CliIo,
  signal: AbortSignal,
): Promise<number> {
  const { values, positionals } = parseCommand(SERVER, argv);
  const action = positionals[0];
  if (action !== 'start' && action !== 'stop' && action !== 'status' && action !== 'uninstall') {
    throw new KvsError(
      'INVALID_ARGUMENT',
      `Choose what to do: kvs server start|stop|status|uninstall --host … --user …${action ? ` (not "${action}")` : ''}.`,
    );
  }
  const installDir = values['install-dir'] ?? DEFAULT_INSTALL_DIR;
  const json = values.json === true;
  const { session, sudoPassword } = await login(values, io);
  try {
    const facts = await detectServer(session, installDir, {
      ...(sudoPassword ? { sudoPassword } : {}),
      signal,
    });
    const inst = await installedIn(session, facts, installDir);
    if (action === 'status') {
      const up = await queryStatus(session, inst, {
        ...(sudoPassword ? { sudoPassword } : {}),
        signal,
      });
      const parts: Record<string, boolean> = {
        ...(up.zookeeper === null ? {} : { zookeeper: up.zookeeper }),
        kafka: up.kafka,
      };
      for (const [name, running] of Object.entries(parts))
        (json ? (l: string) => io.err(`${l}\n`) : io.out)(
          `${name}: ${running ? 'running' : 'stopped'}`,
        );
      if (json)
        io.out(
          JSON.stringify({
            ok: true,
            installDir,
            kafkaVersion: inst.kafkaVersion,
            mode: inst.mode,
            ...parts,
          }),
        );
      return 0;
    }
    const plan =
      action === 'start'
        ? buildStartPlan(inst)
        : action === 'stop'
          ? buildStopPlan(inst)
          : buildUninstallPlan(inst, { removeData: values['remove-data'] === true });
    const result = await runPlan(session, plan, {
      ...(sudoPassword ? { sudoPassword } : {}),
      signal,
      onStep: stepLine(io, json),
    });
    if (json)
      io.out(
        JSON.stringify({
          ok: true,
          action,
          changed: result.changed,
          unchanged: result.unchanged + result.checked,
        }),
      );
    else io.out(`Done: ${action} (${result.changed} changed).`);
    return 0;
  } catch (e) {
    throw toKvs(e);
  } finally {
    await session.close().catch(() => undefined);
  }
}
