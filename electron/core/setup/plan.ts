/**
 * The setup wizard's install plan: a pure function from what the server is (ServerFacts)
 * and what the user chose to an ordered list of steps of remote commands. Nothing here
 * touches the network or the disk; the SSH layer runs the steps.
 *
 * Every remote command is an argv array (or a file to write, or a file to upload), never a
 * shell string. Where a shell is unavoidable (a redirect, a loop, `nohup … &`), the script
 * is one of the fixed texts in SCRIPTS and every value is passed as a positional
 * argument ("$1", "$2", …) after it: `['sh', '-c', SCRIPT, 'sh', value1, value2]`.
 *
 * How a step runs: when it has a `check` and the check exits 0, the step is already done
 * and is skipped; otherwise each `apply` command runs in order (with sudo when `sudo`)
 * and the first failure stops the plan. Running a plan again is safe.
 */
import { KvsError } from '../../shared/errors.js';
import {
  LAYOUT,
  atLeast,
  kafkaSystemdUnit,
  serverProperties,
  zookeeperProperties,
  zookeeperSystemdUnit,
  type KafkaModeChoice,
} from './config.js';
import type { ServerFacts } from './detect.js';
import {
  SetupValidationError,
  validateIPv4,
  validateInstallDir,
  validateKafkaVersion,
  validateLocalPath,
  validateMirrorUrl,
  validateSha512,
  validateUsername,
  type KafkaVersion,
} from '../../shared/setup-validate.js';

export type RemoteCommand =
  | { argv: readonly string[] }
  | { writeFile: { path: string; content: string; mode: number } }
  | { upload: { localPath: string; remotePath: string } };

export interface PlanStep {
  id: string;
  title: string;
  /** One or two sentences for a person: why this step is there. */
  why: string;
  /** Exit status 0 = already done, skip apply. */
  check?: RemoteCommand;
  apply: RemoteCommand[];
  /** Run check and apply as root. */
  sudo: boolean;
}

export type KafkaSource = { kind: 'download'; mirrorUrl: string } | { kind: 'upload'; tarballPath: string };

export interface InstallChoices {
  mode: KafkaModeChoice;
  kafkaVersion: string;
  /** Default /opt/kafka. */
  installDir?: string;
  /** IPv4 clients use to reach the broker (advertised.listeners). */
  advertise: string;
  source: KafkaSource;
  /** SHA-512 of the tarball; without it a download is checked against the mirror's .sha512. */
  sha512?: string;
  /** When ufw is active: allow 9092/tcp. */
  openFirewall?: boolean;
  /** zookeeper mode: 'auto' (default) = zookeeperd when apt has it, else the bundled one. */
  zookeeper?: 'auto' | 'zookeeperd' | 'bundled';
}

/** What is (to be) installed; start/stop/status/uninstall plans take it. */
export interface Installation {
  mode: KafkaModeChoice;
  kafkaVersion: string;
  /** "2.13" (Kafka ≥ 2.4) or "2.12". */
  scala: string;
  installDir: string;
  zookeeper: 'zookeeperd' | 'bundled' | null;
  systemd: boolean;
  javaMajor: number;
  javaPackage: string;
  javaHome: string;
}

export interface InstallPlan {
  kind: 'install';
  installation: Installation;
  steps: PlanStep[];
  /** Things a person should know that are not steps (e.g. which ZooKeeper and why). */
  notes: string[];
}

export interface OperationPlan {
  kind: 'start' | 'stop' | 'status' | 'uninstall' | 'advertise';
  installation: Installation;
  steps: PlanStep[];
  notes: string[];
}

export type SetupPlanReason =
  | 'OS_UNSUPPORTED'
  | 'ARCH_UNSUPPORTED'
  | 'DISK_LOW'
  | 'MODE_VERSION'
  | 'JAVA_UNAVAILABLE'
  | 'PORT_IN_USE'
  | 'EXISTING_KAFKA'
  | 'FACTS_MISSING';

/** The server or the choices rule the install out; `reason` is stable, the message says what to do. */
export class SetupPlanError extends KvsError {
  constructor(
    readonly reason: SetupPlanReason,
    message: string,
  ) {
    super(reason === 'PORT_IN_USE' ? 'PORT_IN_USE' : 'INVALID_ARGUMENT', message);
  }
}

export const DEFAULT_INSTALL_DIR = '/opt/kafka';
/** Free space needed where Kafka goes (tarball + extracted copy + logs to start with). */
export const MIN_FREE_KB = 1024 * 1024;

