/**
 * `kvs <command> --help` prints that command's usage, generated from the same option specs that
 * parse it, so help and parsing cannot drift (before: `kvs produce --help` exited 2, and
 * `kvs topics --internal` was accepted but listed nowhere).
 */
import { describe, expect, it } from 'vitest';
import type { CommandSpec, DocumentedOptions } from './args.js';
import type { CliIo } from './cli-io.js';
import { DOCTOR } from './doctor-command.js';
import { CONSUME, main, PRODUCE, STREAMS, TOPICS } from './kvs.js';
import { SERVE } from './serve.js';
import { SERVER, SETUP } from './setup-command.js';
import { SETUP_CLUSTER } from './cluster-command.js';

const COMMANDS: Array<[string, CommandSpec<DocumentedOptions>]> = [
  ['produce', PRODUCE],
  ['consume', CONSUME],
  ['topics', TOPICS],
  ['streams', STREAMS],
  ['serve', SERVE],
  ['setup', SETUP],
  ['server', SERVER],
  ['setup-cluster', SETUP_CLUSTER],
  ['doctor', DOCTOR],
];

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (l) => void (out += `${l}\n`),
    err: (t) => void (err += t),
    isTTY: false,
  };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('kvs <command> --help', () => {
  it.each(COMMANDS)(
    '%s --help: exit 0, its usage, and every option it accepts',
    async (name, spec) => {
      for (const flag of ['--help', '-h']) {
        const r = await run([name, flag]);
        expect(r.code).toBe(0);
        expect(r.err).toBe('');
        expect(r.out).toContain(`Usage: ${spec.usage}`);
        for (const [option, o] of Object.entries(spec.options)) {
          expect(r.out).toContain(`--${option}`);
          expect(r.out).toContain(o.help);
        }
      }
    },
  );

  it('--help wins over anything else given (nothing runs)', async () => {
    const r = await run(['produce', 'missing.mp4', '--bootstrap', 'x', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: kvs produce');
  });

  it('topics lists --internal, which it accepts', async () => {
    expect((await run(['topics', '--help'])).out).toMatch(
      /--internal\s+also list Kafka's internal topics/,
    );
  });

  it('an option a command does not have is still refused (exit 2)', async () => {
    const r = await run(['doctor', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bogus/);
  });
});
