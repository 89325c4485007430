/**
 * The cluster's options: the Kafka version (KRaft only), where Kafka comes from, the install
 * folder, the firewall, and each server's advertised address. "Show the plan" asks the service
 * for every server's steps before anything runs.
 */
import { type ChangeEvent, type Dispatch, type SetStateAction } from 'react';
import {
  SETUP_DEFAULTS,
  type ClusterPlanRequest,
  type ClusterPlanView,
} from '../../../../electron/shared/contract.js';
import { useApi, useServicesReady } from '../../shared/api-context.js';
import { CheckField } from '../../shared/choice-fields.js';
import { LabelledField, SelectField, TextField } from '../../shared/labelled-field.js';
import { PickedFileView } from '../../shared/picked-file-view.js';
import { WizardNav } from '../../shared/wizard-nav.js';
import {
  buildClusterPlanRequest,
  clusterVersion,
  nodeAdvertise,
  withAdvertise,
  type ClusterNodeRef,
  type ClusterOptionsForm,
} from './cluster-form.js';
import {
  advertiseNotes,
  modeVersionProblem,
  tarballVersion,
  type SourceKind,
} from './options-form.js';
import { ErrorBox, useSetupAction } from './setup-ui.js';
import type { Tarball } from './use-tarball.js';

export function ClusterOptionsStep({
  form,
  setForm,
  nodes,
  tarball,
  onPlanned,
  onBack,
}: {
  form: ClusterOptionsForm;
  setForm: Dispatch<SetStateAction<ClusterOptionsForm>>;
  nodes: readonly ClusterNodeRef[];
  tarball: Tarball;
  onPlanned(plan: ClusterPlanView, request: ClusterPlanRequest): void;
  onBack(): void;
}) {
  const api = useApi();
  const servicesReady = useServicesReady();
  const action = useSetupAction();
  const version = clusterVersion(form);
  const versionProblem = modeVersionProblem('kraft', version);
  const uploading = tarball.state.kind === 'uploading';
  const locked = action.pending && !uploading;
  const invalid = (field: string) => action.error?.at === field;
  const set = <K extends keyof ClusterOptionsForm>(key: K, value: ClusterOptionsForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (action.error?.at === key) action.clear();
  };
  const firewallActive = nodes.filter((n) => n.facts.ufw === 'active').map((n) => n.host);
  const fileVersion =
    tarball.state.kind === 'ready' ? tarballVersion(tarball.state.ref.name) : null;
  const defaultVersion = SETUP_DEFAULTS.kafkaVersion.kraft;

  const makePlan = () => {
    const built = buildClusterPlanRequest(nodes, form, tarball.state);
    if (!built.ok) {
      action.fail(built.field, built.error);
      return;
    }
    void action.run('plan', async () => {
      const plan = await api.invoke('setup:cluster-plan', built.value);
      onPlanned(plan, built.value);
    });
  };

  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    void action.run('tarball', () => tarball.upload(file));
  };

  return (
    <div className="setup-screen" data-testid="cluster-options">
      <fieldset className="group" disabled={locked}>
        <legend>Kafka</legend>
        <p className="help">
          The cluster runs in KRaft mode: every server is a broker and a controller, with no
          ZooKeeper. ZooKeeper clusters are not offered.
        </p>
        <TextField
          label="Kafka version"
          data-testid="cluster-kafka-version"
          className="mono narrow-input"
          value={version}
          invalid={invalid('kafkaVersion') || versionProblem !== null}
          onChange={(v) => set('kafkaVersion', v)}
          beside={
            form.kafkaVersion !== null &&
            form.kafkaVersion !== defaultVersion && (
              <button type="button" className="link" onClick={() => set('kafkaVersion', null)}>
                Use {defaultVersion}
              </button>
            )
          }
        />
        {versionProblem !== null && <p className="field-error">{versionProblem}</p>}
        <ErrorBox error={action.error} at="kafkaVersion" />
      </fieldset>

      <fieldset className="group" disabled={locked}>
        <legend>Addresses for clients and the other servers</legend>
        <p className="help">
          Each server announces its address in <code>advertised.listeners</code>; clients (this app
          included) and the other servers (the controller quorum, on port 9093) reach it there. An
          IPv4 address every one of them can reach.
        </p>
        {nodes.map((n, i) => {
          const advertise = nodeAdvertise(form, i, n.host);
          return (
            <div key={n.sessionId}>
              <TextField
                label={`Server ${i + 1} (${n.host}) advertises`}
                data-testid={`cluster-advertise-${i}`}
                className="mono"
                inputMode="decimal"
                value={advertise}
                invalid={invalid(`advertise-${i}`)}
                onChange={(v) => {
                  setForm((f) => withAdvertise(f, i, v));
                  if (action.error?.at === `advertise-${i}`) action.clear();
                }}
              />
              {advertiseNotes(advertise).map((note) => (
                <p key={note} className="warning">
                  {note}
                </p>
              ))}
              <ErrorBox error={action.error} at={`advertise-${i}`} />
            </div>
          );
        })}
      </fieldset>

      <fieldset className="group" disabled={locked}>
        <legend>Where Kafka comes from</legend>
        <SelectField<SourceKind>
          label="Kafka source"
          data-testid="cluster-source"
          value={form.source}
          onChange={(source) => set('source', source)}
          options={[
            { value: 'download', label: 'Download from a mirror on each server' },
            {
              value: 'upload',
              label: 'Upload a .tgz from this computer (servers without internet)',
            },
          ]}
        />
        {form.source === 'download' ? (
          <>
            <TextField
              label="Mirror"
              data-testid="cluster-mirror"
              className="mono"
              value={form.mirrorUrl}
              invalid={invalid('mirrorUrl')}
              onChange={(v) => set('mirrorUrl', v)}
            />
            <p className="help">
              Each server downloads Kafka {version.trim() || '…'} from this Apache mirror itself and
              checks it against the mirror&apos;s SHA-512.
            </p>
            <ErrorBox error={action.error} at="mirrorUrl" />
          </>
        ) : (
          <>
            {api.transport === 'electron' ? (
              <div className="row">
                <button
                  type="button"
                  className="secondary"
                  data-testid="setup-tarball-choose"
                  disabled={!servicesReady || action.pending}
                  onClick={() => void action.run('tarball', () => tarball.choose())}
                >
                  Choose the Kafka .tgz…
                </button>
              </div>
            ) : (
              <LabelledField label="Kafka .tgz (uploaded to the service, then to each server)">
                {(id) => (
                  <input
                    id={id}
                    data-testid="setup-tarball-file"
                    type="file"
                    accept=".tgz,.tar.gz"
                    aria-invalid={invalid('tarball')}
                    disabled={!servicesReady}
                    onChange={onFile}
                  />
                )}
              </LabelledField>
            )}
            <PickedFileView
              file={tarball.state}
              progressTestId="setup-tarball-progress"
              nameTestId="setup-tarball-name"
            />
            {fileVersion !== null && fileVersion !== version.trim() && (
              <p className="warning">
                The file&apos;s name says Kafka {fileVersion}, but the version above is{' '}
                {version.trim()}. Make them match.
              </p>
            )}
            <ErrorBox error={action.error} at="tarball" />
          </>
        )}
      </fieldset>

      <fieldset className="group" disabled={locked}>
        <legend>On the servers</legend>
        <TextField
          label="Install folder (the same on every server)"
          data-testid="cluster-install-dir"
          className="mono"
          value={form.installDir}
          invalid={invalid('installDir')}
          onChange={(v) => set('installDir', v)}
        />
        <ErrorBox error={action.error} at="installDir" />
        {firewallActive.length > 0 && (
          <>
            <CheckField
              label="Open the firewall: port 9092 for clients, 9093 between the servers"
              data-testid="cluster-open-firewall"
              checked={form.openFirewall}
              onChange={(on) => set('openFirewall', on)}
            />
            <p className="help">
              The firewall (ufw) is active on {firewallActive.join(', ')}: clients need port 9092,
              and the servers reach each other&apos;s controllers on port 9093 (the quorum forms
              there). Ticked, the plan allows 9092 and allows 9093 from the other servers only. Not
              ticked, allow them yourself before installing (
              <code>sudo ufw allow from &lt;server&gt; to any port 9093 proto tcp</code>).
            </p>
          </>
        )}
      </fieldset>

      <ErrorBox error={action.error} at="plan" />
      <WizardNav
        back={{ onClick: onBack, disabled: action.running === 'plan' }}
        next={{
          label: action.running === 'plan' ? 'Making the plan…' : 'Show the plan',
          testId: 'cluster-make-plan',
          onClick: makePlan,
          disabled: !servicesReady || action.pending,
        }}
      />
    </div>
  );
}
