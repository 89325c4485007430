/**
 * The cluster's options: the Kafka version (KRaft only), where Kafka comes from, the install
 * folder, the firewall, and each server's advertised address. "Show the plan" asks the service
 * for every server's steps before anything runs.
 */
import { type Dispatch, type SetStateAction } from 'react';
import {
  SETUP_DEFAULTS,
  type ClusterPlanRequest,
  type ClusterPlanView,
} from '../../../../electron/shared/contract.js';
import { useApi } from '../../shared/api-context.js';
import { CheckField } from '../../shared/choice-fields.js';
import { TextField } from '../../shared/labelled-field.js';
import {
  buildClusterPlanRequest,
  clusterVersion,
  nodeAdvertise,
  withAdvertise,
  type ClusterNodeRef,
  type ClusterOptionsForm,
} from './cluster-form.js';
import { InstallDirField } from './install-dir-field.js';
import { KafkaSourceFields } from './kafka-source-fields.js';
import { KafkaVersionField } from './kafka-version-field.js';
import { advertiseNotes, modeVersionProblem } from './options-form.js';
import { PlanNav } from './plan-nav.js';
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
  const defaultVersion = SETUP_DEFAULTS.kafkaVersion.kraft;

  return (
    <div className="setup-screen" data-testid="cluster-options">
      <fieldset className="group" disabled={locked}>
        <legend>Kafka</legend>
        <p className="help">
          The cluster runs in KRaft mode: every server is a broker and a controller, with no
          ZooKeeper. ZooKeeper clusters are not offered.
        </p>
        <KafkaVersionField
          testId="cluster-kafka-version"
          version={version}
          edited={form.kafkaVersion}
          defaultVersion={defaultVersion}
          problem={versionProblem}
          invalid={invalid('kafkaVersion')}
          onChange={(v) => set('kafkaVersion', v)}
        />
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

      <KafkaSourceFields
        audience="cluster"
        source={form.source}
        mirrorUrl={form.mirrorUrl}
        version={version}
        tarball={tarball}
        action={action}
        disabled={locked}
        onSource={(source) => set('source', source)}
        onMirrorUrl={(url) => set('mirrorUrl', url)}
      />

      <fieldset className="group" disabled={locked}>
        <legend>On the servers</legend>
        <InstallDirField
          label="Install folder (the same on every server)"
          testId="cluster-install-dir"
          value={form.installDir}
          action={action}
          onChange={(v) => set('installDir', v)}
        />
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

      <PlanNav
        action={action}
        testId="cluster-make-plan"
        onBack={onBack}
        build={() => buildClusterPlanRequest(nodes, form, tarball.state)}
        send={(request) => api.invoke('setup:cluster-plan', request)}
        onPlanned={onPlanned}
      />
    </div>
  );
}
