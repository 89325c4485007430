/** The SASL login's pure parts: the SaslAuthenticate version, its response codec, the OAUTHBEARER error status. */
import { describe, expect, it } from 'vitest';
import { oauthStatus, pickSaslAuthenticateVersion } from './sasl-login.js';
import { Writer } from './wire-codec.js';
import { decodeSaslAuthenticateResponse, encodeSaslAuthenticateRequest } from './wire-messages.js';

describe('SASL login, pure parts', () => {
  it('SaslAuthenticate v1 when offered, v0 when only it is, none when only flexible versions are', () => {
    expect(pickSaslAuthenticateVersion(new Map([[36, { min: 0, max: 2 }]]))).toBe(1);
    expect(pickSaslAuthenticateVersion(new Map([[36, { min: 0, max: 0 }]]))).toBe(0);
    expect(pickSaslAuthenticateVersion(new Map([[36, { min: 2, max: 2 }]]))).toBeNull();
    expect(pickSaslAuthenticateVersion(null)).toBe(0);
  });

  it('encodes the auth bytes with an int32 length; decodes v0 and v1 responses, never throwing', () => {
    expect([...encodeSaslAuthenticateRequest(Buffer.from('ab'))]).toEqual([0, 0, 0, 2, 97, 98]);
    const v1 = new Writer()
      .int16(58)
      .nullableString('Authentication failed')
      .sizedBytes(Buffer.from('x'))
      .int32(0)
      .int32(0) // session_lifetime_ms (v1), ignored
      .build();
    expect(decodeSaslAuthenticateResponse(v1)).toEqual({
      ok: true,
      value: { errorCode: 58, errorMessage: 'Authentication failed', authBytes: Buffer.from('x') },
    });
    for (let n = 0; n < v1.length - 8; n += 1)
      expect(decodeSaslAuthenticateResponse(v1.subarray(0, n)).ok).toBe(false);
  });

  it('reads the status of an OAUTHBEARER error challenge, and survives garbage', () => {
    expect(oauthStatus('{"status":"invalid_token"}')).toBe(
      'the broker rejected the token: invalid_token',
    );
    expect(oauthStatus('not json')).toBe('the broker rejected the token');
  });
});
