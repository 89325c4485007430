/**
 * What the setup wizard learns about a server, parsed from the output of a few read-only
 * commands (DETECTION_COMMANDS). Every parser is total: it never throws, and what it
 * cannot read becomes null ("unknown"), never a guess.
 */
export type OsFamily = 'ubuntu' | 'debian';

export interface OsInfo {
  /** ID from /etc/os-release, e.g. "ubuntu"; null when unreadable. */
  id: string | null;
  /** VERSION_ID, e.g. "22.04" or "12". */
  versionId: string | null;
  prettyName: string | null;
  /** VERSION_CODENAME (or UBUNTU_CODENAME), e.g. "jammy". */
  codename: string | null;
  supported: boolean;
  /** Why it is not supported (null when supported). */
  reason: string | null;
}

export type Arch = 'x86_64' | 'aarch64';
export type UfwState = 'active' | 'inactive' | 'absent';

export interface JavaInfo {
  /** 8 for "1.8.0_392", 17 for "17.0.9". */
  major: number;
  version: string;
}

export interface ZookeeperdInfo {
  installed: boolean;
  version: string | null;
}

export interface ServerFacts {
  os: OsInfo;
  arch: Arch | null;
  /** PID 1 is systemd. */
  systemd: boolean | null;
  /** Free KiB on the install folder's file system (df -Pk). */
  diskFreeKb: number | null;
  /** The `java` on PATH, null when absent or unreadable. */
  java: JavaInfo | null;
  /** Kafka version already in the install folder, null when none. */
  kafkaVersion: string | null;
  /** dpkg status of zookeeperd. */
  zookeeperd: ZookeeperdInfo | null;
  /** apt's candidate version of zookeeperd, null when apt has none. */
  zookeeperdCandidate: string | null;
  /** TCP ports something listens on, sorted; null when unknown. */
  portsInUse: readonly number[] | null;
  ufw: UfwState | null;
  /** The SSH login user (`id -un`). */
  user: string | null;
}

export const SUPPORTED_OS: Readonly<Record<OsFamily, readonly string[]>> = {
  ubuntu: ['16.04', '18.04', '20.04', '22.04', '24.04'],
  debian: ['10', '11', '12'],
};

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0]) {
    return t.slice(1, -1).replace(/\\(["$`\\])/g, '$1');
  }
  return t;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** /etc/os-release → OsInfo. Ubuntu 16.04–24.04 (LTS) and Debian 10–12 are supported. */
export function parseOsRelease(output: unknown): OsInfo {
  const fields = new Map<string, string>();
  for (const line of text(output).split(/\r?\n/)) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) fields.set(m[1], unquote(m[2]));
  }
  const id = fields.get('ID')?.toLowerCase() || null;
  const versionId = fields.get('VERSION_ID') || null;
  const prettyName = fields.get('PRETTY_NAME') || null;
  const codename = fields.get('VERSION_CODENAME') || fields.get('UBUNTU_CODENAME') || null;
  const base = { id, versionId, prettyName, codename };
  if (id === null) {
    return {
      ...base,
      supported: false,
      reason: 'Could not read /etc/os-release, so the Linux distribution is unknown.',
    };
  }
  const name = prettyName ?? `${id} ${versionId ?? ''}`.trim();
  if (id !== 'ubuntu' && id !== 'debian') {
    const like = fields.get('ID_LIKE') ?? '';
    return {
      ...base,
      supported: false,
      reason: `${name} is not supported: the setup wizard installs on Ubuntu 16.04–24.04 or Debian 10–12${
        /\b(debian|ubuntu)\b/.test(like) ? ' (derivatives are not tested)' : ''
      }.`,
    };
  }
  const versions = SUPPORTED_OS[id];
  if (versionId === null || !versions.includes(versionId)) {
    return {
      ...base,
      supported: false,
      reason: `${name} is not supported: on ${id === 'ubuntu' ? 'Ubuntu' : 'Debian'} the setup wizard supports ${versions.join(', ')}${
        id === 'ubuntu' ? ' (LTS releases)' : ''
      }.`,
    };
  }
  return { ...base, supported: true, reason: null };
}

/** `uname -m` → x86_64 | aarch64 (amd64/arm64 spellings accepted); null otherwise. */
export function parseUnameMachine(output: unknown): Arch | null {
  const m = text(output).trim().toLowerCase();
  if (m === 'x86_64' || m === 'amd64') return 'x86_64';
  if (m === 'aarch64' || m === 'arm64') return 'aarch64';
  return null;
}

/** `ps -p 1 -o comm=` → true when PID 1 is systemd; null when there is no answer. */
export function parseInitComm(output: unknown): boolean | null {
  const m = text(output).trim();
  if (m === '') return null;
  return m === 'systemd' || m.endsWith('/systemd');
}

/** `df -Pk <dir>` → available KiB (4th column of the data line); null when unreadable. */
export function parseDfAvailableKb(output: unknown): number | null {
  const lines = text(output)
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '' && !/^Filesystem\b/.test(l));
  const last = lines.at(-1);
  if (last === undefined) return null;
  // The file system name may contain spaces; count columns from the right (… avail use% mount).
  const m = /\s(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s+\/.*$/.exec(last);
  const avail = m?.[3];
  return avail === undefined ? null : Number(avail);
}

/** `java -version` (stderr) → major + version; "1.8.0_392" → 8. Null when no version is found. */
export function parseJavaVersion(output: unknown): JavaInfo | null {
  const m = /(?:openjdk|java) version "((\d+)(?:\.(\d+))?[^"]*)"/.exec(text(output));
  if (m?.[1] === undefined || m[2] === undefined) return null;
  const first = Number(m[2]);
  const major = first === 1 && m[3] !== undefined ? Number(m[3]) : first;
  return Number.isFinite(major) && major > 0 ? { major, version: m[1] } : null;
}

