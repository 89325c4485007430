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
