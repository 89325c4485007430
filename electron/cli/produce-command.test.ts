import { describe, expect, it } from 'vitest';
import { commandHelp } from './args.js';
import { CONSUME } from './consume-command.js';
import { PRODUCE, bitrateOption, codecOptions } from './produce-command.js';

describe('kvs produce: codec options', () => {
  it('H.264 is the default; --raw (the tutorial format) defaults to JPEG', () => {
    expect(codecOptions({})).toEqual({ codec: 'h264' });
    expect(codecOptions({ raw: true })).toEqual({ codec: 'jpeg' });
    expect(codecOptions({ codec: 'jpeg', quality: '70' })).toEqual({ codec: 'jpeg' });
  });

  it('takes a bitrate, a CRF and a keyframe interval for H.264', () => {
    expect(codecOptions({ bitrate: '2M', 'keyframe-interval': '2' })).toEqual({
      codec: 'h264',
      bitrateKbps: 2000,
      keyframeIntervalS: 2,
    });
    expect(codecOptions({ codec: 'h264', crf: '23' })).toEqual({ codec: 'h264', crf: 23 });
  });

  it.each([
    [{ raw: true, codec: 'h264' }, /--raw .*cannot carry H\.264/],
    [{ codec: 'vp9' }, /--codec must be h264 or jpeg/],
    [{ bitrate: '2M', crf: '23' }, /either --bitrate or --crf/],
    [{ codec: 'jpeg', bitrate: '2M' }, /--bitrate is for H\.264/],
    [{ raw: true, 'keyframe-interval': '1' }, /--keyframe-interval is for H\.264/],
    [{ quality: '80' }, /--quality is for JPEG/],
    [{ crf: '52' }, /--crf must be between 0 and 51/],
    [{ 'keyframe-interval': '0' }, /--keyframe-interval must be between 0\.1 and 60/],
  ])('refuses %j', (values, message) => {
    expect(() => codecOptions(values)).toThrow(message);
  });

  it('reads a bitrate the way ffmpeg writes one, in kbit/s', () => {
    expect(bitrateOption('2M')).toBe(2000);
    expect(bitrateOption('1.5m')).toBe(1500);
    expect(bitrateOption('800k')).toBe(800);
    expect(bitrateOption('750K')).toBe(750);
    expect(bitrateOption('3000000')).toBe(3000); // bits per second
    expect(bitrateOption(undefined)).toBeUndefined();
    expect(() => bitrateOption('fast')).toThrow(/like 2M or 1500k/);
    expect(() => bitrateOption('10k')).toThrow(/between 50k and 100M/);
    expect(() => bitrateOption('2G')).toThrow(/like 2M/);
  });
});

describe('kvs produce and consume --help', () => {
  it('lists the codec options and says H.264 is the default', () => {
    const help = commandHelp(PRODUCE);
    for (const flag of [
      '--codec h264|jpeg',
      '--bitrate <rate>',
      '--crf N',
      '--keyframe-interval S',
    ])
      expect(help).toContain(flag);
    expect(help).toMatch(/H\.264 is the default/);
    expect(help).toMatch(/--raw .*JPEG/);
  });

  it('consume says where H.264 goes with --out', () => {
    expect(commandHelp(CONSUME)).toMatch(/<streamId>\.h264/);
  });
});