/**
 * The Kafka version in an install folder, from `ls <dir>/libs` (a kafka_<scala>-<v>.jar)
 * or from the kvs-dist.properties marker (kafka.version=<v>). Null when neither is there.
 */
export function parseKafkaVersion(output: unknown): string | null {
  const s = text(output);
  const marker = /^kafka\.version=(\d+\.\d+\.\d+)\s*$/m.exec(s);
  if (marker?.[1] !== undefined) return marker[1];
  const jar = /(?:^|[\s/])kafka_2\.\d+-(\d+\.\d+\.\d+)\.jar\b/m.exec(s);
  return jar?.[1] ?? null;
}

/**
 * `dpkg-query -W -f='${Status} ${Version}\n' zookeeperd` (or `dpkg -s zookeeperd`) →
 * installed?/version. "not installed"/"no packages found" → installed false.
 */
export function parseDpkgStatus(output: unknown): ZookeeperdInfo | null {
  const s = text(output);
  if (s.trim() === '') return null;
  if (/no packages found|is not installed|not-installed|no information is available/i.test(s)) {
    return { installed: false, version: null };
  }
  const long = /^Status:\s*(.+)$/m.exec(s);
  if (long?.[1] !== undefined) {
    const installed = /\binstall ok installed\b/.test(long[1]);
    const version = /^Version:\s*(\S+)/m.exec(s)?.[1] ?? null;
    return { installed, version: installed ? version : null };
  }
  const short = /^\s*(\S+ \S+ \S+)(?:\s+(\S+))?\s*$/m.exec(s);
  if (short?.[1] !== undefined) {
    const installed = short[1] === 'install ok installed';
    return { installed, version: installed ? (short[2] ?? null) : null };
  }
  return null;
}

/**
 * `ss -ltnH` (or `ss -ltn` with its header: Ubuntu 16.04's ss has no -H) → sorted set of
 * listening TCP ports. Null when the output has no line at all that could be read.
 */
export function parseListeningPorts(output: unknown): number[] | null {
  const ports = new Set<number>();
  let readable = false;
  for (const line of text(output).split(/\r?\n/)) {
    const tokens = line.trim().split(/\s+/);
    if (
      tokens[0] === undefined ||
      tokens[0] === '' ||
      tokens[0] === 'State' ||
      tokens[0] === 'Netid'
    )
      continue;
    for (const token of tokens) {
      const m = /^(?:\[[^\]]*\]|[^\s]*?):(\d{1,5})$/.exec(token);
      if (m?.[1] !== undefined) {
        const port = Number(m[1]);
        if (port >= 1 && port <= 65535) ports.add(port);
        readable = true;
        break; // the first address:port is the local one; the peer is *:* or 0.0.0.0:*
      }
    }
  }
  return readable || text(output).trim() === '' ? [...ports].sort((a, b) => a - b) : null;
}

