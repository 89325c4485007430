/**
 * The connection-profile form: a name, the bootstrap list, the security protocol, then only what
 * that protocol uses — TLS (the CA or the system store, a client certificate as PEM or PKCS#12, the
 * hostname check, whose turning off is an explicit choice with a warning) and the SASL login (PLAIN,
 * SCRAM, OAUTHBEARER with a token or client credentials) — and whether to remember the secrets
 * (only in the desktop app with the system keychain). "Import client.properties…" fills it from the
 * Java client's file and the stores it names, picked together.
 *
 * Files are read here (PEM as text, PKCS#12 as bytes) and sent as data: the page never holds a path,
 * and the same works in the desktop app and in a browser on `kvs serve`.
 */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import {
  SASL_MECHANISMS,
  SECURITY_PROTOCOLS,
} from '../../../../electron/shared/connection-security.js';
import type {
  ProfileSecrets,
  ProfileView,
} from '../../../../electron/shared/connection-profile.js';
import { useAction, useApi } from '../../shared/api-context.js';
import { CheckField, RadioGroup } from '../../shared/choice-fields.js';
import { LabelledField, SelectField, TextField } from '../../shared/labelled-field.js';
import {
  buildSave,
  formFromImport,
  usesSasl,
  usesTls,
  type FormErrors,
  type ProfileForm,
} from './profile-form-logic.js';
import { readFileBase64, splitImportPick } from './profile-files.js';

export interface ProfileFormProps {
  readonly initial: ProfileForm;
  readonly canRemember: boolean;
  /** Saved (and, with `connect`, to be connected with these secrets). */
  onSaved(profile: ProfileView, connect: boolean, secrets: ProfileSecrets): void;
  onCancel(): void;
}

