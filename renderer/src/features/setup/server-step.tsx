/** Step 1: which server (address, SSH port, user), or one logged in to before. */
import { useId, type FormEvent } from 'react';
import type { SavedServer } from '../../../../electron/shared/contract.js';
import { useApi, useServicesReady } from '../../shared/api-context.js';
import { TextField } from '../../shared/labelled-field.js';
import { NumberField } from '../../shared/number-field.js';
import { WizardNav } from '../../shared/wizard-nav.js';
import {
  checkServer,
  serverLabel,
  type ServerField,
  type ServerForm,
  type ServerTarget,
} from './server-form.js';
import { ErrorBox, useSetupAction, type SetupError } from './setup-ui.js';

export interface ServerStepProps {
  readonly form: ServerForm;
  onChange(form: ServerForm): void;
  readonly servers: readonly SavedServer[];
  /** Why the saved servers could not be listed. */
  readonly savedError: string | null;
  reloadSaved(): Promise<void>;
  /** Logged in already: the server can't change until disconnected. */
  readonly locked: boolean;
  onPickSaved(server: SavedServer): void;
  onNext(target: ServerTarget): void;
}

export function ServerStep(props: ServerStepProps) {
  const { form, onChange, servers, locked } = props;
  const api = useApi();
  const servicesReady = useServicesReady();
  const action = useSetupAction();
  const savedHeading = useId();
  const invalid = (field: ServerField) => action.error?.at === `field-${field}`;

  const set = (key: keyof ServerForm, value: string) => {
    onChange({ ...form, [key]: value });
    if (action.error?.at === `field-${key}`) action.clear();
  };

  const next = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkServer(form);
    if (!checked.ok) {
      action.fail(`field-${checked.field}`, checked.error);
      return;
    }
    action.clear();
    props.onNext(checked.value);
  };

  const forget = (s: SavedServer) => {
    void action.run('saved', async () => {
      await api.invoke('setup:forget-server', { host: s.host, port: s.port, user: s.user });
      await props.reloadSaved();
    });
  };

  const savedError: SetupError | null =
    props.savedError === null
      ? null
      : {
          at: 'saved',
          message: `Could not list saved servers: ${props.savedError}`,
          code: null,
          detail: null,
        };

  return (
    <form onSubmit={next} noValidate className="setup-screen">
      <p className="help">
        The Ubuntu (or Debian) server to install Kafka on. Kafka Video Studio logs in over SSH as
        this user and uses <code>sudo</code> for the steps that need it; you will see every command
        before anything runs.
      </p>
      {locked && (
        <p className="muted">You are logged in to this server. Disconnect to choose another one.</p>
      )}
      <fieldset className="group" disabled={locked}>
        <legend>Server</legend>
        <div className="setup-server-row">
          <div className="grow">
            <TextField
              label="Address"
              data-testid="setup-host"
              className="mono"
              placeholder="192.168.1.20"
              value={form.host}
              invalid={invalid('host')}
              onChange={(v) => set('host', v)}
            />
          </div>
          <div className="narrow">
            <NumberField
              label="SSH port"
              data-testid="setup-port"
              min={1}
              max={65535}
              value={form.port}
              invalid={invalid('port')}
              onChange={(v) => set('port', v)}
            />
          </div>
          <div className="grow">
            <TextField
              label="User"
              data-testid="setup-user"
              className="mono"
              autoComplete="username"
              placeholder="ubuntu"
              value={form.user}
              invalid={invalid('user')}
              onChange={(v) => set('user', v)}
            />
          </div>
        </div>
        <ErrorBox error={action.error} at={['field-host', 'field-port', 'field-user']} />
      </fieldset>

      {servers.length > 0 && (
        <div className="recent" aria-labelledby={savedHeading}>
          <h3 id={savedHeading}>Servers you logged in to before</h3>
          <ul className="setup-saved">
            {servers.map((s) => {
              const label = serverLabel(s);
              return (
                <li key={`${s.user}@${s.host}:${s.port}`}>
                  <button
                    type="button"
                    className="chip mono"
                    data-testid="setup-saved-server"
                    disabled={locked}
                    title={`Use ${label}`}
                    onClick={() => {
                      action.clear();
                      props.onPickSaved(s);
                    }}
                  >
                    {label}
                    {s.hasPassword && <span className="tag">password remembered</span>}
                  </button>
                  <button
                    type="button"
                    className="link danger-link"
                    data-testid="setup-forget-server"
                    aria-label={`Forget ${label}${s.hasPassword ? ' and its remembered password' : ''}`}
                    disabled={!servicesReady || action.pending}
                    onClick={() => forget(s)}
                  >
                    Forget
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <ErrorBox error={action.error ?? savedError} at="saved" />

      <WizardNav next={{ label: 'Next', testId: 'setup-next', disabled: action.pending }} />
    </form>
  );
}
