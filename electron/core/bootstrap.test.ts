import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseBootstrap } from './bootstrap.js';

describe('parseBootstrap', () => {
  it('accepts the documented IPv4 form', () => {
    const r = parseBootstrap('10.0.0.5:9092');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.brokers).toEqual(['10.0.0.5:9092']);
    expect(r.notes).toEqual([]);
  });

  it('fills in 9092 when the port is omitted, and says so', () => {
    const r = parseBootstrap(' 10.0.0.5 , 10.0.0.6:9093 ');
    expect(r.ok && r.normalized).toBe('10.0.0.5:9092,10.0.0.6:9093');
    expect(r.ok && r.notes.map((n) => n.code)).toEqual(['PORT_DEFAULTED']);
  });

  it('accepts localhost and 127.x with a note that only this machine can use it', () => {
    for (const s of ['localhost:9092', '127.0.0.1:9092', '127.1.2.3']) {
      const r = parseBootstrap(s);
      expect(r.ok, s).toBe(true);
      expect(r.ok && r.notes.some((n) => n.code === 'LOOPBACK_ONLY'), s).toBe(true);
    }
  });

  it('accepts bracketed IPv6', () => {
    const r = parseBootstrap('[::1]:9092,[fe80::1]');
    expect(r.ok && r.brokers).toEqual(['[::1]:9092', '[fe80::1]:9092']);
  });

  it.each([
    ['PLAINTEXT://10.0.0.5:9092', /PLAINTEXT:\/\/.*client gives only host:port, e.g. 10.0.0.5:9092/],
    ['10.0.0.256:9092', /each part must be 0–255/],
    ['10.0.0:9092', /four numbers/],
    ['10.0.0.05:9092', /leading zero/],
    ['10.0.0.5:99999', /out of range/],
    ['10.0.0.5:0', /out of range/],
    ['10.0.0.5:abc', /not a number/],
    ['10.0.0.5:', /port after ':' is empty/],
    ['10.0.0.5 :9092', /contains a space/],
    ['10.0.0.5:9092,,10.0.0.6:9092', /empty: remove the extra comma/],
    ['', /Enter the broker's address/],
    ['0.0.0.0:9092', /all interfaces/],
    ['::1:9092', /brackets|more than one/],
    ['fe80::1', /brackets/],
    ['my_host:9092', /not a valid host name/],
    ['10.0.0.5:9092,10.0.0.5:9092', /twice/],
    [':9092', /no host/],
  ])('refuses %j with a precise message', (input, message) => {
    const r = parseBootstrap(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it('never throws and always returns a typed result (property)', () => {
    const alphabet = fc.constantFrom(...'0123456789.:,[]abcdefxyzPLAINTEXT/ -_@%\n\t\u00e9\u{1F3AC}'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(alphabet, { maxLength: 60 }).map((a) => a.join(''))), (s) => {
        const r = parseBootstrap(s);
        if (r.ok) {
          expect(r.brokers.length).toBeGreaterThan(0);
          for (const e of r.entries) {
            expect(e.port).toBeGreaterThanOrEqual(1);
            expect(e.port).toBeLessThanOrEqual(65535);
            expect(e.address).not.toMatch(/\s|,/);
          }
        } else {
          expect(typeof r.error).toBe('string');
          expect(r.error.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
    for (const v of [null, undefined, 42, {}, []]) expect(parseBootstrap(v).ok).toBe(false);
  });

  it('round-trips every valid IPv4 host:port (property)', () => {
    fc.assert(
      fc.property(
        fc.ipV4().filter((ip) => ip !== '0.0.0.0'),
        fc.integer({ min: 1, max: 65535 }),
        (ip, port) => {
          const r = parseBootstrap(`${ip}:${port}`);
          expect(r.ok && r.normalized).toBe(`${ip}:${port}`);
        },
      ),
    );
  });
});
