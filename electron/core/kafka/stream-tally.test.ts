import { describe, expect, it } from 'vitest';
import { StreamTally } from './stream-tally.js';
import {
  decodeMessage,
  encodeEndOfStream,
  encodeFrameMessage,
  type OutgoingMessage,
} from './wire-format.js';

const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 1, 2, 3, 0xff, 0xd9]);
const decoded = (m: OutgoingMessage) => decodeMessage(m.value, m.headers);
const frame = (
  streamId: string,
  seq: number,
  extra: { streamName?: string; width?: number } = {},
) =>
  decoded(
    encodeFrameMessage(jpeg, {
      streamId,
      seq,
      ptsMs: seq * 40,
      fps: 25,
      width: extra.width ?? 320,
      height: 180,
      capturedAt: 1,
      ...(extra.streamName !== undefined ? { streamName: extra.streamName } : {}),
    }),
  );

describe('StreamTally', () => {
  it('lists each stream once with what its newest frame says, newest first', () => {
    const t = new StreamTally();
    t.add(2, 1000, frame('a', 0, { streamName: 'Door' }));
    t.add(1, 1001, frame('b', 0));
    t.add(2, 1040, frame('a', 1, { streamName: 'Front door', width: 640 }));
    t.add(1, 1020, frame('b', 1, { streamName: 'Garden' }));
    const r = t.result();
    expect(r.scanned).toBe(4);
    expect(r.skipped).toBe(0);
    expect(r.streams.map((s) => s.id)).toEqual(['a', 'b']);
    expect(r.streams[0]).toMatchObject({
      id: 'a',
      name: 'Front door',
      partition: 2,
      type: 'image/jpeg',
      codec: null,
      width: 640,
      height: 180,
      fps: 25,
      frames: 2,
      lastSeq: 1,
      lastFrameAt: 1040,
      ended: false,
    });
    expect(r.streams[1]).toMatchObject({
      id: 'b',
      name: 'Garden',
      partition: 1,
      frames: 2,
      lastFrameAt: 1020,
    });
  });

  it('marks a stream ended when its end marker follows its newest frame, not before it', () => {
    const t = new StreamTally();
    t.add(0, 1, frame('a', 0));
    t.add(0, 2, decoded(encodeEndOfStream('a', 1, 1)));
    t.add(0, 3, frame('b', 0));
    t.add(0, 4, decoded(encodeEndOfStream('b', 1, 1)));
    t.add(0, 5, frame('b', 0)); // b started again
    t.add(0, 6, decoded(encodeEndOfStream('gone', 9, 9))); // frames not among those read
    const r = t.result();
    expect(r.streams.map((s) => [s.id, s.ended])).toEqual([
      ['b', false],
      ['a', true],
    ]);
  });

  it('counts garbage and lists plain images (no headers) as one stream without an id', () => {
    const t = new StreamTally();
    t.add(0, 1, decodeMessage(Buffer.from('{"not":"video"}')));
    t.add(0, 2, decodeMessage(Buffer.from([0, 1, 2, 3, 250])));
    t.add(0, 3, decodeMessage(null));
    t.add(0, 4, decodeMessage(jpeg));
    t.add(3, 5, decodeMessage(jpeg));
    const r = t.result();
    expect(r.scanned).toBe(5);
    expect(r.skipped).toBe(3);
    expect(r.streams).toHaveLength(1);
    expect(r.streams[0]).toMatchObject({
      id: null,
      name: null,
      partition: 3,
      frames: 2,
      lastSeq: null,
      fps: null,
    });
  });

  it('keeps at most maxStreams entries and says how many it left out', () => {
    const t = new StreamTally(3);
    for (let i = 0; i < 10; i++) t.add(0, i, frame(`s${i}`, 0));
    const r = t.result();
    expect(r.streams).toHaveLength(3);
    expect(r.droppedStreams).toBe(7);
  });
});
