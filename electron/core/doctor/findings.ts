/**
 * What the connection doctor can find, each with a stable code, a plain explanation and the exact
 * change that fixes it. The texts name the line to change (config/server.properties) because that
 * is where beginners have to go: advertised.listeners is the address every client is sent to after
 * its first connection, whatever address it bootstrapped from. What a secured listener (TLS,
 * SASL) refused is in security-findings.ts; its codes are listed here.
 */
export type FindingCode =
  | 'BOOTSTRAP_INVALID'
  | 'BOOTSTRAP_UNRESOLVED'
  | 'BOOTSTRAP_UNREACHABLE'
  | 'NOT_KAFKA'
  | 'BROKER_NOT_READY'
  | 'LISTENER_TLS'
  | 'LISTENER_SASL'
  | 'BROKER_TOO_OLD'
  | 'BROKER_TOO_NEW'
  | 'ADVERTISED_LOOPBACK'
  | 'ADVERTISED_UNRESOLVABLE'
  | 'ADVERTISED_UNREACHABLE'
  | 'ADVERTISED_OTHER_CLUSTER'
  | 'BOOTSTRAP_NOT_ADVERTISED'
  | 'TOPIC_MESSAGE_TOO_SMALL'
  // secured listeners (security-findings.ts); where a connect error has the same code it matches
  | 'TLS_UNTRUSTED'
  | 'TLS_HOSTNAME_MISMATCH'
  | 'TLS_CERT_EXPIRED'
  | 'TLS_CERT_NOT_YET_VALID'
  | 'TLS_CLIENT_CERT_REQUIRED'
  | 'TLS_CLIENT_CERT_REFUSED'
  | 'TLS_NOT_SPOKEN'
  | 'TLS_SETTINGS_INVALID'
  | 'LISTENER_NOT_SASL'
  | 'SASL_PROTOCOL_MIXED_UP'
  | 'SASL_MECHANISM_NOT_ENABLED'
  | 'KAFKA_AUTH_FAILED'
  | 'OAUTH_TOKEN_FAILED';

export interface Finding {
  code: FindingCode;
  severity: 'error' | 'warning';
  message: string;
  fix: string;
}

/** Findings whose fix is one advertised.listeners line (what "Fix on server" can change). */
export const ADVERTISED_FIXABLE: ReadonlySet<FindingCode> = new Set([
  'ADVERTISED_LOOPBACK',
  'ADVERTISED_UNRESOLVABLE',
  'ADVERTISED_UNREACHABLE',
  'ADVERTISED_OTHER_CLUSTER',
  'BOOTSTRAP_NOT_ADVERTISED',
]);

export const restart =
  'then restart Kafka (bin/kafka-server-stop.sh, then bin/kafka-server-start.sh -daemon config/server.properties, or systemctl restart kafka)';

/** The one line to put in config/server.properties: the address the person reached the broker at. */
export function advertisedLine(address: string): string {
  return `advertised.listeners=PLAINTEXT://${address}`;
}

