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
  // A cluster node: formatted once with the cluster's id; storage of another cluster or node is
  // never reformatted (that would lose its data) — it stops the install with the reason.
  // $1 install dir, $2 server.properties, $3 data dir, $4 cluster id, $5 node.id
  // $1 meta.properties, $2 cluster id, $3 node.id: exit 0 when formatted for exactly these
  formatKraftClusterDone: 'grep -qx "cluster.id=$2" "$1" && grep -qx "node.id=$3" "$1"',
  formatKraftCluster:
    'set -e; m="$3/meta.properties"; if [ -f "$m" ]; then ' +
    'if grep -qx "cluster.id=$4" "$m" && grep -qx "node.id=$5" "$m"; then exit 0; fi; ' +
    'echo "$m belongs to another cluster or node ($(grep -E "^(cluster|node)\\.id=" "$m" | tr "\\n" " ")); not formatting it again: remove $3 to start over (its data is lost)." >&2; exit 1; fi; ' +
    'exec "$1/bin/kafka-storage.sh" format -t "$4" -c "$2"',
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
  /** ufw allows port $1/tcp from every address after it (`ufw allow from A to any port $1 proto tcp`). */
  ufwAllowsFromAll:
    'p=$1; shift; s=$(ufw status) || exit 1; for a in "$@"; do printf "%s\\n" "$s" | grep -E "^$p/tcp[[:space:]]+ALLOW" | grep -Fqw -- "$a" || exit 1; done',
  // Secure install (secure-install.ts). $1 the TLS folder, $2 the advertised IPv4, $3 the kafka
  // user. Private keys are made by openssl into files under umask 077 (never on a command line);
  // the CA is made once and kept (a connection profile trusts it), the server certificate again
  // when its SAN is not the address. ca.key root 0600, server.pem (key + chain) kafka 0600.
  makeTls:
    'set -e; umask 077; d="$1"; ip="$2"; u="$3"; t=$(mktemp -d); trap \'rm -rf -- "$t"\' EXIT; ' +
    'install -d -o root -g "$u" -m 0750 -- "$d"; ' +
    'printf \'[req]\\ndistinguished_name=dn\\nprompt=no\\n[dn]\\n[ca]\\nbasicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign,cRLSign\\nsubjectKeyIdentifier=hash\\n\' > "$t/req.cnf"; ' +
    'printf \'basicConstraints=critical,CA:FALSE\\nkeyUsage=critical,digitalSignature\\nextendedKeyUsage=serverAuth\\nsubjectAltName=IP:%s\\n\' "$ip" > "$t/server.ext"; ' +
    'if [ ! -s "$d/ca.key" ] || [ ! -s "$d/ca.crt" ]; then ' +
    'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$t/ca.key"; ' +
    'openssl req -x509 -new -sha256 -days 3650 -config "$t/req.cnf" -extensions ca -key "$t/ca.key" -subj "/O=Kafka Video Studio/CN=Kafka CA for $ip" -out "$t/ca.crt"; ' +
    'chown root:root "$t/ca.key"; chmod 0600 "$t/ca.key"; mv -f -- "$t/ca.key" "$d/ca.key"; ' +
    'chown root:"$u" "$t/ca.crt"; chmod 0644 "$t/ca.crt"; mv -f -- "$t/ca.crt" "$d/ca.crt"; fi; ' +
    'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$t/server.key"; ' +
    'openssl req -new -sha256 -config "$t/req.cnf" -key "$t/server.key" -subj "/O=Kafka Video Studio/CN=$ip" -out "$t/server.csr"; ' +
    'openssl x509 -req -sha256 -days 825 -in "$t/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" ' +
    '-set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d \' \\n\')" -extfile "$t/server.ext" -out "$t/server.crt"; ' +
    'cat "$t/server.key" "$t/server.crt" "$d/ca.crt" > "$t/server.pem"; ' +
    'chown "$u:$u" "$t/server.pem"; chmod 0600 "$t/server.pem"; mv -f -- "$t/server.pem" "$d/server.pem"; ' +
    'chown root:"$u" "$t/server.crt"; chmod 0644 "$t/server.crt"; mv -f -- "$t/server.crt" "$d/server.crt"',
  /** Exit 0 when the CA and the keystore exist and the server certificate is for $2, from this CA, valid 30 more days. */
  tlsReady:
    'd="$1"; for f in ca.key ca.crt server.crt server.pem; do [ -s "$d/$f" ] || exit 1; done; ' +
    'openssl x509 -in "$d/server.crt" -noout -text | grep -A1 "Subject Alternative Name" | tail -n 1 | ' +
    'tr "," "\\n" | sed "s/^ *//" | grep -Fqx "IP Address:$2" && ' +
    'openssl verify -CAfile "$d/ca.crt" "$d/server.crt" > /dev/null && ' +
    'openssl x509 -checkend 2592000 -noout -in "$d/server.crt" > /dev/null',
  // As the kafka user. $1 the install folder, $2 the local PLAINTEXT bootstrap, $3 the SCRAM user,
  // $4 the marker file. stdin: the password, then the marker line (its PBKDF2 fingerprint). The
  // password goes into a 0600 file for kafka-configs --add-config-file (removed on exit): builtins
  // (read, printf) never show it to ps.
  scramSet:
    'set -e; umask 077; IFS= read -r pw; IFS= read -r mark; t=$(mktemp -d); trap \'rm -rf -- "$t"\' EXIT; ' +
    'printf \'SCRAM-SHA-512=iterations=8192,password=%s\\n\' "$pw" > "$t/scram.properties"; pw=; ' +
    '"$1/bin/kafka-configs.sh" --bootstrap-server "$2" --alter --entity-type users --entity-name "$3" --add-config-file "$t/scram.properties"; ' +
    'printf "%s\\n" "$mark" > "$4.tmp"; mv -f -- "$4.tmp" "$4"',
  /** stdin: the marker line. Exit 0 when the marker matches and Kafka has a SCRAM-SHA-512 login for $3. */
  scramReady:
    'IFS= read -r mark; [ -f "$4" ] && [ "$(cat -- "$4")" = "$mark" ] || exit 1; ' +
    '"$1/bin/kafka-configs.sh" --bootstrap-server "$2" --describe --entity-type users --entity-name "$3" | grep -q "SCRAM-SHA-512="',
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