export function ProfileFormView({ initial, canRemember, onSaved, onCancel }: ProfileFormProps) {
  const api = useApi();
  const [f, setF] = useState<ProfileForm>(initial);
  const [errors, setErrors] = useState<FormErrors>({});
  const [importNote, setImportNote] = useState<string | null>(null);
  const save = useAction();
  const importing = useAction();
  const heading = useId();
  const set = <K extends keyof ProfileForm>(k: K, v: ProfileForm[K]) => {
    setF((x) => ({ ...x, [k]: v }));
    setErrors((e) => ({ ...e, [k]: undefined }));
  };

  const submit = (connect: boolean) => {
    const built = buildSave(f);
    if (!built.ok) {
      setErrors(built.errors);
      return;
    }
    void save.run(async () => {
      const saved = await api.invoke('profiles:save', built.save);
      onSaved(saved, connect, built.secrets);
    });
  };

  const onImport = (files: FileList | null) => {
    if (files === null || files.length === 0) return;
    void importing.run(async () => {
      const pick = await splitImportPick([...files]);
      const r = await api.invoke('profiles:import', pick);
      setF((x) => formFromImport(r, pick.fileName, x));
      setErrors({});
      setImportNote(
        `Read ${pick.fileName}.${r.unused.length > 0 ? ` Not used: ${r.unused.join(', ')}.` : ''} Check the settings and save.`,
      );
    });
  };

  const secretHint = f.remembered ? 'remembered — leave empty to keep it' : undefined;
  const tls = usesTls(f.protocol);
  const sasl = usesSasl(f.protocol);

  return (
    <form
      className="profile-form"
      data-testid="profile-form"
      aria-labelledby={heading}
      noValidate
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        submit(true);
      }}
    >
      <h3 id={heading}>{f.id === null ? 'New connection profile' : `Edit “${initial.name}”`}</h3>
      <LabelledField label="Import a client.properties (pick it together with the truststore and keystore it names)">
        {(id) => (
          <input
            id={id}
            type="file"
            multiple
            data-testid="profile-import"
            disabled={importing.pending}
            onChange={(e) => {
              onImport(e.target.files);
              e.target.value = '';
            }}
          />
        )}
      </LabelledField>
      {importNote && (
        <p className="help" data-testid="profile-import-note">
          {importNote}
        </p>
      )}
      {importing.error && (
        <p className="error-text" role="alert" data-testid="profile-import-error">
          {importing.error}
        </p>
      )}

      <div className="form-grid">
        <TextField
          label="Name"
          data-testid="profile-name"
          value={f.name}
          invalid={errors.name !== undefined}
          onChange={(v) => set('name', v)}
        />
        <FieldError text={errors.name} />
        <TextField
          label="Bootstrap servers"
          data-testid="profile-bootstrap"
          className="mono"
          placeholder="10.0.0.5:9093"
          value={f.bootstrap}
          invalid={errors.bootstrap !== undefined}
          onChange={(v) => set('bootstrap', v)}
        />
        <FieldError text={errors.bootstrap} />
        <SelectField
          label="Security protocol"
          data-testid="profile-protocol"
          value={f.protocol}
          onChange={(v) => set('protocol', v)}
          options={SECURITY_PROTOCOLS.map((p) => ({ value: p, label: p }))}
        />
      </div>

      {tls && (
        <fieldset data-testid="profile-tls">
          <legend>TLS</legend>
          <RadioGroup
            label="Trust"
            value={f.caMode}
            onChange={(v) => set('caMode', v)}
            options={[
              { value: 'system', label: 'The system’s CA store', testId: 'profile-ca-system' },
              { value: 'pem', label: 'This CA certificate (PEM)', testId: 'profile-ca-pem' },
            ]}
          />
          {f.caMode === 'pem' && (
            <PemInput
              label="CA certificate"
              testId="profile-ca"
              value={f.caPem}
              error={errors.caPem}
              onChange={(v) => set('caPem', v)}
            />
          )}
          <RadioGroup
            label="Client certificate"
            value={f.clientMode}
            onChange={(v) => set('clientMode', v)}
            options={[
              { value: 'none', label: 'No client certificate', testId: 'profile-client-none' },
              { value: 'pem', label: 'Certificate and key (PEM)', testId: 'profile-client-pem' },
              { value: 'pkcs12', label: 'PKCS#12 (.p12)', testId: 'profile-client-pkcs12' },
            ]}
          />
          {f.clientMode === 'pem' && (
            <>
              <PemInput
                label="Client certificate"
                testId="profile-client-cert"
                value={f.clientCert}
                error={errors.clientCert}
                onChange={(v) => set('clientCert', v)}
              />
              <SecretFileInput
                label="Private key (PEM)"
                testId="profile-client-key"
                loaded={f.clientKey !== ''}
                hint={secretHint}
                error={errors.clientKey}
                read={(file) => file.text()}
                onChange={(v) => set('clientKey', v)}
              />
              <TextField
                label="Key passphrase (if it has one)"
                password
                data-testid="profile-client-key-password"
                value={f.clientKeyPassword}
                onChange={(v) => set('clientKeyPassword', v)}
              />
            </>
          )}
          {f.clientMode === 'pkcs12' && (
            <>
              <SecretFileInput
                label="PKCS#12 file"
                testId="profile-pkcs12"
                loaded={f.pkcs12Base64 !== ''}
                hint={secretHint}
                read={readFileBase64}
                onChange={(v) => set('pkcs12Base64', v)}
              />
              <TextField
                label="PKCS#12 password"
                password
                data-testid="profile-pkcs12-password"
                value={f.pkcs12Password}
                onChange={(v) => set('pkcs12Password', v)}
              />
            </>
          )}
          <CheckField
            label="Check that the certificate names the broker (hostname verification)"
            data-testid="profile-verify-hostname"
            checked={f.verifyHostname}
            onChange={(v) => set('verifyHostname', v)}
          />
          {!f.verifyHostname && (
            <p className="warning" data-testid="profile-hostname-warning">
              Without this check, anyone on the network path with any certificate from your CA could
              pose as the broker and read or change your streams. Turn it off only for a test
              cluster whose certificates do not name its addresses — and fix the certificates.
            </p>
          )}
        </fieldset>
      )}

      {sasl && (
        <fieldset data-testid="profile-sasl">
          <legend>SASL login</legend>
          <SelectField
            label="Mechanism"
            data-testid="profile-mechanism"
            value={f.mechanism}
            onChange={(v) => set('mechanism', v)}
            options={SASL_MECHANISMS.map((m) => ({ value: m, label: m }))}
          />
          {f.mechanism !== 'OAUTHBEARER' ? (
            <div className="form-grid">
              <TextField
                label="User"
                data-testid="profile-username"
                value={f.username}
                invalid={errors.username !== undefined}
                onChange={(v) => set('username', v)}
              />
              <FieldError text={errors.username} />
              <TextField
                label="Password"
                password
                data-testid="profile-password"
                placeholder={secretHint}
                value={f.password}
                onChange={(v) => set('password', v)}
              />
            </div>
          ) : (
            <>
              <RadioGroup
                label="Token"
                value={f.oauthKind}
                onChange={(v) => set('oauthKind', v)}
                options={[
                  { value: 'fixed', label: 'A token I paste', testId: 'profile-oauth-fixed' },
                  {
                    value: 'client-credentials',
                    label: 'Client credentials (the app asks the token endpoint)',
                    testId: 'profile-oauth-cc',
                  },
                ]}
              />
              {f.oauthKind === 'fixed' ? (
                <TextField
                  label="Token"
                  password
                  data-testid="profile-oauth-token"
                  placeholder={secretHint}
                  value={f.oauthToken}
                  onChange={(v) => set('oauthToken', v)}
                />
              ) : (
                <div className="form-grid">
                  <TextField
                    label="Token endpoint"
                    className="mono"
                    data-testid="profile-oauth-endpoint"
                    value={f.tokenEndpoint}
                    invalid={errors.tokenEndpoint !== undefined}
                    onChange={(v) => set('tokenEndpoint', v)}
                  />
                  <FieldError text={errors.tokenEndpoint} />
                  <TextField
                    label="Client id"
                    data-testid="profile-oauth-client-id"
                    value={f.clientId}
                    invalid={errors.clientId !== undefined}
                    onChange={(v) => set('clientId', v)}
                  />
                  <FieldError text={errors.clientId} />
                  <TextField
                    label="Client secret"
                    password
                    data-testid="profile-oauth-client-secret"
                    placeholder={secretHint}
                    value={f.clientSecret}
                    onChange={(v) => set('clientSecret', v)}
                  />
                  <TextField
                    label="Scope (optional)"
                    data-testid="profile-oauth-scope"
                    value={f.scope}
                    onChange={(v) => set('scope', v)}
                  />
                </div>
              )}
            </>
          )}
        </fieldset>
      )}

      {(tls || sasl) && (
        <>
          <CheckField
            label="Remember passwords and keys on this computer (encrypted by the system keychain)"
            data-testid="profile-remember"
            checked={f.remember && canRemember}
            disabled={!canRemember}
            onChange={(v) => set('remember', v)}
          />
          {!canRemember && (
            <p className="help" data-testid="profile-remember-unavailable">
              Not available here (it needs the desktop app with the system keychain): the profile is
              saved without its secrets, and connecting asks for them.
            </p>
          )}
        </>
      )}

      <div className="row">
        <button type="submit" data-testid="profile-save-connect" disabled={save.pending}>
          {save.pending ? 'Saving…' : 'Save and connect'}
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="profile-save"
          disabled={save.pending}
          onClick={() => submit(false)}
        >
          Save
        </button>
        <button type="button" className="secondary" data-testid="profile-cancel" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {save.error && (
        <p className="error-text" role="alert" data-testid="profile-save-error">
          {save.error}
        </p>
      )}
    </form>
  );
}