/** The fixed shell scripts plans may use; values only ever arrive as "$1"… */
export const SCRIPTS = {
  diskFree:
    'd="$1"; while [ ! -d "$d" ]; do d=$(dirname -- "$d"); done; ' +
    'avail=$(df -Pk -- "$d" | awk \'NR==2 {print $4}\'); [ -n "$avail" ] || avail=0; ' +
    'if [ "$avail" -lt "$2" ]; then echo "Only $avail KiB free under $d; Kafka needs $2 KiB." >&2; exit 1; fi',
  packagesInstalled:
    'for p in "$@"; do dpkg-query -W -f=\'${Status}\' "$p" 2>/dev/null | grep -q "install ok installed" || exit 1; done',
  dirsExist: 'for d in "$@"; do [ -d "$d" ] || exit 1; done',
  sameContent: 'printf "%s" "$2" | cmp -s - "$1"',
  verifySha512sum:
    'if ! sha512sum --status -c "$2"; then rm -f -- "$1"; ' +
    'echo "The SHA-512 of $1 does not match; the file was removed, run the step again to fetch it anew." >&2; exit 1; fi',
  verifyApacheSha512:
    'if grep -q ":" "$2"; then expected=$(sed \'s/^[^:]*://\' "$2" | tr -d \' \\t\\r\\n\'); ' +
    'else expected=$(awk \'NR==1 {print $1}\' "$2"); fi; ' +
    'expected=$(printf "%s" "$expected" | tr "A-F" "a-f"); actual=$(sha512sum "$1" | cut -d" " -f1); ' +
    'if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then rm -f -- "$1"; ' +
    'echo "The SHA-512 of $1 does not match $2; the file was removed, run the step again to fetch it anew." >&2; exit 1; fi',
  extract:
    'set -e; if [ -f "$2/$3" ]; then exit 0; fi; ' +
    'if [ -e "$2" ]; then echo "$2 exists but holds no Kafka $3; remove it or choose another install folder." >&2; exit 1; fi; ' +
    'rm -rf -- "$2.partial"; mkdir -p -- "$2.partial"; ' +
    'tar -xzf "$1" -C "$2.partial" --strip-components=1 --no-same-owner; ' +
    'if [ ! -f "$2.partial/$3" ]; then rm -rf -- "$2.partial"; echo "$1 is not the expected Kafka tarball (no $3 inside)." >&2; exit 1; fi; ' +
    'chown -R kafka:kafka -- "$2.partial"; mv -- "$2.partial" "$2"',
  formatKraft:
    'set -e; if [ -f "$3/meta.properties" ]; then exit 0; fi; id=$("$1/bin/kafka-storage.sh" random-uuid); ' +
    'if [ "$4" = standalone ]; then exec "$1/bin/kafka-storage.sh" format -t "$id" -c "$2" --standalone; fi; ' +
    'exec "$1/bin/kafka-storage.sh" format -t "$id" -c "$2"',
  systemdRunning: 'systemctl is-enabled --quiet "$1" && systemctl is-active --quiet "$1"',
  pidAlive: 'pid=$(cat "$1" 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null',
  background:
    'if pid=$(cat "$1" 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then exit 0; fi; ' +
    'pidfile="$1"; logfile="$2"; shift 2; nohup "$@" >> "$logfile" 2>&1 < /dev/null & echo $! > "$pidfile"',
  stopPid:
    'pid=$(cat "$1" 2>/dev/null) || exit 0; case "$pid" in ""|*[!0-9]*) rm -f -- "$1"; exit 0;; esac; ' +
    'if ! kill "$pid" 2>/dev/null; then rm -f -- "$1"; exit 0; fi; i=0; ' +
    'while kill -0 "$pid" 2>/dev/null; do i=$((i+1)); if [ "$i" -ge "$2" ]; then kill -9 "$pid" 2>/dev/null || true; break; fi; sleep 1; done; ' +
    'rm -f -- "$1"',
  waitPorts:
    't="$1"; shift; for p in "$@"; do i=0; until ss -ltn | awk \'{print $4}\' | grep -q ":$p\\$"; do ' +
    'i=$((i+1)); if [ "$i" -ge "$t" ]; then echo "Nothing listens on TCP port $p after $t s; see the logs in /var/log/kafka." >&2; exit 1; fi; sleep 1; done; done',
  ufwAllows: 'ufw status | grep -Eq "^$1(/tcp)?[[:space:]]+ALLOW"',
} as const;

const FIXED = new Set<string>(Object.values(SCRIPTS));
/** True when `script` is one of the fixed SCRIPTS (used by tests to prove no value is in a script). */
export function isFixedScript(script: string): boolean {
  return FIXED.has(script);
}

const argv = (...a: string[]): RemoteCommand => ({ argv: a });
const sh = (script: (typeof SCRIPTS)[keyof typeof SCRIPTS], ...args: string[]): RemoteCommand => ({
  argv: ['sh', '-c', script, 'sh', ...args],
});
const aptInstall = (...pkgs: string[]): RemoteCommand =>
  argv('env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends', ...pkgs);
const asKafka = (env: string[], ...rest: string[]): string[] => ['runuser', '-u', LAYOUT.user, '--', 'env', ...env, ...rest];

/** Java majors a Kafka version runs on, preferred first (Kafka ≤ 2.0's scripts fail on Java 9+; 4.x needs 17). */
export function javaMajorsFor(v: KafkaVersion): number[] {
  if (!atLeast(v, 2, 1)) return [8];
  if (!atLeast(v, 3, 0)) return [11, 8];
  if (!atLeast(v, 4, 0)) return [17, 11];
  return [17];
}

/** OpenJDK majors apt offers per release (main/updates/security pockets). */
export const APT_JAVA: Readonly<Record<string, readonly number[]>> = {
  'ubuntu:16.04': [8],
  'ubuntu:18.04': [8, 11, 17],
  'ubuntu:20.04': [8, 11, 17],
  'ubuntu:22.04': [8, 11, 17],
  'ubuntu:24.04': [8, 11, 17, 21],
  'debian:10': [11],
  'debian:11': [11, 17],
  'debian:12': [17],
};

export interface JavaChoice {
  major: number;
  package: string;
}

