/**
 * Step 2: log in (password, private key, SSH agent or a remembered password), confirm the
 * server's key the first time, then see what is on the server.
 */
import {
  useId,
  useState,
  type ChangeEvent,
  type Dispatch,
  type FormEvent,
  type SetStateAction,
} from 'react';
import { SETUP_DEFAULTS, type SavedServer } from '../../../../electron/shared/contract.js';
import { useApi, useServicesReady } from '../../shared/api-context.js';
import { CheckField } from '../../shared/choice-fields.js';
import { LabelledField, SelectField, TextField } from '../../shared/labelled-field.js';
import { WizardNav } from '../../shared/wizard-nav.js';
import { Status, StatusLine } from '../../shared/status.js';
import { FactsPanel } from './facts-panel.js';
import { HostKeyPrompt, type UnknownHost } from './hostkey-prompt.js';
import {
  asksSudoPassword,
  authKindOptions,
  buildLogin,
  connectErrorHint,
  effectiveAuthKind,
  isPasswordLogin,
  keyFileProblem,
  keyTextProblem,
  rememberNote,
  type AuthKind,
  type LoginForm,
} from './login-form.js';
import { serverLabel, type ServerTarget, type SetupSession } from './server-form.js';
import { ErrorBox, useSetupAction, type SetupAction } from './setup-ui.js';

export interface LoginStepProps {
  readonly target: ServerTarget;
  readonly saved: SavedServer | undefined;
  readonly canRemember: boolean;
  readonly form: LoginForm;
  readonly setForm: Dispatch<SetStateAction<LoginForm>>;
  readonly session: SetupSession | null;
  onConnected(session: SetupSession): void;
  onBack(): void;
  onNext(): void;
}

export function LoginStep(props: LoginStepProps) {
  const action = useSetupAction();
  if (props.session !== null) {
    const s = props.session;
    return (
      <div className="setup-screen">
        <Status status="ok" headline={`Logged in to ${serverLabel(s.target)}`}>
          <StatusLine>
            Server key {s.hostKey.keyType} <span className="mono">{s.hostKey.fingerprint}</span>
          </StatusLine>
          {s.remembered && (
            <StatusLine data-testid="setup-remembered">
              The password is remembered, encrypted with the system keychain.
            </StatusLine>
          )}
        </Status>
        <FactsPanel
          facts={s.facts}
          installDir={s.factsDir}
          sessionId={s.sessionId}
          action={action}
        />
        <WizardNav
          back={{ onClick: props.onBack }}
          next={{
            label: 'Next: mode & version',
            testId: 'setup-next',
            onClick: props.onNext,
            disabled: action.pending,
          }}
        />
      </div>
    );
  }
  return <LoginFields {...props} action={action} />;
}

