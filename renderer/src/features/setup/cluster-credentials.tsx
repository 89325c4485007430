/**
 * The login fields of one server (or of every server, with one login for all): password, private
 * key or SSH agent, and sudo's password. Nothing is remembered on the cluster path.
 */
import { useState, type ChangeEvent } from 'react';
import { CheckField } from '../../shared/choice-fields.js';
import { LabelledField, SelectField, TextField } from '../../shared/labelled-field.js';
import {
  asksSudoPassword,
  authKindOptions,
  isPasswordLogin,
  keyFileProblem,
  keyTextProblem,
  type AuthKind,
  type LoginForm,
} from './login-form.js';

export function ClusterCredentials({
  form,
  onChange,
  testId,
  invalid,
  disabled,
}: {
  form: LoginForm;
  onChange(form: LoginForm): void;
  /** Prefix of every control's data-testid, e.g. `cluster` or `cluster-1`. */
  testId: string;
  /** The field a failed check points at (password, key, passphrase, sudoPassword), if here. */
  invalid: string | null;
  disabled: boolean;
}) {
  const [keyError, setKeyError] = useState<string | null>(null);
  const kind = form.kind === 'saved' ? 'password' : form.kind;
  const set = <K extends keyof LoginForm>(key: K, value: LoginForm[K]) =>
    onChange({ ...form, [key]: value });

  const onKeyFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    setKeyError(null);
    onChange({ ...form, key: null });
    if (!file) return;
    const problem = keyFileProblem(file);
    if (problem !== null) {
      setKeyError(problem);
      return;
    }
    file.text().then(
      (text) => {
        const textProblem = keyTextProblem(file.name, text);
        if (textProblem !== null) setKeyError(textProblem);
        else onChange({ ...form, key: { name: file.name, text } });
      },
      (err: unknown) => setKeyError(`Could not read ${file.name}: ${String(err)}`),
    );
  };

  return (
    <fieldset className="group" disabled={disabled}>
      <legend>Login</legend>
      <SelectField<AuthKind>
        label="How to log in"
        data-testid={`${testId}-auth-kind`}
        value={kind}
        onChange={(k) => set('kind', k)}
        options={authKindOptions(undefined)}
      />
      {kind === 'password' && (
        <TextField
          password
          label="Password"
          data-testid={`${testId}-password`}
          autoComplete="current-password"
          value={form.password}
          invalid={invalid === 'password'}
          onChange={(v) => set('password', v)}
        />
      )}
      {kind === 'agent' && (
        <p className="help">
          Uses the keys loaded in the SSH agent of the computer running Kafka Video Studio.
        </p>
      )}
      {kind === 'key' && (
        <>
          <LabelledField label="Private key file">
            {(id) => (
              <input
                id={id}
                data-testid={`${testId}-key-file`}
                type="file"
                aria-invalid={invalid === 'key' || keyError !== null}
                onChange={onKeyFile}
              />
            )}
          </LabelledField>
          {form.key !== null && (
            <p className="ok-text">
              Key read: <strong>{form.key.name}</strong>
            </p>
          )}
          {keyError !== null && (
            <p className="field-error" role="alert">
              {keyError}
            </p>
          )}
          <TextField
            password
            label="Key passphrase (if it has one)"
            data-testid={`${testId}-key-passphrase`}
            value={form.passphrase}
            invalid={invalid === 'passphrase'}
            onChange={(v) => set('passphrase', v)}
          />
        </>
      )}
      <CheckField
        label={`sudo uses the login password${isPasswordLogin(kind) ? '' : ' (password logins only)'}`}
        data-testid={`${testId}-sudo-same`}
        checked={isPasswordLogin(kind) && form.sudoSame}
        disabled={!isPasswordLogin(kind)}
        onChange={(on) => set('sudoSame', on)}
      />
      {asksSudoPassword(form, kind) && (
        <TextField
          password
          label={`sudo password${isPasswordLogin(kind) ? '' : ' (leave empty if sudo asks for none)'}`}
          data-testid={`${testId}-sudo-password`}
          value={form.sudoPassword}
          invalid={invalid === 'sudoPassword'}
          onChange={(v) => set('sudoPassword', v)}
        />
      )}
    </fieldset>
  );
}
