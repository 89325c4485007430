/**
 * Step 3: KRaft or ZooKeeper, the Kafka version, the address clients bootstrap from,
 * where Kafka comes from (a mirror, or a .tgz from this computer), the install folder, the
 * firewall, and "TLS + SCRAM login" (its user and a generated password). "Show the plan" asks the
 * service for every step before anything runs.
 */
import { useId, type Dispatch, type SetStateAction } from 'react';
import {
  SETUP_DEFAULTS,
  type SetupPlanRequest,
  type SetupPlanView,
  type SetupServerFacts,
} from '../../../../electron/shared/contract.js';
import { useApi } from '../../shared/api-context.js';
import { CheckField } from '../../shared/choice-fields.js';
import { SelectField, TextField } from '../../shared/labelled-field.js';
import {
  advertiseNotes,
  buildPlanRequest,
  effectiveAdvertise,
  effectiveVersion,
  generateScramPassword,
  MODE_OPTIONS,
  modeVersionProblem,
  secureVersionProblem,
  type OptionsField,
  type OptionsForm,
  type ZookeeperChoice,
} from './options-form.js';
import { InstallDirField } from './install-dir-field.js';
import { KafkaSourceFields } from './kafka-source-fields.js';
import { KafkaVersionField } from './kafka-version-field.js';
import { PlanNav } from './plan-nav.js';
import { ErrorBox, useSetupAction } from './setup-ui.js';
import type { Tarball } from './use-tarball.js';

export interface OptionsStepProps {
  readonly form: OptionsForm;
  readonly setForm: Dispatch<SetStateAction<OptionsForm>>;
  readonly sessionId: string;
  /** The SSH host typed in step 1. */
  readonly host: string;
  readonly facts: SetupServerFacts;
  /** The install folder the facts' Kafka version is about. */
  readonly factsDir: string;
  readonly tarball: Tarball;
  onPlanned(plan: SetupPlanView, request: SetupPlanRequest): void;
  onBack(): void;
}

