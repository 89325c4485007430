/**
 * The bootstrap list a client connects to: comma-separated `host:port` entries.
 *
 * This parser enforces the `x.y.z.w:9092` rule the app teaches: a client must
 * bootstrap from the address the broker advertises (`advertised.listeners`).
 * It never throws; it returns either the parsed entries (with notes worth showing
 * a person) or one precise error message.
 */
export const DEFAULT_KAFKA_PORT = 9092;

export interface BootstrapEntry {
  /** Host as typed (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
  readonly kind: 'ipv4' | 'ipv6' | 'hostname';
  /** True when the port was omitted and 9092 was filled in. */
  readonly defaultedPort: boolean;
  /** `host:port` as kafkajs wants it (IPv6 in brackets). */
  readonly address: string;
}

export type BootstrapNoteCode = 'PORT_DEFAULTED' | 'LOOPBACK_ONLY' | 'HOSTNAME_MUST_RESOLVE';

export interface BootstrapNote {
  readonly code: BootstrapNoteCode;
  readonly message: string;
}

export type BootstrapResult =
  | {
      readonly ok: true;
      readonly entries: readonly BootstrapEntry[];
      /** The normalized list, e.g. `10.0.0.5:9092,10.0.0.6:9092`. */
      readonly normalized: string;
      readonly brokers: readonly string[];
      readonly notes: readonly BootstrapNote[];
    }
  | { readonly ok: false; readonly error: string; readonly entryIndex?: number };

const MAX_INPUT = 4096;
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const HOSTNAME_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

function fail(error: string, entryIndex?: number): BootstrapResult {
  return entryIndex === undefined ? { ok: false, error } : { ok: false, error, entryIndex };
}

function parsePort(text: string, label: string): number | string {
  if (text === '') return `${label}: the port after ':' is empty. Use a port such as 9092.`;
  if (!/^\d+$/.test(text))
    return `${label}: port "${text}" is not a number. Use a port such as 9092.`;
  if (text.length > 1 && text.startsWith('0'))
    return `${label}: port "${text}" has a leading zero. Write it as ${Number(text)}.`;
  const port = Number(text);
  if (port < 1 || port > 65535) return `${label}: port ${text} is out of range (1–65535).`;
  return port;
}

function classifyIpv4(host: string, label: string): 'ipv4' | 'not-ipv4' | string {
  if (!/^[\d.]+$/.test(host)) return 'not-ipv4';
  const parts = host.split('.');
  if (parts.length !== 4)
    return `${label}: "${host}" is not a complete IPv4 address; it needs four numbers like 10.0.0.5.`;
  for (const part of parts) {
    if (part === '')
      return `${label}: "${host}" has an empty part; an IPv4 address looks like 10.0.0.5.`;
    if (part.length > 1 && part.startsWith('0'))
      return `${label}: "${host}" has a leading zero in "${part}"; write ${Number(part)}.`;
    if (Number(part) > 255) return `${label}: "${host}" has ${part}, but each part must be 0–255.`;
  }
  if (host === '0.0.0.0')
    return `${label}: 0.0.0.0 means "all interfaces" on a server; a client must use the broker's real address (its advertised.listeners).`;
  return 'ipv4';
}

const DOTTED_QUAD =
  /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * RFC 4291 text form: eight hex groups, or fewer with one `::`; an IPv4 tail counts as two
 * groups and may only end the address. No zone id (`%eth0`).
 */
