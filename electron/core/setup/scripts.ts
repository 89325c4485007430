/**
 * The only shell texts a plan runs: fixed scripts that take every value as a positional
 * argument (`['sh', '-c', SCRIPT, 'sh', value1, …]`), and the argv helpers the plans build
 * commands with. Nothing a person types ever becomes part of a script.
 */
import { LAYOUT } from './config.js';
import { RemoteCommand } from './plan-types.js';

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

export const argv = (...a: string[]): RemoteCommand => ({ argv: a });
export const sh = (
  script: (typeof SCRIPTS)[keyof typeof SCRIPTS],
  ...args: string[]
): RemoteCommand => ({
  argv: ['sh', '-c', script, 'sh', ...args],
});
export const aptInstall = (...pkgs: string[]): RemoteCommand =>
  argv(
    'env',
    'DEBIAN_FRONTEND=noninteractive',
    'apt-get',
    'install',
    '-y',
    '--no-install-recommends',
    ...pkgs,
  );
export const asKafka = (env: string[], ...rest: string[]): string[] => [
  'runuser',
  '-u',
  LAYOUT.user,
  '--',
  'env',
  ...env,
  ...rest,
];

/** Java majors a Kafka version runs on, preferred first (Kafka ≤ 2.0's scripts fail on Java 9+; 4.x needs 17). */
