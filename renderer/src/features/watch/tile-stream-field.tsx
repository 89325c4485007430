/**
 * A grid tile's stream: empty for every stream of the topic, or one stream's id. The suggestions
 * are the streams the topic carries (`topics:streams`, read when the field is focused or
 * "Streams" is pressed), named by their `kvs-stream-name` when they have one. A typed id works too:
 * a live stream that has not sent its first frame yet is not listed.
 *
 * (The streams branch's stream picker, stream-picker.tsx, was not committed when the grid was
 * built; this field does the same for a tile and can give way to it.)
 */
import { useId, useState } from 'react';
import type { StreamSummary } from '../../../../electron/shared/contract.js';
import { useApi } from '../../shared/api-context.js';
import { topicNameError } from '../../shared/topic-name.js';

export function TileStreamField({
  topic,
  value,
  onChange,
  disabled,
}: {
  readonly topic: string;
  /** The stream id; '' = every stream. */
  readonly value: string;
  onChange(streamId: string): void;
  readonly disabled?: boolean;
}) {
  const api = useApi();
  const ids = { input: useId(), list: useId() };
  const [streams, setStreams] = useState<readonly StreamSummary[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const load = () => {
    const name = topic.trim();
    if (topicNameError(name) !== null) return;
    setNote('Reading the topic’s streams…');
    api
      .invoke('topics:streams', { topic: name })
      .then((r) => {
        setStreams(r.streams);
        setNote(
          r.streams.length === 0
            ? 'No streams in the newest messages yet.'
            : `${r.streams.length} stream${r.streams.length === 1 ? '' : 's'}`,
        );
      })
      .catch((e: unknown) => setNote(e instanceof Error ? e.message : String(e)));
  };
  return (
    <div className="tile-stream row">
      <label htmlFor={ids.input} className="muted">
        Stream
      </label>
      <input
        id={ids.input}
        data-testid="tile-stream-input"
        className="grow mono"
        type="text"
        list={ids.list}
        placeholder="all streams"
        autoComplete="off"
        spellCheck={false}
        value={value}
        disabled={disabled}
        onFocus={load}
        onChange={(e) => onChange(e.target.value.trim())}
      />
      <datalist id={ids.list}>
        {streams.flatMap((s) =>
          s.id === null ? [] : [<option key={s.id} value={s.id} label={s.name ?? undefined} />],
        )}
      </datalist>
      <button
        type="button"
        className="link"
        data-testid="tile-stream-refresh"
        title="Read the streams this topic carries"
        disabled={disabled}
        onClick={load}
      >
        Streams
      </button>
      {note !== null && (
        <span className="muted tile-stream-note" data-testid="tile-stream-note">
          {note}
        </span>
      )}
    </div>
  );
}