/** The Java to install for `kafkaVersion` on `os` (null when apt has none that fits). */
export function javaFor(kafkaVersion: KafkaVersion, os: { id: string | null; versionId: string | null }): JavaChoice | null {
  const available = APT_JAVA[`${os.id ?? ''}:${os.versionId ?? ''}`] ?? [];
  const major = javaMajorsFor(kafkaVersion).find((m) => available.includes(m));
  return major === undefined ? null : { major, package: `openjdk-${major}-jre-headless` };
}

/** Which ZooKeeper: the distribution's zookeeperd when apt has a candidate (or it is installed), else Kafka's own. */
export function chooseZookeeper(
  facts: Pick<ServerFacts, 'zookeeperd' | 'zookeeperdCandidate'>,
  preference: 'auto' | 'zookeeperd' | 'bundled' = 'auto',
): 'zookeeperd' | 'bundled' {
  if (preference === 'bundled') return 'bundled';
  const available = facts.zookeeperd?.installed === true || facts.zookeeperdCandidate !== null;
  if (preference === 'zookeeperd') {
    if (!available) {
      throw new SetupPlanError(
        'MODE_VERSION',
        'apt on this server offers no zookeeperd package; use the ZooKeeper bundled with Kafka instead.',
      );
    }
    return 'zookeeperd';
  }
  return available ? 'zookeeperd' : 'bundled';
}

function scalaFor(v: KafkaVersion): string {
  return atLeast(v, 2, 4) ? '2.13' : '2.12';
}

function tarballName(inst: Pick<Installation, 'scala' | 'kafkaVersion'>): string {
  return `kafka_${inst.scala}-${inst.kafkaVersion}.tgz`;
}

/** Validates the choices against each other and the facts; the Installation the plan builds. */
export function installationFor(facts: ServerFacts, choices: InstallChoices): Installation {
  if (choices.mode !== 'kraft' && choices.mode !== 'zookeeper') {
    throw new SetupValidationError('mode', choices.mode, 'The mode must be kraft or zookeeper.');
  }
  const v = validateKafkaVersion(choices.kafkaVersion);
  const installDir = validateInstallDir(choices.installDir ?? DEFAULT_INSTALL_DIR);
  if (choices.mode === 'zookeeper' && (atLeast(v, 4, 0) || !atLeast(v, 1, 0))) {
    throw new SetupPlanError(
      'MODE_VERSION',
      atLeast(v, 4, 0)
        ? `Kafka ${v.text} has no ZooKeeper mode (Kafka 4 removed it): choose KRaft, or Kafka 3.9.x or older for ZooKeeper.`
        : `Kafka ${v.text} is too old; the setup wizard installs Kafka 1.0 or newer.`,
    );
  }
  if (choices.mode === 'kraft' && !atLeast(v, 3, 3)) {
    throw new SetupPlanError(
      'MODE_VERSION',
      `KRaft needs Kafka 3.3 or newer (4.x preferred), not ${v.text}; choose a newer Kafka or ZooKeeper mode.`,
    );
  }
  if (!facts.os.supported) {
    throw new SetupPlanError('OS_UNSUPPORTED', facts.os.reason ?? 'This Linux distribution is not supported.');
  }
  if (facts.arch === null) {
    throw new SetupPlanError('ARCH_UNSUPPORTED', 'Kafka is installed on x86_64 or aarch64 servers only (uname -m said otherwise).');
  }
  const java = javaFor(v, facts.os);
  if (java === null) {
    throw new SetupPlanError(
      'JAVA_UNAVAILABLE',
      `Kafka ${v.text} needs Java ${javaMajorsFor(v).join(' or ')}, which apt on ${facts.os.prettyName ?? 'this server'} does not offer; choose ${
        atLeast(v, 2, 1) ? 'an older Kafka' : 'Kafka 2.1 or newer'
      } or a newer OS release.`,
    );
  }
  const debArch = facts.arch === 'x86_64' ? 'amd64' : 'arm64';
  return {
    mode: choices.mode,
    kafkaVersion: v.text,
    scala: scalaFor(v),
    installDir,
    zookeeper: choices.mode === 'zookeeper' ? chooseZookeeper(facts, choices.zookeeper ?? 'auto') : null,
    systemd: facts.systemd === true,
    javaMajor: java.major,
    javaPackage: java.package,
    javaHome: `/usr/lib/jvm/java-${java.major}-openjdk-${debArch}`,
  };
}

function kafkaJar(inst: Installation): string {
  return `libs/kafka_${inst.scala}-${inst.kafkaVersion}.jar`;
}

function writeFileStep(id: string, title: string, why: string, path: string, content: string, mode = 0o644): PlanStep {
  return {
    id,
    title,
    why,
    check: sh(SCRIPTS.sameContent, path, content),
    apply: [{ writeFile: { path, content, mode } }],
    sudo: true,
  };
}

