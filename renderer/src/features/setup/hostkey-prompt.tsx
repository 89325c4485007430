/** The first login to a server: its key, how to check it on the server, trust or not. */
import { useId } from 'react';
import type { SetupConnectResult } from '../../../../electron/shared/contract.js';
import { hostKeyCheckCommand } from './login-form.js';

export type UnknownHost = Extract<SetupConnectResult, { state: 'unknown-host' }>;

export function HostKeyPrompt({
  prompt,
  pending,
  onAccept,
  onReject,
}: {
  prompt: UnknownHost;
  pending: boolean;
  onAccept(): void;
  onReject(): void;
}) {
  const heading = useId();
  const text = useId();
  const where = prompt.port === 22 ? prompt.host : `${prompt.host}:${prompt.port}`;
  return (
    <div
      className="setup-hostkey"
      role="dialog"
      aria-modal="false"
      aria-labelledby={heading}
      aria-describedby={text}
      data-testid="setup-hostkey"
    >
      <h3 id={heading}>First login to {where}: is this the server&apos;s key?</h3>
      <p id={text}>
        This computer has not seen <strong>{where}</strong> before. The server identifies itself
        with this {prompt.keyType} key:
      </p>
      <p className="setup-fingerprint mono" data-testid="setup-hostkey-fingerprint">
        {prompt.fingerprint}
      </p>
      <p className="help">
        To be sure you reach your server and not someone in between, compare it with what the server
        itself prints (in its console, or a session you trust):{' '}
        <code>{hostKeyCheckCommand(prompt.keyType)}</code>. When they are the same, trust it: the
        key is remembered and checked at every later login.
      </p>
      <div className="row">
        <button
          type="button"
          data-testid="setup-hostkey-accept"
          onClick={onAccept}
          disabled={pending}
        >
          {pending ? 'Logging in…' : 'Trust this key and log in'}
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="setup-hostkey-reject"
          onClick={onReject}
          disabled={pending}
        >
          Don&apos;t trust it
        </button>
      </div>
    </div>
  );
}
