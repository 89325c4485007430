/**
 * The saved connection profiles, most recently used first (connections made with typed settings
 * become profiles too): one click connects; a profile whose secrets are not remembered asks for
 * them first, in place (and again if the service says one is missing). Edit and Delete beside each.
 */
import { useState, type FormEvent } from 'react';
import type { ConnectTarget } from '../../../../electron/shared/contract.js';
import {
  SECRET_LABELS,
  type ProfileSecrets,
  type ProfileView,
  type SecretName,
} from '../../../../electron/shared/connection-profile.js';
import { TextField, LabelledField } from '../../shared/labelled-field.js';
import { describeSecurity } from './profile-form-logic.js';
import { readFileBase64 } from './profile-files.js';

export interface ProfileListProps {
  readonly profiles: readonly ProfileView[];
  readonly busy: boolean;
  /** Connect with this profile; rejects with the service's error. */
  connect(target: ConnectTarget, profile: ProfileView): Promise<void>;
  edit(profile: ProfileView): void;
  /** Run the connection doctor over this profile's settings. */
  diagnose(profile: ProfileView): void;
  remove(profile: ProfileView): void;
  /** The profile whose secrets the service asked for (PROFILE_SECRETS_NEEDED), if any. */
  readonly asking: { readonly id: string; readonly missing: readonly SecretName[] } | null;
  /** The person closed the prompt the service asked for. */
  dismissAsking(): void;
}

export function ProfileList({
  profiles,
  busy,
  connect,
  edit,
  remove,
  asking,
  dismissAsking,
  diagnose,
}: ProfileListProps) {
  const [prompt, setPrompt] = useState<{ id: string; missing: readonly SecretName[] } | null>(null);
  const shown = prompt ?? asking;
  if (profiles.length === 0) return null;
  return (
    <div className="profiles">
      <h3>Profiles</h3>
      <ul className="profile-list" data-testid="profile-list">
        {profiles.map((p) => {
          const needsSecrets = p.secretsNeeded.length > 0 && !p.secretsRemembered;
          return (
            <li key={p.id} data-testid="profile" data-name={p.name}>
              <div className="row">
                <button
                  type="button"
                  className="chip"
                  data-testid="profile-connect"
                  disabled={busy}
                  title={`Connect to ${p.bootstrap}`}
                  onClick={() => {
                    if (needsSecrets)
                      setPrompt({ id: p.id, missing: p.secretsNeeded as SecretName[] });
                    else void connect({ profileId: p.id }, p).catch(() => undefined);
                  }}
                >
                  {p.name}
                </button>
                <span className="help grow">
                  <span className="mono">{p.bootstrap}</span> · {describeSecurity(p.security)}
                  {p.secretsNeeded.length > 0 &&
                    (p.secretsRemembered ? ' · secrets remembered' : ' · asks for its secrets')}
                </span>
                <button
                  type="button"
                  className="link"
                  data-testid="profile-diagnose"
                  title={`Check step by step whether ${p.bootstrap} can be used with these settings`}
                  onClick={() => diagnose(p)}
                >
                  Diagnose
                </button>
                <button
                  type="button"
                  className="link"
                  data-testid="profile-edit"
                  onClick={() => edit(p)}
                >
                  Edit
                </button>
                <button
                  type="button"
                  className="link danger-link"
                  data-testid="profile-delete"
                  onClick={() => remove(p)}
                >
                  Delete
                </button>
              </div>
              {shown?.id === p.id && (
                <SecretsPrompt
                  profile={p}
                  missing={shown.missing}
                  busy={busy}
                  onCancel={() => {
                    setPrompt(null);
                    dismissAsking();
                  }}
                  onSubmit={(secrets) => {
                    setPrompt(null);
                    dismissAsking();
                    void connect({ profileId: p.id, secrets }, p).catch(() => undefined);
                  }}
                />
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** Asks for the secrets a profile does not remember: typed ones, or files (a key, a PKCS#12). */
function SecretsPrompt(props: {
  readonly profile: ProfileView;
  readonly missing: readonly SecretName[];
  readonly busy: boolean;
  onSubmit(secrets: ProfileSecrets): void;
  onCancel(): void;
}) {
  const [values, setValues] = useState<ProfileSecrets>({});
  const ready = props.missing.every((k) => (values[k] ?? '') !== '');
  // a file secret comes with its (optional) password: a PKCS#12 bundle's, a PEM key's passphrase
  const asked: { name: SecretName; optional: boolean }[] = props.missing.flatMap((k) => [
    { name: k, optional: false },
    ...(k === 'pkcs12Base64' ? [{ name: 'pkcs12Password' as const, optional: true }] : []),
    ...(k === 'clientKey' ? [{ name: 'clientKeyPassword' as const, optional: true }] : []),
  ]);
  const set = (k: SecretName, v: string) => setValues((x) => ({ ...x, [k]: v }));
  return (
    <form
      className="secrets-prompt"
      data-testid="profile-secrets"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (ready) props.onSubmit(values);
      }}
    >
      <p className="help">
        “{props.profile.name}” does not remember its secrets. They are used for this connection
        only.
      </p>
      {asked.map(({ name: k, optional }) =>
        k === 'clientKey' || k === 'pkcs12Base64' ? (
          <LabelledField key={k} label={capital(SECRET_LABELS[k])}>
            {(id) => (
              <input
                id={id}
                type="file"
                data-testid={`profile-secret-${k}`}
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  if (!file) return;
                  void (k === 'clientKey' ? file.text() : readFileBase64(file)).then((v) =>
                    set(k, v),
                  );
                }}
              />
            )}
          </LabelledField>
        ) : (
          <TextField
            key={k}
            label={`${capital(SECRET_LABELS[k])}${optional ? ' (if it has one)' : ''}`}
            password
            autoFocus={!optional}
            data-testid={`profile-secret-${k}`}
            value={values[k] ?? ''}
            onChange={(v) => set(k, v)}
          />
        ),
      )}
      <div className="row">
        <button type="submit" data-testid="profile-secrets-connect" disabled={!ready || props.busy}>
          Connect
        </button>
        <button type="button" className="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function capital(s: string): string {
  const t = s.replace(/^the /, '');
  return t.charAt(0).toUpperCase() + t.slice(1);
}