/** `ufw status` → active | inactive | absent (command not found); null for anything else (e.g. not root). */
export function parseUfwStatus(output: unknown): UfwState | null {
  const s = text(output);
  const m = /^Status:\s*(active|inactive)\b/im.exec(s);
  if (m?.[1] !== undefined) return m[1].toLowerCase() === 'active' ? 'active' : 'inactive';
  if (/ufw: (command )?not found|No such file or directory|command not found/i.test(s))
    return 'absent';
  return null;
}

/** `apt-cache policy zookeeperd` → the candidate version, null when "(none)" or unknown. */
export function parseAptCandidate(output: unknown): string | null {
  const m = /^\s*Candidate:\s*(\S+)\s*$/m.exec(text(output));
  if (m?.[1] === undefined || m[1] === '(none)') return null;
  return m[1];
}

/** `id -un` → the user name when it looks like one. */
export function parseUser(output: unknown): string | null {
  const s = text(output).trim();
  return /^[a-z_][a-z0-9_-]{0,31}\$?$/.test(s) ? s : null;
}

export type FactKey =
  | 'osRelease'
  | 'arch'
  | 'init'
  | 'disk'
  | 'java'
  | 'kafka'
  | 'zookeeperd'
  | 'zookeeperdPolicy'
  | 'ports'
  | 'ufw'
  | 'user';

/** Output of one detection command: stdout and stderr are both looked at (java -version prints on stderr). */
export interface CommandOutput {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/**
 * Read-only commands whose output factsFromOutputs reads. `sudo` marks the ones that only
 * answer fully as root (ufw status). Each is argv; a few need `sh -c` with a fixed script
 * (a fallback or a redirect), with every value as a positional argument.
 */
export function detectionCommands(
  installDir: string,
): Record<FactKey, { command: { argv: string[] }; sudo: boolean }> {
  const sh = (script: string, ...args: string[]): { argv: string[] } => ({
    argv: ['sh', '-c', script, 'sh', ...args],
  });
  return {
    osRelease: { command: { argv: ['cat', '/etc/os-release'] }, sudo: false },
    arch: { command: { argv: ['uname', '-m'] }, sudo: false },
    init: { command: { argv: ['ps', '-p', '1', '-o', 'comm='] }, sudo: false },
    // The install folder may not exist yet: ask about its nearest existing parent.
    disk: {
      command: sh(
        'd="$1"; while [ ! -d "$d" ]; do d=$(dirname -- "$d"); done; exec df -Pk -- "$d"',
        installDir,
      ),
      sudo: false,
    },
    java: { command: sh('java -version 2>&1 || true'), sudo: false },
    kafka: {
      command: sh(
        'cat -- "$1/kvs-dist.properties" 2>/dev/null || ls -1 -- "$1/libs" 2>/dev/null || true',
        installDir,
      ),
      sudo: false,
    },
    zookeeperd: {
      command: sh("dpkg-query -W -f='${Status} ${Version}\\n' zookeeperd 2>&1 || true"),
      sudo: false,
    },
    zookeeperdPolicy: {
      command: sh('apt-cache policy zookeeperd 2>/dev/null || true'),
      sudo: false,
    },
    ports: { command: sh('ss -ltnH 2>/dev/null || ss -ltn'), sudo: false },
    ufw: {
      command: sh(
        'command -v ufw >/dev/null 2>&1 || { echo "ufw: not found"; exit 0; }; ufw status',
      ),
      sudo: true,
    },
    user: { command: { argv: ['id', '-un'] }, sudo: false },
  };
}

/** Parse whatever outputs were collected; a missing one becomes null. */
export function factsFromOutputs(outputs: Partial<Record<FactKey, CommandOutput>>): ServerFacts {
  const all = (k: FactKey): string => {
    const o = outputs[k];
    return o === undefined ? '' : `${text(o.stdout)}\n${text(o.stderr)}`;
  };
  const out = (k: FactKey): string => text(outputs[k]?.stdout);
  const kafkaOut = out('kafka');
  return {
    os: parseOsRelease(out('osRelease')),
    arch: parseUnameMachine(out('arch')),
    systemd: parseInitComm(out('init')),
    diskFreeKb: parseDfAvailableKb(out('disk')),
    java: parseJavaVersion(all('java')),
    kafkaVersion: parseKafkaVersion(kafkaOut),
    zookeeperd: parseDpkgStatus(all('zookeeperd')),
    zookeeperdCandidate: parseAptCandidate(out('zookeeperdPolicy')),
    portsInUse: outputs.ports === undefined ? null : parseListeningPorts(out('ports')),
    ufw: parseUfwStatus(all('ufw')),
    user: parseUser(out('user')),
  };
}
