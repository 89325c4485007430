/**
 * Several streams in one topic (issue 17): four named H.264 streams of different lengths in a
 * topic of 4 partitions (each in its key's partition). The watch panel's stream picker lists the
 * four by name; the chosen one plays — its frame count is its own length, so no frame of another
 * stream reached the page — and choosing another while playing switches to it.
 */
import { randomBytes } from 'node:crypto';
import { h264Message, sendMessages } from '../scripts/test-support/h264-topic.js';
import { createKafka } from '../electron/core/kafka/client.js';
import { createTopic } from '../electron/core/kafka/topics.js';
import {
  HEADER,
  encodeStreamName,
  type OutgoingMessage,
} from '../electron/core/kafka/wire-format.js';
import { distinctColours } from './canvas-colours.js';
import { connectToBroker, e2eBootstrap, testClip } from './broker-page.js';
import { expect, test } from './fixtures.js';

const STREAMS = [
  { id: 'cam-a', name: 'Front door', frames: 30 },
  { id: 'cam-b', name: 'Café terrace', frames: 45 },
  { id: 'cam-c', name: 'カメラ 3', frames: 60 },
  { id: 'cam-d', name: 'Garden', frames: 75 },
] as const;

test('the watch panel lists the streams of a topic and plays the chosen one', async ({
  app,
}, testInfo) => {
  const { page } = app;
  const clip = await testClip();
  const topic = `e2e-streams-${randomBytes(3).toString('hex')}`;
  const handle = createKafka({ bootstrap: e2eBootstrap(), clientId: 'kvs-e2e-streams' });
  await createTopic(handle, topic, { partitions: 4 });
  const messages: OutgoingMessage[] = [];
  for (const s of STREAMS)
    for (let seq = 0; seq < s.frames; seq++) {
      const m = h264Message(clip, seq, { streamId: s.id });
      messages.push({
        ...m,
        headers: { ...m.headers, [HEADER.streamName]: encodeStreamName(s.name) },
      });
    }
  await sendMessages(handle, topic, messages);

  await connectToBroker(page);
  await page.getByTestId('watch-topic-input').first().fill(topic);
  const picker = page.getByTestId('stream-picker').first();
  await expect(picker.getByTestId('stream-picker-status')).toHaveText('4 streams in 4 partitions.');
  const select = picker.getByTestId('stream-picker-select');
  const options = select.locator('option');
  await expect(options).toHaveCount(5);
  await expect(options.first()).toHaveText('All streams');
  for (const s of STREAMS)
    await expect(select.locator(`option[value="${s.id}"]`)).toContainText(
      `${s.name} (${s.id}) — H.264 640×360 30 fps`,
    );

  const [, chosen, , other] = STREAMS;
  await select.selectOption(chosen.id);
  await page.getByTestId('watch-from-beginning').first().check();
  await page.getByTestId('watch-start-button').first().click();
  await expect(page.getByTestId('watch-frame-count').first()).toHaveText(String(chosen.frames));
  await expect(picker.getByTestId('stream-picker-shown')).toHaveText(
    `${chosen.name} (${chosen.id})`,
  );
  expect(await distinctColours(page)).toBeGreaterThan(8);
  await page.screenshot({
    path: testInfo.outputPath(`streams-${testInfo.project.name}.png`),
    fullPage: true,
  });

  // another stream while playing: the viewer starts again on it
  await select.selectOption(other.id);
  await expect(picker.getByTestId('stream-picker-shown')).toHaveText(`${other.name} (${other.id})`);
  await expect(page.getByTestId('watch-frame-count').first()).toHaveText(String(other.frames));
  await expect(page.getByTestId('watch-error').first()).toHaveText('');
});
