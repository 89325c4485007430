/** What the wizard shows about the server it logged in to (OS, Java, disk, ports) and what to warn about. */
import {
  SETUP_DEFAULTS,
  type ServiceState,
  type SetupServerFacts,
} from '../../../../electron/shared/contract.js';
import { formatKib } from './form-check.js';

// ---- facts -------------------------------------------------------------------------------------

export interface FactRow {
  readonly label: string;
  readonly value: string;
  readonly tone: 'ok' | 'warn' | 'plain';
}

const WATCHED_PORTS: readonly { port: number; what: string }[] = [
  { port: SETUP_DEFAULTS.kafkaPort, what: 'Kafka' },
  { port: 9093, what: 'the KRaft controller' },
  { port: 2181, what: 'ZooKeeper' },
];

export const MIN_FREE_KIB = 1024 * 1024;

export function factRows(facts: SetupServerFacts, installDir: string): FactRow[] {
  const os = facts.os.prettyName ?? [facts.os.id, facts.os.versionId].filter(Boolean).join(' ');
  const rows: FactRow[] = [
    {
      label: 'System',
      value: facts.os.supported
        ? `${os || 'Linux'} — supported`
        : `${os || 'Unknown system'} — not supported: ${facts.os.reason ?? 'unknown reason'}`,
      tone: facts.os.supported ? 'ok' : 'warn',
    },
    {
      label: 'CPU',
      value: facts.arch ?? 'unknown (Kafka is installed on x86_64 or aarch64 only)',
      tone: facts.arch === null ? 'warn' : 'plain',
    },
    {
      label: 'systemd',
      value: facts.systemd === null ? 'unknown' : facts.systemd ? 'yes' : 'no',
      tone: facts.systemd === false ? 'warn' : 'plain',
    },
    {
      label: 'Free disk',
      value: facts.diskFreeKb === null ? 'unknown' : `${formatKib(facts.diskFreeKb)} free`,
      tone: facts.diskFreeKb !== null && facts.diskFreeKb < MIN_FREE_KIB ? 'warn' : 'plain',
    },
    {
      label: 'Java',
      value:
        facts.java === null
          ? 'not installed (the install adds the Java that Kafka needs)'
          : `${facts.java.version} (Java ${facts.java.major})`,
      tone: 'plain',
    },
    {
      label: 'Kafka',
      value:
        facts.kafkaVersion === null
          ? `none in ${installDir}`
          : `Kafka ${facts.kafkaVersion} in ${installDir}`,
      tone: facts.kafkaVersion === null ? 'plain' : 'warn',
    },
    { label: 'Ports in use', value: describePorts(facts.portsInUse), tone: 'plain' },
    {
      label: 'Firewall (ufw)',
      value: facts.ufw === null ? 'unknown' : facts.ufw === 'absent' ? 'not installed' : facts.ufw,
      tone: facts.ufw === 'active' ? 'warn' : 'plain',
    },
    { label: 'Login user', value: facts.user ?? 'unknown', tone: 'plain' },
  ];
  return rows;
}

export function describePorts(ports: readonly number[] | null, max = 16): string {
  if (ports === null) return 'unknown';
  if (ports.length === 0) return 'none';
  const shown = ports.slice(0, max).join(', ');
  return ports.length > max ? `${shown} and ${ports.length - max} more` : shown;
}

/** What a person should know about the server before installing, in plain words. */
export function factWarnings(facts: SetupServerFacts, installDir: string): string[] {
  const out: string[] = [];
  if (!facts.os.supported)
    out.push(
      `${facts.os.prettyName ?? 'This system'} is not supported: ${facts.os.reason ?? 'no reason was given'}. The installer works on Ubuntu (16.04–24.04) and Debian (10–12).`,
    );
  if (facts.arch === null)
    out.push(
      'The CPU type is unknown or unsupported: Kafka is installed on x86_64 or aarch64 servers only.',
    );
  if (facts.systemd === false)
    out.push(
      'The server does not run systemd, so Kafka cannot be set up as a service that starts at boot.',
    );
  if (facts.diskFreeKb !== null && facts.diskFreeKb < MIN_FREE_KIB)
    out.push(
      `Only ${formatKib(facts.diskFreeKb)} is free where Kafka goes; it needs at least 1 GiB (the download, the unpacked Kafka and its first logs). Free some space first.`,
    );
  if (facts.kafkaVersion !== null)
    out.push(
      `Kafka ${facts.kafkaVersion} is already installed in ${installDir}. You can start or stop it below. Installing Kafka ${facts.kafkaVersion} again only redoes what is missing; for another version choose another install folder (or uninstall it first).`,
    );
  for (const { port, what } of WATCHED_PORTS) {
    if (facts.portsInUse?.includes(port) !== true) continue;
    out.push(
      facts.kafkaVersion !== null
        ? `Port ${port} (${what}) is in use — probably by the Kafka already installed.`
        : `Port ${port}, which ${what} uses, is already in use by another program. Stop it first (see \`sudo ss -ltnp\` on the server), or the install cannot start Kafka.`,
    );
  }
  return out;
}

export function describeService(s: ServiceState): string {
  const kafka = s.kafka ? 'running' : 'stopped';
  const mode = s.mode === 'kraft' ? 'KRaft' : 'ZooKeeper';
  const zk = s.zookeeper === null ? '' : `; ZooKeeper ${s.zookeeper ? 'running' : 'stopped'}`;
  return `Kafka ${s.kafkaVersion} (${mode}) in ${s.installDir}: Kafka ${kafka}${zk}.`;
}
