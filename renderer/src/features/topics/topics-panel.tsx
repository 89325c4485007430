/** Topics: what the cluster holds (partitions, messages, time range), create and delete. */
import { useId, useState, type FormEvent } from 'react';
import { useAction, useApi, useServicesReady } from '../../shared/api-context.js';
import { formatCount, formatTimeRange } from '../../shared/format.js';
import { useKafka } from '../../shared/kafka-context.js';
import { CheckField } from '../../shared/choice-fields.js';
import { TextField } from '../../shared/labelled-field.js';
import { NumberField } from '../../shared/number-field.js';
import { checkCreate, replicaWarning, visibleTopics } from './topics-logic.js';

export function TopicsPanel() {
  const api = useApi();
  const servicesReady = useServicesReady();
  const kafka = useKafka();
  const ids = { heading: useId(), createError: useId() };
  const [showInternal, setShowInternal] = useState(false);
  const [name, setName] = useState('');
  const [partitions, setPartitions] = useState('1');
  const [formError, setFormError] = useState<{
    field: 'name' | 'partitions';
    error: string;
  } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [deleteFailedFor, setDeleteFailedFor] = useState<string | null>(null);
  const createAction = useAction();
  const deleteAction = useAction();
  const connected = kafka.status?.state === 'connected';
  const rows = visibleTopics(kafka.topics, showInternal);

  const create = (e: FormEvent) => {
    e.preventDefault();
    const check = checkCreate(name, partitions, kafka.topics);
    if (!check.ok) {
      setFormError({ field: check.field, error: check.error });
      return;
    }
    setFormError(null);
    void createAction.run(async () => {
      await api.invoke('topics:create', { topic: check.topic, partitions: check.partitions });
      setName('');
      await kafka.refreshTopics();
    });
  };

  const remove = (topic: string) => {
    setDeleteFailedFor(null);
    void deleteAction
      .run(async () => {
        await api.invoke('topics:delete', { topic });
        setConfirming(null);
        await kafka.refreshTopics();
        return true;
      })
      .then((ok) => {
        if (!ok) setDeleteFailedFor(topic);
      });
  };

  return (
    <section className="card" aria-labelledby={ids.heading}>
      <div className="area-head">
        <h2 id={ids.heading}>Topics</h2>
        <div className="row">
          <CheckField label="Show internal" checked={showInternal} onChange={setShowInternal} />
          <button
            type="button"
            className="secondary"
            data-testid="topics-refresh"
            disabled={!connected || kafka.topicsLoading}
            onClick={() => void kafka.refreshTopics()}
          >
            {kafka.topicsLoading ? 'Loading…' : 'Refresh'}
          </button>
        </div>
      </div>

      {!connected ? (
        <p className="muted" data-testid="topics-empty">
          {servicesReady
            ? 'Connect to a broker to see its topics.'
            : 'Waiting for the Kafka Video Studio service…'}
        </p>
      ) : (
        <>
          {kafka.topicsError && (
            <p className="error-text" role="alert">
              Could not list topics: {kafka.topicsError}
            </p>
          )}
          <div className="table-wrap">
            <table className="topics" data-testid="topics-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" className="num">
                    Partitions
                  </th>
                  <th scope="col" className="num">
                    Messages
                  </th>
                  <th scope="col">Time range</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.length === 0 && (
                  <tr>
                    <td colSpan={5} className="muted">
                      {kafka.topicsLoaded
                        ? 'No topics yet. Produce a video or create one below.'
                        : 'Loading…'}
                    </td>
                  </tr>
                )}
                {rows.map((t) => (
                  <tr key={t.name} data-testid="topic-row">
                    <td className="mono">
                      {t.name}
                      {t.internal && <span className="tag">internal</span>}
                      {replicaWarning(t) !== null && (
                        <span
                          className="tag tag-warning"
                          data-testid="topic-replica-warning"
                          title={replicaWarning(t) ?? ''}
                        >
                          {t.offline > 0 ? 'offline' : 'under-replicated'}
                        </span>
                      )}
                    </td>
                    <td className="num">{formatCount(t.partitions)}</td>
                    <td className="num">{formatCount(t.messages)}</td>
                    <td className="nowrap">{formatTimeRange(t.firstTimestamp, t.lastTimestamp)}</td>
                    <td className="actions">
                      {t.internal ? null : confirming === t.name ? (
                        <span
                          className="confirm"
                          role="group"
                          aria-label={`Confirm deleting ${t.name}`}
                        >
                          <span>Delete all its messages?</span>
                          <button
                            type="button"
                            className="danger"
                            data-testid="topic-delete-confirm"
                            disabled={deleteAction.pending}
                            onClick={() => remove(t.name)}
                          >
                            {deleteAction.pending ? 'Deleting…' : `Delete ${t.name}`}
                          </button>
                          <button
                            type="button"
                            className="secondary"
                            onClick={() => setConfirming(null)}
                          >
                            Cancel
                          </button>
                        </span>
                      ) : (
                        <button
                          type="button"
                          className="link danger-link"
                          data-testid="topic-delete-button"
                          aria-label={`Delete topic ${t.name}`}
                          onClick={() => {
                            setConfirming(t.name);
                            setDeleteFailedFor(null);
                          }}
                        >
                          Delete
                        </button>
                      )}
                      {deleteFailedFor === t.name && deleteAction.error && (
                        <div className="error-text" role="alert">
                          {deleteAction.error}
                        </div>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <form className="create" onSubmit={create} noValidate>
            <h3>Create a topic</h3>
            <div className="row wrap">
              <div className="grow">
                <TextField
                  label="Name"
                  className="mono"
                  data-testid="topic-create-name"
                  value={name}
                  placeholder="my-video"
                  invalid={formError?.field === 'name'}
                  aria-describedby={ids.createError}
                  onChange={(v) => {
                    setName(v);
                    setFormError(null);
                  }}
                />
              </div>
              <div className="narrow">
                <NumberField
                  label="Partitions"
                  data-testid="topic-create-partitions"
                  min={1}
                  max={1000}
                  value={partitions}
                  invalid={formError?.field === 'partitions'}
                  aria-describedby={ids.createError}
                  onChange={(v) => {
                    setPartitions(v);
                    setFormError(null);
                  }}
                />
              </div>
              <button
                type="submit"
                data-testid="topic-create-button"
                disabled={createAction.pending}
                className="align-end"
              >
                {createAction.pending ? 'Creating…' : 'Create'}
              </button>
            </div>
            <p
              id={ids.createError}
              className="field-error"
              aria-live="polite"
              data-testid="topic-create-error"
            >
              {formError?.error ?? createAction.error ?? ''}
            </p>
          </form>
        </>
      )}
    </section>
  );
}