export function OptionsStep({
  form,
  setForm,
  sessionId,
  host,
  facts,
  factsDir,
  tarball,
  onPlanned,
  onBack,
}: OptionsStepProps) {
  const api = useApi();
  const action = useSetupAction();
  const advertiseHelp = useId();
  const version = effectiveVersion(form);
  const advertise = effectiveAdvertise(form, host);
  const defaultVersion = SETUP_DEFAULTS.kafkaVersion[form.mode];
  const versionProblem = modeVersionProblem(form.mode, version);
  const invalid = (field: OptionsField) => action.error?.at === field;
  const uploading = tarball.state.kind === 'uploading';

  const set = <K extends keyof OptionsForm>(key: K, value: OptionsForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (action.error?.at === key) action.clear();
  };

  const setSecure = (on: boolean) =>
    setForm((f) => ({
      ...f,
      secure: on,
      scramPassword: on && f.scramPassword === '' ? generateScramPassword() : f.scramPassword,
    }));
  const secureProblem = form.secure ? secureVersionProblem(form.mode, version) : null;
  const protocol = form.secure ? 'SASL_SSL' : 'PLAINTEXT';

  return (
    <div className="setup-screen">
      <fieldset className="group" disabled={action.pending && !uploading}>
        <legend>Mode and version</legend>
        <SelectField
          label="Mode"
          data-testid="setup-mode"
          value={form.mode}
          onChange={(mode) => set('mode', mode)}
          options={MODE_OPTIONS}
        />
        <p className="help">
          {form.mode === 'kraft'
            ? 'Kafka manages itself (KRaft): one service, no ZooKeeper. The way Kafka runs from 4.0 on.'
            : 'Kafka 3.9 and older with ZooKeeper beside it, as the classic “install ZooKeeper, then Kafka” guides do.'}
        </p>

        <KafkaVersionField
          testId="setup-kafka-version"
          version={version}
          edited={form.kafkaVersion}
          defaultVersion={defaultVersion}
          problem={versionProblem}
          invalid={invalid('kafkaVersion')}
          onChange={(v) => set('kafkaVersion', v)}
        />
        {facts.kafkaVersion !== null &&
          facts.kafkaVersion !== version.trim() &&
          form.installDir.trim() === factsDir && (
            <p className="warning">
              {factsDir} already holds Kafka {facts.kafkaVersion}. Choose version{' '}
              {facts.kafkaVersion} to redo only what is missing, or another install folder.
            </p>
          )}
        <ErrorBox error={action.error} at="kafkaVersion" />

        {form.mode === 'zookeeper' && (
          <>
            <SelectField<ZookeeperChoice>
              label="ZooKeeper"
              data-testid="setup-zookeeper"
              value={form.zookeeper}
              onChange={(choice) => set('zookeeper', choice)}
              options={[
                {
                  value: 'auto',
                  label:
                    "Automatic: Ubuntu's zookeeperd package when apt has it, else the one in Kafka",
                },
                {
                  value: 'zookeeperd',
                  label: `Ubuntu's zookeeperd package (apt)${facts.zookeeperdAvailable ? '' : ' — not offered on this server'}`,
                  disabled: !facts.zookeeperdAvailable,
                },
                { value: 'bundled', label: 'The ZooKeeper that comes with Kafka' },
              ]}
            />
            <ErrorBox error={action.error} at="zookeeper" />
          </>
        )}
      </fieldset>

      <fieldset className="group" disabled={action.pending && !uploading}>
        <legend>Address for clients</legend>
        <div className="setup-advertise">
          <div>
            <TextField
              label="Advertised IPv4 address"
              data-testid="setup-advertise"
              className="mono"
              inputMode="decimal"
              placeholder="192.168.1.20"
              value={advertise}
              invalid={invalid('advertise')}
              aria-describedby={advertiseHelp}
              onChange={(v) => set('advertise', v)}
            />
          </div>
          <p id={advertiseHelp} className="help setup-aside">
            This is the address every client — this app included — must bootstrap from. It goes into{' '}
            <code>
              advertised.listeners={protocol}://{advertise.trim() || 'x.y.z.w'}:9092
            </code>
            . Kafka hands it to every client after the first connection, so a name, or an address
            only reachable from the server, makes clients fail after that first connection.
          </p>
        </div>
        {advertiseNotes(advertise).map((n) => (
          <p key={n} className="warning">
            {n}
          </p>
        ))}
        <ErrorBox error={action.error} at="advertise" />
      </fieldset>

      <fieldset className="group" disabled={action.pending && !uploading}>
        <legend>Security</legend>
        <CheckField
          label="TLS + SCRAM login"
          data-testid="setup-secure"
          checked={form.secure}
          onChange={setSecure}
        />
        <p className="help">
          {form.secure
            ? 'Clients connect with SASL_SSL: TLS with a certificate for the address above (from a small CA made on the server; its keys never leave it) and a SCRAM-SHA-512 login. PLAINTEXT stays only on 127.0.0.1, for Kafka itself. The CA and the login become a connection profile at the end.'
            : 'Off: anyone who can reach port 9092 can read and write every topic (PLAINTEXT). Turn it on for a server on a shared network.'}
        </p>
        {secureProblem !== null && <p className="field-error">{secureProblem}</p>}
        {form.secure && (
          <>
            <TextField
              label="SCRAM user"
              data-testid="setup-scram-user"
              className="mono"
              value={form.scramUser}
              invalid={invalid('scramUser')}
              onChange={(v) => set('scramUser', v)}
            />
            <ErrorBox error={action.error} at="scramUser" />
            <TextField
              label="Password"
              data-testid="setup-scram-password"
              className="mono"
              autoComplete="new-password"
              spellCheck={false}
              value={form.scramPassword}
              invalid={invalid('scramPassword')}
              onChange={(v) => set('scramPassword', v)}
              beside={
                <button
                  type="button"
                  className="link"
                  data-testid="setup-scram-generate"
                  onClick={() => set('scramPassword', generateScramPassword())}
                >
                  New password
                </button>
              }
            />
            <p className="help">
              A strong password is made for you; keep it (a password manager) or type your own (12
              or more characters, no spaces, &quot; or \). It reaches the server only on a
              command&apos;s input, never on a command line.
            </p>
            <ErrorBox error={action.error} at="scramPassword" />
          </>
        )}
      </fieldset>

      <KafkaSourceFields
        audience="one"
        source={form.source}
        mirrorUrl={form.mirrorUrl}
        version={version}
        tarball={tarball}
        action={action}
        disabled={action.pending && !uploading}
        onSource={(source) => set('source', source)}
        onMirrorUrl={(url) => set('mirrorUrl', url)}
      />

      <fieldset className="group" disabled={action.pending && !uploading}>
        <legend>On the server</legend>
        <InstallDirField
          label="Install folder"
          testId="setup-install-dir"
          value={form.installDir}
          action={action}
          onChange={(v) => set('installDir', v)}
        />
        {facts.ufw === 'active' && (
          <>
            <CheckField
              label="Allow TCP port 9092 in the firewall"
              data-testid="setup-open-firewall"
              checked={form.openFirewall}
              onChange={(on) => set('openFirewall', on)}
            />
            <p className="help">
              The firewall (ufw) is active on this server: clients can only reach Kafka when port
              9092 is allowed.
            </p>
          </>
        )}
      </fieldset>

      <PlanNav
        action={action}
        testId="setup-make-plan"
        onBack={onBack}
        build={() => buildPlanRequest(sessionId, form, { host, facts, tarball: tarball.state })}
        send={(request) => api.invoke('setup:plan', request)}
        onPlanned={onPlanned}
      />
    </div>
  );
}
