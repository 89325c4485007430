/**
 * Which stream of a topic a viewer plays (issue 17): the streams the topic carries, read from its
 * newest messages (`topics:streams`, through TanStack Query like every read), as a select with
 * "All streams" first; and the stream on screen now. Self-contained (topic in, choice out) so a
 * viewer and each grid tile can mount one. Read by itself when the topic is one the broker lists;
 * "List streams" reads it again (or for a topic typed but not listed yet).
 */
import { useId } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { TopicStreams } from '../../../../electron/shared/contract.js';
import { useApi } from '../../shared/api-context.js';
import { useKafka } from '../../shared/kafka-context.js';
import { queryKeys } from '../../shared/queries.js';
import { topicNameError } from '../../shared/topic-name.js';
import { errorMessage } from '../../transport/errors.js';
import {
  ALL_STREAMS,
  choiceOf,
  listSummary,
  shownStream,
  streamOptions,
} from './stream-picker-logic.js';

export interface StreamPickerProps {
  /** The topic whose streams are listed ('' or an invalid name: none). */
  readonly topic: string;
  /** The stream chosen (its id); null: every stream. */
  readonly value: string | null;
  readonly onChange: (streamId: string | null) => void;
  readonly disabled?: boolean;
  /** The frame on screen (its stream is named under the select); null: none yet. */
  readonly shown?: { readonly streamId: string | null; readonly streamName: string | null } | null;
}

export function StreamPicker({
  topic,
  value,
  onChange,
  disabled = false,
  shown = null,
}: StreamPickerProps) {
  const api = useApi();
  const kafka = useKafka();
  const queryClient = useQueryClient();
  const selectId = useId();
  const statusId = useId();
  const cluster = kafka.status?.state === 'connected' ? kafka.status : null;
  const valid = topic !== '' && topicNameError(topic) === null;
  const known = kafka.topics.some((t) => t.name === topic);
  const key = queryKeys.streams(cluster?.bootstrap ?? '', cluster?.clusterId ?? null, topic);
  const query = useQuery({
    queryKey: key,
    queryFn: (): Promise<TopicStreams> => api.invoke('topics:streams', { topic }),
    enabled: cluster !== null && valid && known,
    gcTime: 30_000,
  });
  const list = cluster !== null && valid ? (query.data ?? null) : null;
  const options = streamOptions(list, value);
  const onScreen = shownStream(shown);
  const status = !valid
    ? ''
    : query.isFetching
      ? 'Reading the streams…'
      : query.error
        ? `Could not list the streams: ${errorMessage(query.error)}`
        : listSummary(list);

  return (
    <div className="stream-picker" data-testid="stream-picker">
      <div className="row wrap">
        <label htmlFor={selectId}>Stream</label>
        <select
          id={selectId}
          className="grow"
          data-testid="stream-picker-select"
          value={value ?? ALL_STREAMS}
          disabled={disabled}
          aria-describedby={statusId}
          onChange={(e) => onChange(choiceOf(e.target.value))}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value} disabled={o.disabled}>
              {o.label}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="secondary"
          data-testid="stream-picker-refresh"
          disabled={cluster === null || !valid || query.isFetching}
          onClick={() =>
            void (known
              ? query.refetch()
              : queryClient.fetchQuery({
                  queryKey: key,
                  queryFn: () => api.invoke('topics:streams', { topic }),
                }))
          }
          title="Read the topic's newest messages again for its streams"
        >
          List streams
        </button>
      </div>
      <p id={statusId} className="muted" data-testid="stream-picker-status" aria-live="polite">
        {status}
        {onScreen !== null && (
          <>
            {' '}
            On screen: <span data-testid="stream-picker-shown">{onScreen}</span>
          </>
        )}
      </p>
    </div>
  );
}