function LoginFields({
  target,
  saved,
  canRemember,
  form,
  setForm,
  onConnected,
  onBack,
  action,
}: LoginStepProps & { action: SetupAction }) {
  const api = useApi();
  const servicesReady = useServicesReady();
  const [prompt, setPrompt] = useState<UnknownHost | null>(null);
  const [rejected, setRejected] = useState(false);
  /** The key the person confirmed for this server: sent with every later try (a wrong password, say). */
  const [trusted, setTrusted] = useState<string | null>(null);
  const rememberNoteId = useId();
  const kind = effectiveAuthKind(form.kind, saved);
  const note = rememberNote(api.transport, canRemember, kind);
  const invalid = (at: string) => action.error?.at === at;

  const set = <K extends keyof LoginForm>(key: K, value: LoginForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (action.error?.at === `field-${key}`) action.clear();
  };

  const connect = (trustHostKey: string | null) => {
    const built = buildLogin(target, form, {
      saved,
      canRemember,
      trustHostKey: trustHostKey ?? undefined,
    });
    if (!built.ok) {
      action.fail(built.field === 'key' ? 'key' : `field-${built.field}`, built.error);
      return;
    }
    setRejected(false);
    setPrompt(null);
    void action.run('login', async () => {
      const result = await api.invoke('setup:connect', built.value);
      if (result.state === 'unknown-host') {
        setPrompt(result);
        return;
      }
      onConnected({
        sessionId: result.sessionId,
        target,
        hostKey: result.hostKey,
        facts: result.facts,
        factsDir: SETUP_DEFAULTS.installDir,
        remembered: result.remembered,
      });
    });
  };

  const onKeyFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    setForm((f) => ({ ...f, key: null }));
    if (!file) return;
    const problem = keyFileProblem(file);
    if (problem !== null) {
      action.fail('key', problem);
      return;
    }
    void action.run('key', async () => {
      const text = await file.text();
      const textProblem = keyTextProblem(file.name, text);
      if (textProblem !== null) throw new Error(textProblem);
      setForm((f) => ({ ...f, key: { name: file.name, text } }));
    });
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (prompt === null) connect(trusted);
  };

  const loginErrorAt = [
    'login',
    'field-password',
    'field-passphrase',
    'field-sudoPassword',
    'field-kind',
  ];

  return (
    <form className="setup-screen" onSubmit={onSubmit} noValidate>
      <p className="help">
        Log in to <strong className="mono">{serverLabel(target)}</strong> over SSH. The user needs
        to be allowed to use <code>sudo</code>.
      </p>
      <fieldset className="group" disabled={action.pending || prompt !== null}>
        <legend>Login</legend>
        <SelectField<AuthKind>
          label="How to log in"
          data-testid="setup-auth-kind"
          value={kind}
          onChange={(k) => {
            set('kind', k);
            action.clear();
          }}
          options={authKindOptions(saved)}
        />

        {kind === 'password' && (
          <TextField
            password
            label="Password"
            data-testid="setup-password"
            autoComplete="current-password"
            value={form.password}
            invalid={invalid('field-password')}
            onChange={(v) => set('password', v)}
          />
        )}
        {kind === 'saved' && (
          <p className="help">
            Uses the password remembered for this server (encrypted with the system keychain).
          </p>
        )}
        {kind === 'agent' && (
          <p className="help">
            Uses the keys loaded in the SSH agent of the computer running Kafka Video Studio (
            <code>ssh-add -l</code> lists them).
          </p>
        )}
        {kind === 'key' && (
          <>
            <LabelledField label="Private key file">
              {(id) => (
                <input
                  id={id}
                  data-testid="setup-key-file"
                  type="file"
                  aria-invalid={invalid('key')}
                  onChange={onKeyFile}
                />
              )}
            </LabelledField>
            {form.key !== null && (
              <p className="ok-text" data-testid="setup-key-name">
                Key read: <strong>{form.key.name}</strong>
              </p>
            )}
            <p className="help">
              Usually <code>~/.ssh/id_ed25519</code> or <code>~/.ssh/id_rsa</code> (not the .pub
              file). The page reads it and sends it to the service only to log in; it is not stored.
            </p>
            <ErrorBox error={action.error} at="key" />
            <TextField
              password
              label="Key passphrase (if it has one)"
              data-testid="setup-key-passphrase"
              value={form.passphrase}
              invalid={invalid('field-passphrase')}
              onChange={(v) => set('passphrase', v)}
            />
          </>
        )}
      </fieldset>

      <fieldset className="group" disabled={action.pending || prompt !== null}>
        <legend>sudo</legend>
        <CheckField
          label={`sudo uses the login password${isPasswordLogin(kind) ? '' : ' (password logins only)'}`}
          data-testid="setup-sudo-same"
          checked={isPasswordLogin(kind) && form.sudoSame}
          disabled={!isPasswordLogin(kind)}
          onChange={(on) => set('sudoSame', on)}
        />
        {asksSudoPassword(form, kind) && (
          <TextField
            password
            label={`sudo password${isPasswordLogin(kind) ? '' : ' (leave empty if sudo asks for none)'}`}
            data-testid="setup-sudo-password"
            value={form.sudoPassword}
            invalid={invalid('field-sudoPassword')}
            onChange={(v) => set('sudoPassword', v)}
          />
        )}
        <CheckField
          label="Remember the password on this computer"
          data-testid="setup-remember"
          checked={note === null && form.remember}
          disabled={note !== null}
          aria-describedby={note === null ? undefined : rememberNoteId}
          onChange={(on) => set('remember', on)}
        />
        {note !== null && (
          <p id={rememberNoteId} className="help" data-testid="setup-remember-note">
            {note}
          </p>
        )}
      </fieldset>

      {rejected && (
        <p className="muted" role="status">
          Not logged in: you did not trust the server&apos;s key. Nothing else was sent to it.
        </p>
      )}
      {prompt !== null && (
        <HostKeyPrompt
          prompt={prompt}
          pending={action.pending}
          onAccept={() => {
            setTrusted(prompt.fingerprint);
            connect(prompt.fingerprint);
          }}
          onReject={() => {
            setPrompt(null);
            setRejected(true);
          }}
        />
      )}

      <ErrorBox
        error={action.error}
        at={loginErrorAt}
        hint={connectErrorHint(action.error?.code ?? null)}
      />
      <WizardNav
        back={{ onClick: onBack, disabled: action.pending }}
        next={{
          label: action.running === 'login' ? 'Logging in…' : 'Log in',
          testId: 'setup-login',
          disabled: !servicesReady || action.pending || prompt !== null,
        }}
      />
    </form>
  );
}