/** The ordered install steps. Throws SetupValidationError / SetupPlanError when it can't be done. */
export function buildInstallPlan(facts: ServerFacts, choices: InstallChoices): InstallPlan {
  const inst = installationFor(facts, choices);
  const advertise = validateIPv4(choices.advertise);
  const v = validateKafkaVersion(inst.kafkaVersion);
  const source: KafkaSource =
    choices.source.kind === 'download'
      ? { kind: 'download', mirrorUrl: validateMirrorUrl(choices.source.mirrorUrl) }
      : choices.source.kind === 'upload'
        ? { kind: 'upload', tarballPath: validateLocalPath(choices.source.tarballPath) }
        : ((): never => {
            throw new SetupValidationError('source', choices.source, 'The source must be download or upload.');
          })();
  const sha512 = choices.sha512 === undefined ? undefined : validateSha512(choices.sha512);
  const notes: string[] = [];

  // Preconditions from the facts.
  if (facts.diskFreeKb !== null && facts.diskFreeKb < MIN_FREE_KB) {
    throw new SetupPlanError(
      'DISK_LOW',
      `Only ${Math.floor(facts.diskFreeKb / 1024)} MiB free where ${inst.installDir} goes; Kafka needs at least ${MIN_FREE_KB / 1024} MiB.`,
    );
  }
  if (facts.diskFreeKb === null) notes.push('Free disk space is unknown; it is checked again on the server.');
  if (facts.kafkaVersion !== null && facts.kafkaVersion !== inst.kafkaVersion) {
    throw new SetupPlanError(
      'EXISTING_KAFKA',
      `${inst.installDir} already holds Kafka ${facts.kafkaVersion}; uninstall it first or choose another install folder.`,
    );
  }
  const reinstall = facts.kafkaVersion === inst.kafkaVersion;
  const wanted: Array<[number, string]> = [[LAYOUT.clientPort, 'Kafka']];
  if (inst.mode === 'kraft') wanted.push([LAYOUT.controllerPort, 'the KRaft controller']);
  if (inst.zookeeper === 'bundled' || (inst.zookeeper === 'zookeeperd' && facts.zookeeperd?.installed !== true)) {
    wanted.push([LAYOUT.zookeeperPort, 'ZooKeeper']);
  }
  if (facts.portsInUse === null) notes.push('Listening ports are unknown; a port conflict would show when Kafka starts.');
  for (const [port, who] of wanted) {
    if (facts.portsInUse?.includes(port) === true && !reinstall) {
      throw new SetupPlanError(
        'PORT_IN_USE',
        `TCP port ${port}, which ${who} needs, is already in use on the server; stop what listens there (see \`sudo ss -ltnp\`) and try again.`,
      );
    }
  }
  if (reinstall) notes.push(`Kafka ${inst.kafkaVersion} is already in ${inst.installDir}; finished steps are skipped.`);

  const steps: PlanStep[] = [];
  const tgz = `${LAYOUT.stagingDir}/${tarballName(inst)}`;
  const part = `${tgz}.part`;
  const config = `${inst.installDir}/config`;

  steps.push({
    id: 'preflight',
    title: `Check ${facts.os.prettyName ?? 'the OS'} and free disk space`,
    why: `${facts.os.prettyName ?? 'The OS'} (${facts.arch ?? ''}) is supported; at least ${MIN_FREE_KB / 1024} MiB must be free for the tarball, the extracted Kafka and its first logs.`,
    apply: [sh(SCRIPTS.diskFree, inst.installDir, String(MIN_FREE_KB))],
    sudo: false,
  });

  const packages = [inst.javaPackage];
  if (source.kind === 'download') packages.push('curl');
  if (inst.zookeeper === 'zookeeperd') packages.push('zookeeperd');
  steps.push({
    id: 'apt-update',
    title: 'Refresh the package lists',
    why: `Needed only when one of ${packages.join(', ')} is missing.`,
    check: sh(SCRIPTS.packagesInstalled, ...packages),
    apply: [argv('apt-get', 'update')],
    sudo: true,
  });
  steps.push({
    id: 'java',
    title: `Install Java ${inst.javaMajor} (${inst.javaPackage})`,
    why: atLeast(v, 2, 1)
      ? `Kafka ${v.text} runs on Java ${javaMajorsFor(v).join(' or ')}${atLeast(v, 4, 0) ? ' (Kafka 4 needs 17 on the broker)' : ''}; the services use ${inst.javaHome} whatever \`java\` on PATH is.`
      : `Kafka ${v.text}'s start scripts fail on Java 9 and newer (old GC logging flags), so it gets OpenJDK 8.`,
    check: sh(SCRIPTS.packagesInstalled, inst.javaPackage),
    apply: [aptInstall(inst.javaPackage)],
    sudo: true,
  });
  if (source.kind === 'download') {
    steps.push({
      id: 'curl',
      title: 'Install curl',
      why: 'Kafka is downloaded with curl, which can resume an interrupted download.',
      check: sh(SCRIPTS.packagesInstalled, 'curl'),
      apply: [aptInstall('curl')],
      sudo: true,
    });
  }
  if (inst.zookeeper === 'zookeeperd') {
    notes.push(
      `ZooKeeper comes from the distribution's zookeeperd package (${facts.zookeeperd?.version ?? facts.zookeeperdCandidate ?? 'apt'}), which apt keeps updated; it listens on port 2181 on all interfaces.`,
    );
    steps.push({
      id: 'zookeeper',
      title: 'Install ZooKeeper (zookeeperd)',
      why: 'Kafka in ZooKeeper mode needs a running ZooKeeper on port 2181; the distribution package installs and starts it as a service.',
      check: sh(SCRIPTS.packagesInstalled, 'zookeeperd'),
      apply: [
        aptInstall('zookeeperd'),
        inst.systemd ? argv('systemctl', 'enable', '--now', LAYOUT.zookeeperdUnit) : argv('service', 'zookeeper', 'start'),
      ],
      sudo: true,
    });
  } else if (inst.zookeeper === 'bundled') {
    notes.push('apt offers no zookeeperd here, so the ZooKeeper bundled with Kafka runs as its own service on 127.0.0.1:2181.');
  }
  steps.push({
    id: 'user',
    title: `Create the system user "${LAYOUT.user}"`,
    why: 'Kafka runs as an unprivileged user of its own, not as root.',
    check: argv('id', '-u', validateUsername(LAYOUT.user)),
    apply: [
      argv('useradd', '--system', '--user-group', '--no-create-home', '--home-dir', LAYOUT.stateDir, '--shell', '/usr/sbin/nologin', LAYOUT.user),
    ],
    sudo: true,
  });
  const dirs: string[] = [LAYOUT.stateDir, LAYOUT.dataDir, LAYOUT.logDir];
  if (inst.zookeeper === 'bundled') dirs.push(LAYOUT.zookeeperDataDir);
  steps.push({
    id: 'dirs',
    title: 'Create the data and log folders',
    why: `Messages go to ${LAYOUT.dataDir} and logs to ${LAYOUT.logDir}, owned by ${LAYOUT.user}.`,
    check: sh(SCRIPTS.dirsExist, ...dirs, LAYOUT.stagingDir),
    apply: [
      argv('install', '-d', '-o', LAYOUT.user, '-g', LAYOUT.user, '-m', '0750', ...dirs),
      argv('install', '-d', '-o', 'root', '-g', 'root', '-m', '0755', LAYOUT.stagingDir),
    ],
    sudo: true,
  });

  // Fetch the tarball to <tgz>.part, verify, then rename: an interrupted transfer resumes
  // (curl -C -) and a corrupt one is removed by the verify step, so a re-run starts over.
  const sumFile = `${tgz}.sha512`;
  const verify: RemoteCommand[] =
    sha512 !== undefined
      ? [
          { writeFile: { path: sumFile, content: `${sha512}  ${part}\n`, mode: 0o644 } },
          sh(SCRIPTS.verifySha512sum, part, sumFile),
        ]
      : [];
  if (source.kind === 'download') {
    const url = `${source.mirrorUrl}/kafka/${inst.kafkaVersion}/${tarballName(inst)}`;
    if (sha512 === undefined) {
      verify.push(
        argv('curl', '-fsSL', '--retry', '3', '-o', sumFile, `${url}.sha512`),
        sh(SCRIPTS.verifyApacheSha512, part, sumFile),
      );
      notes.push('No SHA-512 was given: the download is checked against the .sha512 file next to it on the mirror.');
    }
    steps.push({
      id: 'download',
      title: `Download Kafka ${inst.kafkaVersion}`,
      why: `From ${url}; resumable, and verified with SHA-512 before it is used.`,
      check: argv('test', '-f', tgz),
      apply: [argv('curl', '-fL', '--retry', '3', '-C', '-', '-o', part, url), ...verify, argv('mv', '-f', '--', part, tgz)],
      sudo: true,
    });
  } else {
    const user = facts.user === null ? null : validateUsername(facts.user);
    if (user === null) {
      throw new SetupPlanError('FACTS_MISSING', 'The SSH user name is unknown (id -un), so the upload folder cannot be prepared.');
    }
    const uploadDir = `${LAYOUT.stagingDir}/upload`;
    const uploaded = `${uploadDir}/${tarballName(inst)}`;
    steps.push({
      id: 'upload-dir',
      title: 'Prepare the upload folder',
      why: `The tarball is uploaded as ${user} (SFTP has no sudo) into a folder only ${user} can write.`,
      check: argv('test', '-f', tgz),
      apply: [argv('install', '-d', '-o', user, '-m', '0700', uploadDir)],
      sudo: true,
    });
    steps.push({
      id: 'upload',
      title: `Upload Kafka ${inst.kafkaVersion}`,
      why: 'The tarball comes from this computer, for servers without internet access.',
      check: argv('test', '-f', tgz),
      apply: [{ upload: { localPath: source.tarballPath, remotePath: uploaded } }],
      sudo: false,
    });
    if (sha512 === undefined) notes.push('No SHA-512 was given for the uploaded tarball, so it is not verified.');
    steps.push({
      id: 'verify',
      title: 'Verify the uploaded tarball',
      why: sha512 === undefined ? 'Moves it into place.' : 'Checks its SHA-512 before it is used, then moves it into place.',
      check: argv('test', '-f', tgz),
      apply: [argv('mv', '-f', '--', uploaded, part), ...verify, argv('mv', '-f', '--', part, tgz)],
      sudo: true,
    });
  }
  steps.push({
    id: 'extract',
    title: `Unpack Kafka into ${inst.installDir}`,
    why: `Unpacked beside it first and renamed when complete, so a half-unpacked folder never looks installed; owned by ${LAYOUT.user}.`,
    check: argv('test', '-f', `${inst.installDir}/${kafkaJar(inst)}`),
    apply: [sh(SCRIPTS.extract, tgz, inst.installDir, kafkaJar(inst))],
    sudo: true,
  });

  steps.push(
    writeFileStep(
      'server-properties',
      'Write server.properties',
      `Clients are told to connect to ${advertise}:${LAYOUT.clientPort} (advertised.listeners): it must be the address they can reach.`,
      `${config}/server.properties`,
      serverProperties({ mode: inst.mode, kafkaVersion: v, advertise }),
    ),
  );
  if (inst.zookeeper === 'bundled') {
    steps.push(
      writeFileStep(
        'zookeeper-properties',
        'Write zookeeper.properties',
        'The bundled ZooKeeper keeps its data in /var/lib/kafka/zookeeper and only accepts local clients.',
        `${config}/zookeeper.properties`,
        zookeeperProperties(),
      ),
    );
  }
  if (inst.mode === 'kraft') {
    steps.push({
      id: 'format',
      title: 'Format the KRaft storage (once)',
      why: 'A KRaft node needs its storage formatted with a cluster id exactly once; formatting again would fail with "Invalid cluster.id", so it is skipped when meta.properties exists.',
      check: argv('test', '-f', `${LAYOUT.dataDir}/meta.properties`),
      apply: [
        {
          argv: asKafka(
            [`JAVA_HOME=${inst.javaHome}`, `LOG_DIR=${LAYOUT.logDir}`],
            'sh',
            '-c',
            SCRIPTS.formatKraft,
            'sh',
            inst.installDir,
            `${config}/server.properties`,
            LAYOUT.dataDir,
            atLeast(v, 4, 0) ? 'standalone' : 'static',
          ),
        },
      ],
      sudo: true,
    });
  }
  steps.push(...startSteps(inst));

  if (facts.ufw === 'active') {
    steps.push(
      choices.openFirewall === true
        ? {
            id: 'firewall',
            title: `Allow port ${LAYOUT.clientPort}/tcp in ufw`,
            why: 'The ufw firewall is active; clients need to reach Kafka on this port.',
            check: sh(SCRIPTS.ufwAllows, String(LAYOUT.clientPort)),
            apply: [argv('ufw', 'allow', `${LAYOUT.clientPort}/tcp`)],
            sudo: true,
          }
        : {
            id: 'firewall',
            title: `The ufw firewall is active: port ${LAYOUT.clientPort} stays closed`,
            why: `Clients on other machines can't reach Kafka until ${LAYOUT.clientPort}/tcp is allowed (sudo ufw allow ${LAYOUT.clientPort}/tcp), or choose "open the firewall".`,
            apply: [],
            sudo: false,
          },
    );
  }
  steps.push(waitPortsStep(inst));
  return { kind: 'install', installation: inst, steps, notes };
}