function FieldError({ text }: { readonly text: string | undefined }): ReactNode {
  return text === undefined ? null : <p className="field-error">{text}</p>;
}

/** A PEM document: pasted, or read from a file. */
function PemInput(props: {
  readonly label: string;
  readonly testId: string;
  readonly value: string;
  readonly error: string | undefined;
  onChange(v: string): void;
}) {
  const id = useId();
  return (
    <div className="pem-input">
      <label htmlFor={id}>{props.label}</label>
      <div>
        <textarea
          id={id}
          className="mono"
          rows={3}
          spellCheck={false}
          data-testid={props.testId}
          placeholder="-----BEGIN CERTIFICATE-----"
          value={props.value}
          aria-invalid={props.error !== undefined}
          onChange={(e) => props.onChange(e.target.value)}
        />
        <input
          type="file"
          aria-label={`${props.label}: read from a file`}
          data-testid={`${props.testId}-file`}
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void file.text().then(props.onChange);
          }}
        />
      </div>
      <FieldError text={props.error} />
    </div>
  );
}

/** A secret file (a private key, a PKCS#12 bundle): read, never shown. */
function SecretFileInput(props: {
  readonly label: string;
  readonly testId: string;
  readonly loaded: boolean;
  readonly hint: string | undefined;
  readonly error?: string | undefined;
  read(file: File): Promise<string>;
  onChange(v: string): void;
}) {
  const [name, setName] = useState<string | null>(null);
  return (
    <div className="pem-input">
      <LabelledField label={props.label}>
        {(id) => (
          <div className="row">
            <input
              id={id}
              type="file"
              data-testid={props.testId}
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (!file) return;
                setName(file.name);
                void props.read(file).then(props.onChange);
              }}
            />
            <span className="help" data-testid={`${props.testId}-state`}>
              {props.loaded ? `${name ?? 'Loaded'} ✓` : (props.hint ?? 'none chosen')}
            </span>
          </div>
        )}
      </LabelledField>
      <FieldError text={props.error} />
    </div>
  );
}
