/** The doctor's topic check: the topic's max.message.bytes against the frame size (via kafkajs). */
import { createKafka, withTimeout } from '../kafka/client.js';
import { topicMaxMessageBytes, topicExists, withAdmin } from '../kafka/topics.js';
import { type Diagnosis, STEP_MS, TITLES } from './diagnosis-report.js';
import { finding } from './findings.js';

/**
 * 8. topic limit (kafkajs: it follows the advertised addresses, which now are known to work).
 * Skipped without a topic and frame size; not reached when an advertised address failed.
 */
export async function checkTopic(
  d: Diagnosis,
  bootstrap: string,
  opts: { topic?: string; frameBytes?: number },
  advertisedOk: boolean,
): Promise<void> {
  const { checks, findings, left, timed } = d;
  if (opts.topic !== undefined && opts.frameBytes !== undefined && advertisedOk) {
    const topic = opts.topic;
    const frameBytes = opts.frameBytes;
    await timed('topic', async () => {
      const handle = createKafka({ bootstrap, retries: 0, security: d.security.settings });
      try {
        const max = await withTimeout(
          withAdmin(handle, async (admin) =>
            (await topicExists(admin, topic)) ? topicMaxMessageBytes(admin, topic) : null,
          ),
          left(STEP_MS.topic),
          `Reading topic ${topic}`,
        );
        if (max === null)
          return {
            status: 'ok',
            detail: `Topic "${topic}" does not exist yet; it will be made to fit frames.`,
            value: undefined,
          };
        if (max < frameBytes) {
          findings.push(finding.topicMessageTooSmall(topic, max, frameBytes));
          return {
            status: 'failed',
            detail: `max.message.bytes ${max} < frame ${frameBytes}`,
            value: undefined,
          };
        }
        return {
          status: 'ok',
          detail: `max.message.bytes ${max} ≥ frame ${frameBytes}`,
          value: undefined,
        };
      } catch (e) {
        return {
          status: 'warning',
          detail: `Could not read the topic's settings: ${e instanceof Error ? e.message : String(e)}`,
          value: undefined,
        };
      }
    });
  } else if (advertisedOk) {
    checks.push({
      id: 'topic',
      title: TITLES.topic,
      status: 'skipped',
      detail: 'No topic and frame size given.',
      ms: 0,
    });
  }
}