/** Kafka (and ZooKeeper) accept connections: a start is only done when clients can connect. */
function waitPortsStep(inst: Installation): PlanStep {
  const listening: number[] = [...(inst.zookeeper === null ? [] : [LAYOUT.zookeeperPort]), LAYOUT.clientPort];
  if (inst.mode === 'kraft') listening.push(LAYOUT.controllerPort);
  return {
    id: 'verify-ports',
    title: 'Check that Kafka listens',
    why: `Waits up to 90 s for TCP port${listening.length > 1 ? 's' : ''} ${listening.join(', ')} to be listening.`,
    apply: [sh(SCRIPTS.waitPorts, '90', ...listening.map(String))],
    sudo: false,
  };
}

function unitPath(name: string): string {
  return `${LAYOUT.unitDir}/${name}`;
}

function zookeeperUnitName(inst: Installation): string | null {
  if (inst.zookeeper === 'bundled') return LAYOUT.bundledZookeeperUnit;
  if (inst.zookeeper === 'zookeeperd') return LAYOUT.zookeeperdUnit;
  return null;
}

/** Units (systemd) or background processes with pid files, then started. */
function startSteps(inst: Installation): PlanStep[] {
  const steps: PlanStep[] = [];
  const zkUnit = zookeeperUnitName(inst);
  const unitOptions = { installDir: inst.installDir, javaHome: inst.javaHome, kafkaVersion: inst.kafkaVersion };
  if (inst.systemd) {
    if (inst.zookeeper === 'bundled') {
      steps.push(
        writeFileStep(
          'zookeeper-unit',
          `Write ${LAYOUT.bundledZookeeperUnit}`,
          'systemd starts the bundled ZooKeeper at boot and restarts it if it fails.',
          unitPath(LAYOUT.bundledZookeeperUnit),
          zookeeperSystemdUnit(unitOptions),
        ),
      );
    }
    steps.push(
      writeFileStep(
        'kafka-unit',
        `Write ${LAYOUT.kafkaUnit}`,
        'systemd starts Kafka at boot (after ZooKeeper in ZooKeeper mode) and restarts it if it fails.',
        unitPath(LAYOUT.kafkaUnit),
        kafkaSystemdUnit({ ...unitOptions, requires: zkUnit }),
      ),
    );
    if (inst.zookeeper === 'bundled') {
      steps.push({
        id: 'start-zookeeper',
        title: 'Enable and start ZooKeeper',
        why: 'Kafka in ZooKeeper mode needs it running first.',
        check: sh(SCRIPTS.systemdRunning, LAYOUT.bundledZookeeperUnit),
        apply: [argv('systemctl', 'daemon-reload'), argv('systemctl', 'enable', '--now', LAYOUT.bundledZookeeperUnit)],
        sudo: true,
      });
    }
    steps.push({
      id: 'start-kafka',
      title: 'Enable and start Kafka',
      why: 'Starts Kafka now and at every boot. (When it is already running it is left alone; use restart to apply a changed configuration.)',
      check: sh(SCRIPTS.systemdRunning, LAYOUT.kafkaUnit),
      apply: [argv('systemctl', 'daemon-reload'), argv('systemctl', 'enable', '--now', LAYOUT.kafkaUnit)],
      sudo: true,
    });
    return steps;
  }
  // No systemd (e.g. a container): background processes with pid files, not restarted at boot.
  const env = (heap: string): string[] => [`JAVA_HOME=${inst.javaHome}`, `LOG_DIR=${LAYOUT.logDir}`, `KAFKA_HEAP_OPTS=${heap}`];
  if (inst.zookeeper === 'bundled') {
    steps.push({
      id: 'start-zookeeper',
      title: 'Start ZooKeeper in the background',
      why: `This server has no systemd, so ZooKeeper runs as a background process (pid in ${LAYOUT.zookeeperPidFile}); it does not start again after a reboot.`,
      check: sh(SCRIPTS.pidAlive, LAYOUT.zookeeperPidFile),
      apply: [
        {
          argv: asKafka(
            env(LAYOUT.zookeeperHeapOpts),
            'sh',
            '-c',
            SCRIPTS.background,
            'sh',
            LAYOUT.zookeeperPidFile,
            LAYOUT.zookeeperOutFile,
            `${inst.installDir}/bin/zookeeper-server-start.sh`,
            `${inst.installDir}/config/zookeeper.properties`,
          ),
        },
      ],
      sudo: true,
    });
  }
  steps.push({
    id: 'start-kafka',
    title: 'Start Kafka in the background',
    why: `This server has no systemd, so Kafka runs as a background process (pid in ${LAYOUT.kafkaPidFile}, output in ${LAYOUT.kafkaOutFile}); it does not start again after a reboot.`,
    check: sh(SCRIPTS.pidAlive, LAYOUT.kafkaPidFile),
    apply: [
      {
        argv: asKafka(
          env(LAYOUT.heapOpts),
          'sh',
          '-c',
          SCRIPTS.background,
          'sh',
          LAYOUT.kafkaPidFile,
          LAYOUT.kafkaOutFile,
          `${inst.installDir}/bin/kafka-server-start.sh`,
          `${inst.installDir}/config/server.properties`,
        ),
      },
    ],
    sudo: true,
  });
  return steps;
}

