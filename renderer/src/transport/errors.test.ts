import { describe, expect, it } from 'vitest';
import { errorCode, errorMessage, KvsCallError } from './errors.js';

describe('errorMessage', () => {
  it('shows the message of anything thrown', () => {
    expect(errorMessage(new KvsCallError({ code: 'X', message: 'Broker refused.' }))).toBe(
      'Broker refused.',
    );
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage({ message: 'obj' })).toBe('obj');
    expect(errorMessage(undefined)).toMatch(/no details/);
  });
  it("removes Electron's remote-method prefix", () => {
    expect(
      errorMessage(
        new Error("Error invoking remote method 'kvs:topics:list': Error: Not connected."),
      ),
    ).toBe('Not connected.');
  });
  it('reads codes', () => {
    expect(errorCode(new KvsCallError({ code: 'X', message: 'm' }))).toBe('X');
    expect(errorCode(new Error('m'))).toBeNull();
  });
});