function isIpv6(host: string): boolean {
  if (!/^[0-9a-f:.]+$/i.test(host) || !host.includes(':')) return false;
  const halves = host.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  let count = 0;
  for (const [i, g] of groups.entries()) {
    if (/^[0-9a-f]{1,4}$/i.test(g)) count += 1;
    else if (i === groups.length - 1 && host.endsWith(g) && DOTTED_QUAD.test(g)) count += 2;
    else return false; // an empty group (":::", a lone leading/trailing ":") or junk
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}

export function isLoopback(entry: Pick<BootstrapEntry, 'host' | 'kind'>): boolean {
  const h = entry.host.toLowerCase();
  if (entry.kind === 'ipv4') return h.startsWith('127.');
  if (entry.kind === 'ipv6') return h === '::1';
  return h === 'localhost' || h.endsWith('.localhost');
}

function parseEntry(raw: string, index: number, total: number): BootstrapEntry | string {
  const label = total > 1 ? `Entry ${index + 1} ("${raw}")` : `"${raw}"`;
  if (raw === '')
    return `${label === '""' ? 'An entry' : `Entry ${index + 1}`} is empty: remove the extra comma.`;
  if (/\s/.test(raw))
    return `${label} contains a space. Write host:port with no spaces, e.g. 10.0.0.5:9092.`;
  const scheme = SCHEME.exec(raw);
  if (scheme)
    return `${label} starts with "${scheme[0]}". That is how a server writes its listeners; a client gives only host:port, e.g. ${raw.slice(scheme[0].length) || '10.0.0.5:9092'}.`;
  if (raw.includes('/') || raw.includes('@') || raw.includes('?') || raw.includes('#'))
    return `${label} is not host:port. Give just the broker's address, e.g. 10.0.0.5:9092.`;

  let host: string;
  let portText: string | undefined;
  if (raw.startsWith('[')) {
    const close = raw.indexOf(']');
    if (close < 0) return `${label}: an IPv6 address opened with "[" needs a closing "]".`;
    host = raw.slice(1, close);
    const rest = raw.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':'))
      return `${label}: after "]" write ":port", e.g. [${host}]:9092.`;
    portText = rest === '' ? undefined : rest.slice(1);
    if (!isIpv6(host)) return `${label}: "${host}" is not a valid IPv6 address.`;
  } else {
    const colons = raw.split(':').length - 1;
    if (colons > 1) {
      if (isIpv6(raw))
        return `${label} looks like an IPv6 address. Put it in brackets with a port: [${raw}]:9092.`;
      return `${label} has more than one ":". Write host:port, e.g. 10.0.0.5:9092.`;
    }
    const colon = raw.indexOf(':');
    host = colon < 0 ? raw : raw.slice(0, colon);
    portText = colon < 0 ? undefined : raw.slice(colon + 1);
  }
  if (host === '') return `${label} has no host before ":". Write host:port, e.g. 10.0.0.5:9092.`;

  let port = DEFAULT_KAFKA_PORT;
  if (portText !== undefined) {
    const p = parsePort(portText, label);
    if (typeof p === 'string') return p;
    port = p;
  }

  let kind: BootstrapEntry['kind'];
  if (raw.startsWith('[')) kind = 'ipv6';
  else {
    const v4 = classifyIpv4(host, label);
    if (v4 === 'ipv4') kind = 'ipv4';
    else if (v4 !== 'not-ipv4') return v4;
    else {
      if (host.length > 253) return `${label}: the host name is longer than 253 characters.`;
      const labels = host.replace(/\.$/, '').split('.');
      const bad = labels.find((l) => !HOSTNAME_LABEL.test(l));
      if (bad !== undefined)
        return `${label}: "${host}" is not a valid host name${bad === '' ? ' (empty part between dots)' : ` ("${bad}" may use only letters, digits and inner hyphens)`}.`;
      if (/^\d+$/.test(labels[labels.length - 1] ?? ''))
        return `${label}: "${host}" is neither an IPv4 address nor a host name.`;
      kind = 'hostname';
    }
  }
  const address = kind === 'ipv6' ? `[${host}]:${port}` : `${host}:${port}`;
  return { host, port, kind, defaultedPort: portText === undefined, address };
}

/** Parse a bootstrap list. Never throws. */
export function parseBootstrap(input: unknown): BootstrapResult {
  if (typeof input !== 'string')
    return fail('The bootstrap address must be text, e.g. 10.0.0.5:9092.');
  if (input.length > MAX_INPUT)
    return fail(`The bootstrap list is too long (over ${MAX_INPUT} characters).`);
  const trimmed = input.trim();
  if (trimmed === '')
    return fail(
      "Enter the broker's address as host:port, e.g. 10.0.0.5:9092 (the address in its advertised.listeners).",
    );
  const parts = trimmed.split(',').map((p) => p.trim());
  const entries: BootstrapEntry[] = [];
  for (const [i, part] of parts.entries()) {
    const entry = parseEntry(part, i, parts.length);
    if (typeof entry === 'string') return fail(entry, i);
    if (entries.some((e) => e.address.toLowerCase() === entry.address.toLowerCase()))
      return fail(`Entry ${i + 1} (${entry.address}) is listed twice.`, i);
    entries.push(entry);
  }
  const notes: BootstrapNote[] = [];
  const defaulted = entries.filter((e) => e.defaultedPort);
  if (defaulted.length > 0)
    notes.push({
      code: 'PORT_DEFAULTED',
      message: `No port given for ${defaulted.map((e) => e.host).join(', ')}: using Kafka's default port ${DEFAULT_KAFKA_PORT}.`,
    });
  if (entries.some(isLoopback))
    notes.push({
      code: 'LOOPBACK_ONLY',
      message:
        'localhost / 127.x.x.x reaches a broker on this computer only. Other machines must use the address the broker advertises.',
    });
  if (entries.some((e) => e.kind === 'hostname' && !isLoopback(e)))
    notes.push({
      code: 'HOSTNAME_MUST_RESOLVE',
      message:
        'A host name must resolve to the broker on this computer and on every client. The documented form is the IPv4 address x.y.z.w:9092 from advertised.listeners.',
    });
  const brokers = entries.map((e) => e.address);
  return { ok: true, entries, brokers, normalized: brokers.join(','), notes };
}