function checkInstallation(inst: Installation): Installation {
  validateInstallDir(inst.installDir);
  validateKafkaVersion(inst.kafkaVersion);
  if (!/^2\.1[23]$/.test(inst.scala)) throw new SetupValidationError('kafkaVersion', inst.scala, 'Unknown Scala version.');
  if (!/^\/usr\/lib\/jvm\/java-\d{1,2}-openjdk-(amd64|arm64)$/.test(inst.javaHome)) {
    throw new SetupValidationError('installDir', inst.javaHome, 'Unexpected JAVA_HOME.');
  }
  return inst;
}

export function buildStartPlan(installation: Installation): OperationPlan {
  const inst = checkInstallation(installation);
  const steps: PlanStep[] = [];
  const zk = zookeeperUnitName(inst);
  if (inst.systemd) {
    if (zk !== null) {
      steps.push({
        id: 'start-zookeeper',
        title: 'Start ZooKeeper',
        why: 'Kafka in ZooKeeper mode needs it running first.',
        check: argv('systemctl', 'is-active', '--quiet', zk),
        apply: [argv('systemctl', 'start', zk)],
        sudo: true,
      });
    }
    steps.push({
      id: 'start-kafka',
      title: 'Start Kafka',
      why: 'Starts the kafka service.',
      check: argv('systemctl', 'is-active', '--quiet', LAYOUT.kafkaUnit),
      apply: [argv('systemctl', 'start', LAYOUT.kafkaUnit)],
      sudo: true,
    });
  } else {
    if (inst.zookeeper === 'zookeeperd') {
      steps.push({
        id: 'start-zookeeper',
        title: 'Start ZooKeeper',
        why: 'Kafka in ZooKeeper mode needs it running first.',
        apply: [argv('service', 'zookeeper', 'start')],
        sudo: true,
      });
    }
    steps.push(...startSteps(inst));
  }
  steps.push(waitPortsStep(inst));
  return { kind: 'start', installation: inst, steps, notes: [] };
}

