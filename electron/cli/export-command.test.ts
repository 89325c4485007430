import { describe, expect, it } from 'vitest';
import { KvsError } from '../shared/errors.js';
import type { CliIo } from './cli-io.js';
import { EXPORT, parseExportArgs } from './export-command.js';
import { main } from './kvs.js';

const base = ['--bootstrap', '127.0.0.1:9092', '--topic', 'demo'];

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof KvsError ? e.code : 'not a KvsError';
  }
  return undefined;
}

describe('kvs export options', () => {
  it('defaults: the whole topic, the first stream, no --force', () => {
    expect(parseExportArgs([...base, 'out.mp4'])).toEqual({
      connection: { bootstrap: '127.0.0.1:9092', topic: 'demo' },
      topic: 'demo',
      streamId: undefined,
      range: {},
      out: 'out.mp4',
      force: false,
      json: false,
    });
  });

  it('times in ISO or epoch ms; --stream, --force, --json', () => {
    const a = parseExportArgs([
      ...base,
      '--from',
      '2026-11-25T10:00:00Z',
      '--to',
      '1795602600000',
      '--stream',
      'cam-1',
      '--force',
      '--json',
      'x.mp4',
    ]);
    expect(a.range).toEqual({ fromMs: Date.parse('2026-11-25T10:00:00Z'), toMs: 1795602600000 });
    expect(a).toMatchObject({ streamId: 'cam-1', force: true, json: true, out: 'x.mp4' });
  });

  it('refuses a bad time naming its option, --to before --from, a missing file or topic', () => {
    expect(() => parseExportArgs([...base, '--to', 'yesterday', 'x.mp4'])).toThrow(
      /--to "yesterday" is neither an ISO time/,
    );
    expect(() =>
      parseExportArgs([...base, '--from', '1764065400000', '--to', '1764065300000', 'x.mp4']),
    ).toThrow(/--to must be after --from/);
    expect(() => parseExportArgs(base)).toThrow(/Name the MP4 file/);
    expect(code(() => parseExportArgs(['--bootstrap', 'x', 'x.mp4']))).toBe('INVALID_ARGUMENT');
    expect(code(() => parseExportArgs([...base, 'a.mp4', 'b.mp4']))).toBe('INVALID_ARGUMENT');
  });

  it('kvs export: usage errors exit 2 with one line on stderr', async () => {
    let err = '';
    const io: CliIo = { out: () => undefined, err: (t) => void (err += t), isTTY: false };
    expect(await main(['export', ...base, '--from', 'soon', 'x.mp4'], io)).toBe(2);
    expect(err).toMatch(/^kvs: --from "soon" is neither/);
  });
});

describe('kvs export --help', () => {
  it('lists the usage and every option', async () => {
    let out = '';
    const io: CliIo = { out: (l) => void (out += `${l}\n`), err: () => undefined, isTTY: false };
    expect(await main(['export', '--help'], io)).toBe(0);
    expect(out).toContain(`Usage: ${EXPORT.usage}`);
    for (const [name, o] of Object.entries(EXPORT.options)) {
      expect(out).toContain(`--${name}`);
      expect(out).toContain(o.help);
    }
  });
});
