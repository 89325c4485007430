import { describe, expect, it } from 'vitest';
import { passthroughOptionFor } from './passthrough-option.js';

describe('passthroughOptionFor', () => {
  it('-fps_mode from ffmpeg 5.1 on, -vsync before', () => {
    expect(passthroughOptionFor('ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026')).toBe(
      '-fps_mode',
    );
    expect(passthroughOptionFor('ffmpeg version 6.0-static https://johnvansickle.com')).toBe(
      '-fps_mode',
    );
    expect(passthroughOptionFor('ffmpeg version 7.1.1 Copyright')).toBe('-fps_mode');
    expect(passthroughOptionFor('ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright')).toBe('-vsync');
    expect(passthroughOptionFor('ffmpeg version n4.3.1 Copyright')).toBe('-vsync');
    expect(passthroughOptionFor('ffmpeg version 5.0.1 Copyright')).toBe('-vsync');
  });
  it('a version it cannot read (a git build) is taken as new', () => {
    expect(passthroughOptionFor('ffmpeg version N-112345-gabcdef Copyright')).toBe('-fps_mode');
    expect(passthroughOptionFor('')).toBe('-fps_mode');
  });
});