export function buildStopPlan(installation: Installation): OperationPlan {
  const inst = checkInstallation(installation);
  const steps: PlanStep[] = [];
  const zk = zookeeperUnitName(inst);
  if (inst.systemd) {
    steps.push({
      id: 'stop-kafka',
      title: 'Stop Kafka',
      why: 'Kafka shuts down cleanly on SIGTERM (up to 2 minutes).',
      apply: [argv('systemctl', 'stop', LAYOUT.kafkaUnit)],
      sudo: true,
    });
    if (zk !== null) {
      steps.push({
        id: 'stop-zookeeper',
        title: 'Stop ZooKeeper',
        why: 'After Kafka, which needs ZooKeeper to shut down cleanly.',
        apply: [argv('systemctl', 'stop', zk)],
        sudo: true,
      });
    }
  } else {
    steps.push({
      id: 'stop-kafka',
      title: 'Stop Kafka',
      why: 'SIGTERM, then SIGKILL after 120 s.',
      apply: [sh(SCRIPTS.stopPid, LAYOUT.kafkaPidFile, '120')],
      sudo: true,
    });
    if (inst.zookeeper === 'bundled') {
      steps.push({
        id: 'stop-zookeeper',
        title: 'Stop ZooKeeper',
        why: 'After Kafka, which needs ZooKeeper to shut down cleanly.',
        apply: [sh(SCRIPTS.stopPid, LAYOUT.zookeeperPidFile, '60')],
        sudo: true,
      });
    } else if (inst.zookeeper === 'zookeeperd') {
      steps.push({
        id: 'stop-zookeeper',
        title: 'Stop ZooKeeper',
        why: 'After Kafka, which needs ZooKeeper to shut down cleanly.',
        apply: [argv('service', 'zookeeper', 'stop')],
        sudo: true,
      });
    }
  }
  return { kind: 'stop', installation: inst, steps, notes: [] };
}