export const finding = {
  bootstrapInvalid: (why: string): Finding => ({
    code: 'BOOTSTRAP_INVALID',
    severity: 'error',
    message: why,
    fix: 'Type the broker as host:port, e.g. 10.0.0.5:9092 (several: comma-separated).',
  }),
  bootstrapUnresolved: (host: string, why: string): Finding => ({
    code: 'BOOTSTRAP_UNRESOLVED',
    severity: 'error',
    message: `The name "${host}" does not resolve on this computer (${why}).`,
    fix: `Use the broker's IP address instead of "${host}", or add the name to DNS or this computer's hosts file.`,
  }),
  bootstrapUnreachable: (address: string, kind: string, why: string): Finding => ({
    code: 'BOOTSTRAP_UNREACHABLE',
    severity: 'error',
    message:
      kind === 'refused'
        ? `Nothing accepts connections at ${address}: the machine answered, but no program listens on that port (${why}).`
        : kind === 'timeout'
          ? `No answer from ${address}: the packets go unanswered, usually a firewall (${why}).`
          : `${address} cannot be reached from this computer (${why}).`,
    fix:
      kind === 'refused'
        ? `Start Kafka on that machine and make it listen on all interfaces: listeners=PLAINTEXT://0.0.0.0:${portOf(address)} in config/server.properties, ${restart}.`
        : kind === 'timeout'
          ? `Allow TCP port ${portOf(address)} through the server's firewall (e.g. sudo ufw allow ${portOf(address)}/tcp) and any cloud security group, and check the address.`
          : `Check the address and that this computer has a route to it (same network or VPN).`,
  }),
  notKafka: (address: string, why: string): Finding => ({
    code: 'NOT_KAFKA',
    severity: 'error',
    message: `Something answers at ${address}, but it does not speak the Kafka protocol (${why}).`,
    fix: `Check the port: Kafka's plaintext listener is usually ${address.replace(/:\d+$/, '')}:9092.`,
  }),
  brokerNotReady: (address: string): Finding => ({
    code: 'BROKER_NOT_READY',
    severity: 'error',
    message: `Kafka at ${address} answers but names no broker in its metadata: it is still starting, or its controller (KRaft) / ZooKeeper is down.`,
    fix: 'Wait a few seconds and diagnose again; if it stays so, read the broker log (logs/server.log, or /var/log/kafka) for the controller or ZooKeeper error.',
  }),
  /**
   * A TLS listener reached without TLS. `speaks`: its protocol when the doctor could tell (SSL or
   * SASL_SSL); `chosen`: the protocol in the connection settings.
   */
  listenerTls: (
    address: string,
    speaks: 'SSL' | 'SASL_SSL' | null = null,
    chosen: 'PLAINTEXT' | 'SASL_PLAINTEXT' = 'PLAINTEXT',
    mechanisms: readonly string[] = [],
  ): Finding => ({
    code: 'LISTENER_TLS',
    severity: 'error',
    message: `${address} is a TLS listener (${speaks === 'SASL_SSL' ? `SASL_SSL: TLS and a login${mechanisms.length > 0 ? ` with ${mechanisms.join(', ')}` : ''}` : (speaks ?? 'SSL')}); the connection settings say ${chosen}, without TLS, and the broker cannot read that.`,
    fix: `${chooseProtocol(speaks ?? 'SSL', mechanisms)}, with the CA certificate that signed the broker's certificate. Or, to connect without TLS, add a plaintext listener: listeners=PLAINTEXT://0.0.0.0:9092,… and advertised.listeners=PLAINTEXT://<server address>:9092,… in config/server.properties, ${restart}; then bootstrap from that port.`,
  }),
  /** A SASL listener reached without a login; `speaks` as for listenerTls. */
  listenerSasl: (
    address: string,
    mechanisms: readonly string[],
    speaks: 'SASL_PLAINTEXT' | 'SASL_SSL' = 'SASL_PLAINTEXT',
    chosen: 'PLAINTEXT' | 'SSL' = 'PLAINTEXT',
  ): Finding => ({
    code: 'LISTENER_SASL',
    severity: 'error',
    message: `${address} wants a SASL login${mechanisms.length > 0 ? ` (${mechanisms.join(', ')})` : ''} before anything else (it is a ${speaks} listener); the connection settings say ${chosen}, without a login.`,
    fix: `${chooseProtocol(speaks, mechanisms)}, with its user name and password (or token). Or, to connect without a login, add a plaintext listener: listeners=PLAINTEXT://0.0.0.0:9092,… and advertised.listeners=PLAINTEXT://<server address>:9092,… in config/server.properties, ${restart}; then bootstrap from that port.`,
  }),
  brokerTooOld: (address: string, version: string, why: string): Finding => ({
    code: 'BROKER_TOO_OLD',
    severity: 'error',
    message: `The broker at ${address} (${version}) is too old for this app: ${why}`,
    fix: 'Upgrade Kafka to 0.11 or newer (3.9 or 4.x recommended); the setup wizard installs a current version.',
  }),
  brokerTooNew: (address: string, version: string, why: string): Finding => ({
    code: 'BROKER_TOO_NEW',
    severity: 'error',
    message: `The broker at ${address} (${version}) no longer speaks protocol versions this app's Kafka client uses: ${why}`,
    fix: 'Use a Kafka version this app supports (up to 4.1 is tested), or update Kafka Video Studio.',
  }),
  advertisedLoopback: (bootstrap: string, advertised: string, reach: string): Finding => ({
    code: 'ADVERTISED_LOOPBACK',
    severity: 'error',
    message:
      `You reached the broker at ${bootstrap}, but it tells every client to connect to ${advertised} — ` +
      `a loopback address, which on your computer means your computer, not the server. The first connection works; everything after it fails.`,
    fix: `${advertisedLine(reach)} in config/server.properties, ${restart}.`,
  }),
  advertisedUnresolvable: (advertised: string, reach: string, why: string): Finding => ({
    code: 'ADVERTISED_UNRESOLVABLE',
    severity: 'error',
    message:
      `The broker tells clients to connect to ${advertised}, but that name does not resolve on this computer (${why}) — ` +
      `often the server's own hostname or a container name.`,
    fix: `${advertisedLine(reach)} in config/server.properties (an address, not a name only the server knows), ${restart}.`,
  }),
  advertisedUnreachable: (
    advertised: string,
    reach: string,
    kind: string,
    why: string,
  ): Finding => ({
    code: 'ADVERTISED_UNREACHABLE',
    severity: 'error',
    message:
      kind === 'refused'
        ? `The broker tells clients to connect to ${advertised}, but nothing listens there (${why}): the advertised port is not one the broker listens on.`
        : `The broker tells clients to connect to ${advertised}, which does not answer from this computer (${why}) — a firewall, or an address only the server's network can reach.`,
    fix:
      kind === 'refused'
        ? `${advertisedLine(reach)} in config/server.properties (the port must be one in listeners=), ${restart}.`
        : `${advertisedLine(reach)} in config/server.properties, ${restart}; if that is already the address, open the port: sudo ufw allow ${portOf(advertised)}/tcp.`,
  }),
  advertisedOtherCluster: (
    advertised: string,
    reach: string,
    theirs: string,
    ours: string,
  ): Finding => ({
    code: 'ADVERTISED_OTHER_CLUSTER',
    severity: 'error',
    message:
      `The broker (cluster ${ours}) tells clients to connect to ${advertised}, but a different Kafka cluster (${theirs}) answers there: ` +
      `clients would read and write the wrong cluster's topics.`,
    fix: `${advertisedLine(reach)} in config/server.properties, ${restart}.`,
  }),
  bootstrapNotAdvertised: (bootstrap: string, advertised: readonly string[]): Finding => ({
    code: 'BOOTSTRAP_NOT_ADVERTISED',
    severity: 'warning',
    message:
      `You bootstrap from ${bootstrap}, but the broker advertises ${advertised.join(', ')}. It works today because that address also reaches it; ` +
      `it breaks as soon as the two differ (another network, a NAT, a new IP). The x.y.z.w:9092 rule: bootstrap from the advertised address.`,
    fix: `Connect to ${advertised[0] ?? 'the advertised address'} instead, or make the broker advertise the address clients use: ${advertisedLine(bootstrap)} in config/server.properties, ${restart}.`,
  }),
  topicMessageTooSmall: (topic: string, maxBytes: number, frameBytes: number): Finding => ({
    code: 'TOPIC_MESSAGE_TOO_SMALL',
    severity: 'error',
    message: `Topic "${topic}" accepts messages up to ${maxBytes} bytes, but a frame is about ${frameBytes} bytes: the broker would refuse frames.`,
    fix:
      `bin/kafka-configs.sh --bootstrap-server <broker> --alter --entity-type topics --entity-name ${topic} --add-config max.message.bytes=${suggestedMax(frameBytes)} ` +
      `— or lower the picture size or JPEG quality.`,
  }),
};

/** "Choose SASL_SSL with SCRAM-SHA-512 as the security protocol in the connection settings (…)". */
export function chooseProtocol(protocol: string, mechanisms: readonly string[] = []): string {
  const mech =
    mechanisms.length > 0
      ? ` and ${mechanisms.length === 1 ? mechanisms[0] : `one of ${mechanisms.join(', ')}`} as the SASL mechanism`
      : '';
  const flag = `--security-protocol ${protocol}${mechanisms.length > 0 ? ` --sasl-mechanism ${mechanisms[0] ?? ''}` : ''}`;
  return `Choose ${protocol} as the security protocol${mech} in the app's connection settings (kvs: ${flag}; client.properties: security.protocol=${protocol})`;
}

function portOf(address: string): string {
  return /:(\d+)$/.exec(address)?.[1] ?? '9092';
}

/** Room for the frame plus record overhead, rounded up to a whole MiB. */
export function suggestedMax(frameBytes: number): number {
  const mib = 1024 * 1024;
  return Math.ceil((frameBytes * 1.25 + 1024) / mib) * mib;
}
