/**
 * `kvs doctor --bootstrap <list> [security options] [--topic T --frame-bytes N] [--json]`: why a
 * broker cannot be used from here and what to change, over the same TLS and SASL settings as the
 * other commands (security-options.ts). Exit 0 when healthy, 2 when problems were found.
 */
import { diagnose, type DiagnoseResult } from '../core/doctor/diagnose.js';
import { KvsError } from '../shared/errors.js';
import {
  BOOTSTRAP_OPTION,
  intOption,
  parseCommand,
  requireOption,
  type CommandSpec,
  type DocumentedOptions,
} from './args.js';
import type { CliIo } from './cli-io.js';
import {
  connectionFromOptions,
  requireBootstrapOrConfig,
  SECURITY_NOTES,
  SECURITY_OPTIONS,
} from './security-options.js';

const MARK = { ok: '✓', failed: '✗', warning: '!', skipped: '–' } as const;

export function renderDiagnosis(d: DiagnoseResult): string[] {
  const lines = [`Kafka doctor: ${d.bootstrap} (${d.durationMs} ms)`];
  for (const c of d.checks) lines.push(`  ${MARK[c.status]} ${c.title}: ${c.detail}`);
  if (d.findings.length === 0) {
    lines.push(
      `Healthy: Kafka ${d.brokerVersion ?? ''} at ${d.bootstrap} is usable from here.`.replace(
        '  ',
        ' ',
      ),
    );
    return lines;
  }
  lines.push(`${d.findings.length} problem${d.findings.length === 1 ? '' : 's'} found:`);
  for (const f of d.findings) {
    lines.push(`  [${f.code}] ${f.message}`);
    lines.push(`    Fix: ${f.fix}`);
  }
  return lines;
}

export const DOCTOR = {
  usage: 'kvs doctor --bootstrap <list>',
  summary:
    'Why a broker cannot be used from this computer, and the exact fix (exit 2: problems found).',
  maxPositionals: 0,
  options: {
    bootstrap: BOOTSTRAP_OPTION,
    ...SECURITY_OPTIONS,
    topic: {
      type: 'string',
      value: '<name>',
      help: "also check this topic's max.message.bytes (with --frame-bytes)",
    },
    'frame-bytes': {
      type: 'string',
      value: 'N',
      help: 'the largest frame that must fit in the topic (with --topic)',
    },
    json: { type: 'boolean', help: 'print the diagnosis as JSON' },
  },
  notes: [
    'With TLS or SASL settings the doctor checks them too: the CA and the certificate names, the',
    'client certificate, the SASL mechanism and the login.',
    ...SECURITY_NOTES,
  ],
} as const satisfies CommandSpec<DocumentedOptions>;

export async function doctorCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(DOCTOR, argv);
  requireBootstrapOrConfig(values);
  const connection = await connectionFromOptions(values);
  const bootstrap = requireOption(connection.bootstrap ?? undefined, 'bootstrap', '10.0.0.5:9092');
  if (connection.unused.length > 0)
    io.err(`Not used from ${values.config ?? 'the config'}: ${connection.unused.join(', ')}\n`);
  const frameBytes = intOption(values['frame-bytes'], 'frame-bytes', 1, 1024 ** 3);
  if ((values.topic === undefined) !== (frameBytes === undefined)) {
    throw new KvsError(
      'INVALID_ARGUMENT',
      'Give --topic and --frame-bytes together (the topic limit is checked against a frame size).',
    );
  }
  const d = await diagnose(bootstrap, {
    security: connection.security,
    ...(values.topic !== undefined && frameBytes !== undefined
      ? { topic: values.topic, frameBytes }
      : {}),
  });
  if (values.json) {
    for (const l of renderDiagnosis(d)) io.err(`${l}\n`);
    io.out(
      JSON.stringify({
        ok: d.ok,
        brokers: d.brokers.map((b) => ({
          nodeId: b.nodeId,
          advertised: b.advertised,
          reachable: b.reachable,
        })),
        findings: d.findings.map((f) => ({ code: f.code, message: f.message, fix: f.fix })),
      }),
    );
  } else {
    for (const l of renderDiagnosis(d)) io.out(l);
  }
  return d.ok ? 0 : 2;
}
