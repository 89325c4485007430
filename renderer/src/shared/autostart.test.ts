import { describe, expect, it } from 'vitest';
import { readAutostart, readBenchFlag } from './autostart.js';

describe('readAutostart', () => {
  it('reads a valid bootstrap and topic from the hash', () => {
    expect(readAutostart('#bootstrap=127.0.0.1%3A9092&watch=demo')).toEqual({
      bootstrap: '127.0.0.1:9092',
      watch: 'demo',
      watchFrom: null,
    });
    expect(readAutostart('bootstrap=10.0.0.5')).toEqual({
      bootstrap: '10.0.0.5:9092',
      watch: null,
      watchFrom: null,
    });
    expect(readAutostart('#watch=demo&watchFrom=1764806400000').watchFrom).toBe('1764806400000');
  });
  it('ignores invalid values', () => {
    expect(readAutostart('#bootstrap=PLAINTEXT://x:1&watch=a%20b')).toEqual({
      bootstrap: null,
      watch: null,
      watchFrom: null,
    });
    expect(readAutostart('')).toEqual({ bootstrap: null, watch: null, watchFrom: null });
    expect(readAutostart('#watch=demo&watchFrom=-5').watchFrom).toBeNull();
    expect(readAutostart('#watch=demo&watchFrom=soon').watchFrom).toBeNull();
  });
});

describe('readBenchFlag', () => {
  it('is on only for bench=1', () => {
    expect(readBenchFlag('#bootstrap=127.0.0.1%3A9092&watch=demo&bench=1')).toBe(true);
    expect(readBenchFlag('bench=1')).toBe(true);
    expect(readBenchFlag('#bench=0')).toBe(false);
    expect(readBenchFlag('#watch=demo')).toBe(false);
    expect(readBenchFlag('')).toBe(false);
  });
});
