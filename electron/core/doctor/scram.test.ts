/** The SCRAM client against RFC 7677's SCRAM-SHA-256 example, and its refusals. */
import { describe, expect, it } from 'vitest';
import {
  checkServerFinal,
  clientFinal,
  clientFirst,
  parseServerFirst,
  saltedPassword,
  saslName,
} from './scram.js';

describe('SCRAM client', () => {
  it('computes RFC 7677 §3 (user "user", password "pencil") exactly', async () => {
    const first = clientFirst('user', 'rOprNGfwEbeRWgbNEkqO');
    expect(first.message).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const serverFirst =
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
    const parsed = parseServerFirst(serverFirst, first.nonce);
    if (!parsed.ok) throw new Error(parsed.reason);
    const salted = await saltedPassword(
      'sha256',
      'pencil',
      parsed.value.salt,
      parsed.value.iterations,
    );
    const final = clientFinal('sha256', salted, first, serverFirst, parsed.value);
    expect(final.message).toBe(
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    );
    expect(
      checkServerFinal('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=', final.serverSignature),
    ).toEqual({ ok: true });
    expect(checkServerFinal('v=AAAA', final.serverSignature).ok).toBe(false);
    expect(checkServerFinal('e=invalid-proof', final.serverSignature)).toEqual({
      ok: false,
      reason: 'the broker said "invalid-proof"',
    });
  });

  it('escapes "=" and "," in the user name', () => {
    expect(saslName('a=b,c')).toBe('a=3Db=2Cc');
  });

  it('refuses a server nonce that does not extend ours, a missing salt, too few iterations', () => {
    expect(parseServerFirst('r=other,s=AA==,i=4096', 'mine').ok).toBe(false);
    expect(parseServerFirst('r=mineX,i=4096', 'mine').ok).toBe(false);
    // fewer than Kafka's 4096 iterations: a proof cheap to brute force for whoever answers
    expect(parseServerFirst('r=mineX,s=AA==,i=4095', 'mine')).toEqual({
      ok: false,
      reason: 'its SCRAM iteration count 4095 is out of range',
    });
    expect(parseServerFirst('r=mineX,s=AA==,i=4096', 'mine').ok).toBe(true);
    expect(parseServerFirst('e=unknown-user', 'mine')).toEqual({
      ok: false,
      reason: 'the broker said "unknown-user"',
    });
  });
});
