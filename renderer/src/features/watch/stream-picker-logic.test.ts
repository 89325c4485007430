import { describe, expect, it } from 'vitest';
import type { StreamSummary, TopicStreams } from '../../../../electron/shared/contract.js';
import {
  ALL_STREAMS,
  choiceOf,
  listSummary,
  shownStream,
  streamLabel,
  streamOptions,
} from './stream-picker-logic.js';

const stream = (over: Partial<StreamSummary>): StreamSummary => ({
  id: 'cam-1',
  name: null,
  partition: 0,
  type: 'image/jpeg',
  codec: null,
  width: 320,
  height: 180,
  fps: 25,
  frames: 10,
  lastSeq: 9,
  lastFrameAt: 1_700_000_000_000,
  ended: false,
  ...over,
});
const list = (streams: StreamSummary[], over: Partial<TopicStreams> = {}): TopicStreams => ({
  topic: 'cams',
  partitions: 4,
  streams,
  scanned: 40,
  skipped: 0,
  complete: true,
  ...over,
});

describe('stream picker logic', () => {
  it('labels a stream by name and id, format, partition and whether it ended', () => {
    expect(
      streamLabel(
        stream({
          name: 'Front door',
          type: 'video/h264',
          width: 640,
          height: 360,
          fps: 30,
          partition: 2,
          ended: true,
        }),
      ),
    ).toBe('Front door (cam-1) — H.264 640×360 30 fps, partition 2, ended');
    expect(streamLabel(stream({ width: null, height: null, fps: null }))).toBe(
      'cam-1 — JPEG, partition 0',
    );
    expect(streamLabel(stream({ id: null }))).toMatch(/^Plain images \(no stream id\)/);
  });

  it('offers All streams first, each stream, plain images disabled, and keeps a choice not listed', () => {
    const options = streamOptions(
      list([stream({ id: 'a', name: 'A' }), stream({ id: null })]),
      'gone',
    );
    expect(options.map((o) => [o.value, o.disabled])).toEqual([
      [ALL_STREAMS, false],
      ['a', false],
      ['\u0000plain', true],
      ['gone', false],
    ]);
    expect(options[3]?.label).toBe('gone (not among the newest messages)');
    expect(streamOptions(null, null)).toHaveLength(1);
  });

  it('sums the list up, with skipped messages and an incomplete read', () => {
    expect(listSummary(null)).toBe('');
    expect(listSummary(list([stream({}), stream({ id: 'b' })]))).toBe('2 streams in 4 partitions.');
    expect(listSummary(list([stream({})], { partitions: 1, skipped: 1 }))).toBe(
      '1 stream in 1 partition. 1 message was not frames.',
    );
    expect(listSummary(list([], { complete: false, skipped: 3 }))).toBe(
      'No video streams among the newest 40 messages (4 partitions). 3 messages were not frames. Not every partition was read in time: the list may be short.',
    );
  });

  it('turns the select value into the filter and names what is on screen', () => {
    expect(choiceOf(ALL_STREAMS)).toBeNull();
    expect(choiceOf('cam-1')).toBe('cam-1');
    expect(shownStream({ streamId: 'cam-1', streamName: 'Door' })).toBe('Door (cam-1)');
    expect(shownStream({ streamId: 'cam-1', streamName: null })).toBe('cam-1');
    expect(shownStream({ streamId: null, streamName: null })).toBeNull();
    expect(shownStream(null)).toBeNull();
  });
});
