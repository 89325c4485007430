/** Small, strict option parsing on top of node:util parseArgs, with plain messages. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { KvsError } from '../shared/errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends OptionSpec>(argv: string[], options: O, maxPositionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const msg =
      e instanceof Error ? e.message.replace(/\. To specify a positional.*$/s, '.') : String(e);
    throw new KvsError('INVALID_ARGUMENT', msg);
  }
  if (parsed.positionals.length > maxPositionals)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `Unexpected argument "${parsed.positionals[maxPositionals]}".`,
    );
  return parsed;
}

export function intOption(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new KvsError('INVALID_ARGUMENT', `--${name} must be a whole number, got "${value}".`);
  const n = Number(value);
  if (n < min || n > max)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `--${name} must be between ${min} and ${max}, got ${n}.`,
    );
  return n;
}

export function numberOption(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value))
    throw new KvsError('INVALID_ARGUMENT', `--${name} must be a number, got "${value}".`);
  const n = Number(value);
  if (n < min || n > max)
    throw new KvsError(
      'INVALID_ARGUMENT',
      `--${name} must be between ${min} and ${max}, got ${n}.`,
    );
  return n;
}

/** `--from-time`: an ISO date-time, or milliseconds since the epoch. */
export function timeOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{10,16}$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new KvsError(
      'INVALID_ARGUMENT',
      `--from-time "${value}" is neither an ISO time (2026-11-25T10:00:00Z) nor milliseconds since 1970.`,
    );
  return ms;
}

export function requireOption(value: string | undefined, name: string, example: string): string {
  if (value === undefined || value === '')
    throw new KvsError('INVALID_ARGUMENT', `--${name} is required, e.g. --${name} ${example}.`);
  return value;
}

// ---- commands that document their options --------------------------------------------------------

/** What `--help` says about an option: its value's placeholder (string options) and one line. */
export interface OptionHelp {
  readonly value?: string;
  readonly help: string;
}

export type DocumentedOptions = Record<
  string,
  { readonly type: 'string' | 'boolean' } & OptionHelp
>;

/**
 * A command's options and their help in one place: `parseCommand` parses with exactly these
 * options and `commandHelp` prints exactly these, so help and parsing cannot drift.
 */
export interface CommandSpec<O extends DocumentedOptions> {
  /** e.g. `kvs produce <file>` */
  readonly usage: string;
  readonly summary: string;
  readonly maxPositionals: number;
  readonly options: O;
  /** Lines after the options (what to know, examples). */
  readonly notes?: readonly string[];
}

/** `--bootstrap`, as every command that talks to Kafka takes it. */
export const BOOTSTRAP_OPTION = {
  type: 'string',
  value: '<list>',
  help: 'the broker address from its advertised.listeners, e.g. 10.0.0.5:9092 (required)',
} as const;

/** `--help` or `-h` was given: the text to print (exit 0). */
export class HelpRequested extends Error {
  constructor(readonly text: string) {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

export function commandHelp<O extends DocumentedOptions>(spec: CommandSpec<O>): string {
  const rows = Object.entries(spec.options).map(([name, o]) => [
    `--${name}${o.type === 'string' ? ` ${o.value ?? '<value>'}` : ''}`,
    o.help,
  ]);
  rows.push(['--help', 'print this help']);
  const width = Math.min(32, Math.max(...rows.map(([flag]) => (flag ?? '').length)) + 2);
  const lines = [
    `Usage: ${spec.usage}${Object.keys(spec.options).length > 0 ? ' [options]' : ''}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...rows.map(([flag = '', help = '']) =>
      flag.length + 2 > width
        ? `  ${flag}\n  ${' '.repeat(width)}${help}`
        : `  ${flag.padEnd(width)}${help}`,
    ),
  ];
  if (spec.notes && spec.notes.length > 0) lines.push('', ...spec.notes);
  return `${lines.join('\n')}\n`;
}

/** Parse a command's arguments by its spec; `--help`/`-h` throws HelpRequested with its help. */
export function parseCommand<O extends DocumentedOptions>(spec: CommandSpec<O>, argv: string[]) {
  if (argv.includes('--help') || argv.includes('-h')) throw new HelpRequested(commandHelp(spec));
  return parse(argv, spec.options, spec.maxPositionals);
}