/** Commands whose output shows the state; each exits 0 when that part is up. */
/**
 * The connection doctor's "Fix on server": rewrite server.properties so advertised.listeners names
 * `advertise` (what clients can reach), then restart Kafka only. The file is the one the wizard
 * wrote (same generator), so nothing else in it changes.
 */
export function buildAdvertisePlan(installation: Installation, advertise: string): OperationPlan {
  const inst = checkInstallation(installation);
  const ip = validateIPv4(advertise);
  const v = validateKafkaVersion(inst.kafkaVersion);
  const steps: PlanStep[] = [
    writeFileStep(
      'server-properties',
      `Set advertised.listeners=PLAINTEXT://${ip}:${LAYOUT.clientPort}`,
      'Clients are sent to the advertised address after their first connection: it must be one they can reach.',
      `${inst.installDir}/config/server.properties`,
      serverProperties({ mode: inst.mode, kafkaVersion: v, advertise: ip }),
    ),
    ...buildStopPlan(inst).steps.filter((st) => st.id === 'stop-kafka'),
    ...buildStartPlan(inst).steps.filter((st) => !st.id.includes('zookeeper')),
  ];
  return { kind: 'advertise', installation: inst, steps, notes: [] };
}

export function buildStatusPlan(installation: Installation): OperationPlan {
  const inst = checkInstallation(installation);
  const zk = zookeeperUnitName(inst);
  const steps: PlanStep[] = [];
  if (inst.systemd) {
    if (zk !== null) {
      steps.push({ id: 'zookeeper', title: 'Is ZooKeeper running?', why: `systemd unit ${zk}.`, apply: [argv('systemctl', 'is-active', zk)], sudo: false });
    }
    steps.push({ id: 'kafka', title: 'Is Kafka running?', why: `systemd unit ${LAYOUT.kafkaUnit}.`, apply: [argv('systemctl', 'is-active', LAYOUT.kafkaUnit)], sudo: false });
  } else {
    if (inst.zookeeper === 'bundled') {
      steps.push({ id: 'zookeeper', title: 'Is ZooKeeper running?', why: `pid in ${LAYOUT.zookeeperPidFile}.`, apply: [sh(SCRIPTS.pidAlive, LAYOUT.zookeeperPidFile)], sudo: true });
    }
    steps.push({ id: 'kafka', title: 'Is Kafka running?', why: `pid in ${LAYOUT.kafkaPidFile}.`, apply: [sh(SCRIPTS.pidAlive, LAYOUT.kafkaPidFile)], sudo: true });
  }
  steps.push({ id: 'ports', title: 'Listening ports', why: 'Kafka listens on 9092 (and 9093 for KRaft, 2181 for ZooKeeper).', apply: [argv('ss', '-ltn')], sudo: false });
  return { kind: 'status', installation: inst, steps, notes: [] };
}

/**
 * Stops and removes Kafka (and the bundled ZooKeeper's unit). Data in /var/lib/kafka and
 * logs are removed only with removeData, which also removes the kafka user. Java and
 * zookeeperd stay installed (other software may use them).
 */
export function buildUninstallPlan(installation: Installation, options: { removeData?: boolean } = {}): OperationPlan {
  const inst = checkInstallation(installation);
  const steps: PlanStep[] = [...buildStopPlan(inst).steps];
  if (inst.systemd) {
    const units = [LAYOUT.kafkaUnit, ...(inst.zookeeper === 'bundled' ? [LAYOUT.bundledZookeeperUnit] : [])];
    steps.push({
      id: 'remove-units',
      title: 'Remove the systemd units',
      why: 'So nothing starts Kafka at boot.',
      apply: [
        argv('systemctl', 'disable', ...units),
        argv('rm', '-f', '--', ...units.map(unitPath)),
        argv('systemctl', 'daemon-reload'),
      ],
      sudo: true,
    });
  }
  steps.push({
    id: 'remove-kafka',
    title: `Remove ${inst.installDir}`,
    why: 'The Kafka program files and the downloaded tarball.',
    apply: [argv('rm', '-rf', '--', inst.installDir, `${inst.installDir}.partial`, LAYOUT.stagingDir)],
    sudo: true,
  });
  const notes = ['Java and zookeeperd (if installed) are left in place; remove them with apt if nothing else uses them.'];
  if (options.removeData === true) {
    steps.push({
      id: 'remove-data',
      title: 'Remove Kafka data, logs and the kafka user',
      why: 'Deletes every topic and message stored on this server.',
      apply: [argv('rm', '-rf', '--', LAYOUT.stateDir, LAYOUT.logDir), argv('userdel', LAYOUT.user)],
      sudo: true,
    });
  } else {
    notes.push(`Data in ${LAYOUT.stateDir} and logs in ${LAYOUT.logDir} are kept.`);
  }
  return { kind: 'uninstall', installation: inst, steps, notes };
}
