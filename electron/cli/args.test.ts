import { describe, expect, it } from 'vitest';
import { intOption, numberOption, parse, requireOption, timeOption } from './args.js';

describe('cli option parsing', () => {
  it('parses known options and refuses unknown ones with a plain message', () => {
    const spec = { topic: { type: 'string' }, json: { type: 'boolean' } } as const;
    const r = parse(['file.mp4', '--topic', 't', '--json'], spec, 1);
    expect(r.values.topic).toBe('t');
    expect(r.positionals).toEqual(['file.mp4']);
    expect(() => parse(['--nope'], spec, 1)).toThrow(/Unknown option '--nope'/);
    expect(() => parse(['a', 'b'], spec, 1)).toThrow(/Unexpected argument "b"/);
  });

  it('validates numbers and ranges', () => {
    expect(intOption('30', 'fps', 1, 240)).toBe(30);
    expect(intOption(undefined, 'fps', 1, 240)).toBeUndefined();
    expect(() => intOption('0', 'fps', 1, 240)).toThrow(/between 1 and 240/);
    expect(() => intOption('3.5', 'fps', 1, 240)).toThrow(/whole number/);
    expect(numberOption('29.97', 'fps', 0.1, 240)).toBeCloseTo(29.97);
    expect(() => numberOption('-1', 'fps', 0.1, 240)).toThrow(/must be a number/);
  });

  it('reads --from-time as ISO or epoch milliseconds', () => {
    expect(timeOption('2026-11-25T10:00:00Z')).toBe(Date.UTC(2026, 10, 25, 10));
    expect(timeOption('1764064800000')).toBe(1764064800000);
    expect(() => timeOption('yesterday')).toThrow(/neither an ISO time/);
  });

  it('requires what is required', () => {
    expect(() => requireOption(undefined, 'bootstrap', '10.0.0.5:9092')).toThrow(
      /--bootstrap is required/,
    );
  });
});
