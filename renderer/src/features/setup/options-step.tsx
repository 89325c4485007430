/**
 * Step 3: KRaft or ZooKeeper, the Kafka version, the address clients bootstrap from,
 * where Kafka comes from (a mirror, or a .tgz from this computer), the install folder and
 * the firewall. "Show the plan" asks the host for every step before anything runs.
 */
import { useId, type ChangeEvent, type Dispatch, type SetStateAction } from 'react';
import {
  SETUP_DEFAULTS,
  type SetupPlanRequest,
  type SetupPlanView,
  type SetupServerFacts,
} from '../../../../electron/shared/contract.js';
import { useApi, useHostReady } from '../../shared/api-context.js';
import { formatBytes } from '../../shared/format.js';
import {
  advertiseNotes,
  buildPlanRequest,
  effectiveAdvertise,
  effectiveVersion,
  MODE_OPTIONS,
  modeVersionProblem,
  tarballVersion,
  type OptionsField,
  type OptionsForm,
  type SetupMode,
  type SourceKind,
  type ZookeeperChoice,
} from './options-form.js';
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
  const hostReady = useHostReady();
  const action = useSetupAction();
  const ids = {
    mode: useId(),
    version: useId(),
    zookeeper: useId(),
    advertise: useId(),
    advertiseHelp: useId(),
    source: useId(),
    mirror: useId(),
    file: useId(),
    dir: useId(),
    firewall: useId(),
  };
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

  const makePlan = () => {
    const built = buildPlanRequest(sessionId, form, { host, facts, tarball: tarball.state });
    if (!built.ok) {
      action.fail(built.field, built.error);
      return;
    }
    void action.run('plan', async () => {
      const plan = await api.invoke('setup:plan', built.value);
      onPlanned(plan, built.value);
    });
  };

  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    void action.run('tarball', () => tarball.upload(file));
  };

  const fileVersion =
    tarball.state.kind === 'ready' ? tarballVersion(tarball.state.ref.name) : null;

  return (
    <div className="setup-screen">
      <fieldset className="group" disabled={action.pending && !uploading}>
        <legend>Mode and version</legend>
        <label htmlFor={ids.mode}>Mode</label>
        <select
          id={ids.mode}
          data-testid="setup-mode"
          value={form.mode}
          onChange={(e) => set('mode', e.target.value as SetupMode)}
        >
          {MODE_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        <p className="help">
          {form.mode === 'kraft'
            ? 'Kafka manages itself (KRaft): one service, no ZooKeeper. The way Kafka runs from 4.0 on.'
            : 'Kafka 3.9 and older with ZooKeeper beside it, as the classic “install ZooKeeper, then Kafka” guides do.'}
        </p>

        <label htmlFor={ids.version}>Kafka version</label>
        <div className="row">
          <input
            id={ids.version}
            data-testid="setup-kafka-version"
            className="mono narrow-input"
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={version}
            aria-invalid={invalid('kafkaVersion') || versionProblem !== null}
            onChange={(e) => set('kafkaVersion', e.target.value)}
          />
          {form.kafkaVersion !== null && form.kafkaVersion !== defaultVersion && (
            <button type="button" className="link" onClick={() => set('kafkaVersion', null)}>
              Use {defaultVersion}
            </button>
          )}
        </div>
        {versionProblem !== null && <p className="field-error">{versionProblem}</p>}
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
            <label htmlFor={ids.zookeeper}>ZooKeeper</label>
            <select
              id={ids.zookeeper}
              data-testid="setup-zookeeper"
              value={form.zookeeper}
              onChange={(e) => set('zookeeper', e.target.value as ZookeeperChoice)}
            >
              <option value="auto">
                Automatic: Ubuntu&apos;s zookeeperd package when apt has it, else the one in Kafka
              </option>
              <option value="zookeeperd" disabled={!facts.zookeeperdAvailable}>
                Ubuntu&apos;s zookeeperd package (apt)
                {facts.zookeeperdAvailable ? '' : ' — not offered on this server'}
              </option>
              <option value="bundled">The ZooKeeper that comes with Kafka</option>
            </select>
            <ErrorBox error={action.error} at="zookeeper" />
          </>
        )}
      </fieldset>

      <fieldset className="group" disabled={action.pending && !uploading}>
        <legend>Address for clients</legend>
        <div className="setup-advertise">
          <div>
            <label htmlFor={ids.advertise}>Advertised IPv4 address</label>
            <input
              id={ids.advertise}
              data-testid="setup-advertise"
              className="mono"
              type="text"
              inputMode="decimal"
              autoComplete="off"
              spellCheck={false}
              placeholder="192.168.1.20"
              value={advertise}
              aria-invalid={invalid('advertise')}
              aria-describedby={ids.advertiseHelp}
              onChange={(e) => set('advertise', e.target.value)}
            />
          </div>
          <p id={ids.advertiseHelp} className="help setup-aside">
            This is the address every client — this app included — must bootstrap from. It goes into{' '}
            <code>advertised.listeners=PLAINTEXT://{advertise.trim() || 'x.y.z.w'}:9092</code>.
            Kafka hands it to every client after the first connection, so a name, or an address only
            reachable from the server, makes clients fail after that first connection.
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
        <legend>Where Kafka comes from</legend>
        <label htmlFor={ids.source}>Kafka source</label>
        <select
          id={ids.source}
          data-testid="setup-source"
          value={form.source}
          onChange={(e) => set('source', e.target.value as SourceKind)}
        >
          <option value="download">Download from a mirror on the server</option>
          <option value="upload">Upload a .tgz from this computer (server without internet)</option>
        </select>
        {form.source === 'download' ? (
          <>
            <label htmlFor={ids.mirror}>Mirror</label>
            <input
              id={ids.mirror}
              data-testid="setup-mirror"
              className="mono"
              type="text"
              autoComplete="off"
              spellCheck={false}
              value={form.mirrorUrl}
              aria-invalid={invalid('mirrorUrl')}
              onChange={(e) => set('mirrorUrl', e.target.value)}
            />
            <p className="help">
              The server downloads Kafka {version.trim() || '…'} from this Apache mirror itself (it
              needs internet for that) and checks it against the mirror&apos;s SHA-512.
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
                  disabled={!hostReady || action.pending}
                  onClick={() => void action.run('tarball', () => tarball.choose())}
                >
                  Choose the Kafka .tgz…
                </button>
              </div>
            ) : (
              <>
                <label htmlFor={ids.file}>
                  Kafka .tgz (uploaded to the host, then to the server)
                </label>
                <input
                  id={ids.file}
                  data-testid="setup-tarball-file"
                  type="file"
                  accept=".tgz,.tar.gz"
                  aria-invalid={invalid('tarball')}
                  disabled={!hostReady}
                  onChange={onFile}
                />
              </>
            )}
            {tarball.state.kind === 'uploading' && (
              <div className="upload" aria-live="polite">
                <div
                  className="bar"
                  role="progressbar"
                  data-testid="setup-tarball-progress"
                  aria-label={`Uploading ${tarball.state.name}`}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={percent(tarball.state.loaded, tarball.state.total)}
                >
                  <div
                    className="bar-fill"
                    style={{ width: `${percent(tarball.state.loaded, tarball.state.total)}%` }}
                  />
                </div>
                <span className="muted">
                  Uploading {tarball.state.name}: {formatBytes(tarball.state.loaded)} of{' '}
                  {formatBytes(tarball.state.total)}
                </span>
              </div>
            )}
            {tarball.state.kind === 'ready' && (
              <p className="ok-text">
                Ready: <strong data-testid="setup-tarball-name">{tarball.state.ref.name}</strong> (
                {formatBytes(tarball.state.ref.sizeBytes)})
              </p>
            )}
            {fileVersion !== null && fileVersion !== version.trim() && (
              <p className="warning">
                The file&apos;s name says Kafka {fileVersion}, but the version above is{' '}
                {version.trim()}. Make them match.
              </p>
            )}
            <p className="help">
              Get it from <code>kafka.apache.org/downloads</code> (the binary, e.g.{' '}
              <code>kafka_2.13-{version.trim() || '4.1.1'}.tgz</code>).
            </p>
            <ErrorBox error={action.error} at="tarball" />
          </>
        )}
      </fieldset>

      <fieldset className="group" disabled={action.pending && !uploading}>
        <legend>On the server</legend>
        <label htmlFor={ids.dir}>Install folder</label>
        <input
          id={ids.dir}
          data-testid="setup-install-dir"
          className="mono"
          type="text"
          autoComplete="off"
          spellCheck={false}
          value={form.installDir}
          aria-invalid={invalid('installDir')}
          onChange={(e) => set('installDir', e.target.value)}
        />
        <ErrorBox error={action.error} at="installDir" />
        {facts.ufw === 'active' && (
          <>
            <label className="check" htmlFor={ids.firewall}>
              <input
                id={ids.firewall}
                type="checkbox"
                data-testid="setup-open-firewall"
                checked={form.openFirewall}
                onChange={(e) => set('openFirewall', e.target.checked)}
              />
              Allow TCP port 9092 in the firewall
            </label>
            <p className="help">
              The firewall (ufw) is active on this server: clients can only reach Kafka when port
              9092 is allowed.
            </p>
          </>
        )}
      </fieldset>

      <ErrorBox error={action.error} at="plan" />
      <div className="row setup-nav">
        <button
          type="button"
          className="secondary"
          data-testid="setup-back"
          onClick={onBack}
          disabled={action.running === 'plan'}
        >
          Back
        </button>
        <span className="spacer" />
        <button
          type="button"
          data-testid="setup-make-plan"
          onClick={makePlan}
          disabled={!hostReady || action.pending}
        >
          {action.running === 'plan' ? 'Making the plan…' : 'Show the plan'}
        </button>
      </div>
    </div>
  );
}

function percent(loaded: number, total: number): number {
  return total > 0 ? Math.min(100, Math.floor((loaded / total) * 100)) : 0;
}
