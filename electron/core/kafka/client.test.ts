import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createKafka, topicNameProblem, translateKafkaError, withTimeout } from './client.js';

describe('topic names', () => {
  it('accepts what Kafka accepts', () => {
    for (const ok of ['demo', 'distributed-video1', 'a.b_c-d', 'x'.repeat(249)]) expect(topicNameProblem(ok)).toBeNull();
  });
  it('refuses what Kafka refuses, saying why', () => {
    expect(topicNameProblem('')).toMatch(/Enter a topic name/);
    expect(topicNameProblem('a b')).toMatch(/a space/);
    expect(topicNameProblem('ü')).toMatch(/"ü"/);
    expect(topicNameProblem('.')).toMatch(/does not allow/);
  });
  it('never throws (property)', () => {
    fc.assert(fc.property(fc.anything(), (v) => void topicNameProblem(v)));
  });
});

describe('kafka errors become plain messages', () => {
  const ctx = { bootstrap: '10.0.0.5:9092', topic: 'demo' };
  it('connection refused', () => {
    const e = translateKafkaError(Object.assign(new Error('Connection error: connect ECONNREFUSED 10.0.0.5:9092'), { name: 'KafkaJSConnectionError' }), ctx);
    expect(e.code).toBe('BROKER_UNREACHABLE');
    expect(e.message).toMatch(/connection refused.*advertised\.listeners/);
  });
  it('looks through kafkajs retry wrappers', () => {
    const inner = Object.assign(new Error('getaddrinfo ENOTFOUND kafka-1'), { code: 'ENOTFOUND' });
    const outer = Object.assign(new Error('retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', originalError: inner });
    expect(translateKafkaError(outer, ctx).message).toMatch(/Cannot resolve/);
  });
  it('message too large', () => {
    const e = translateKafkaError(Object.assign(new Error('The request included a message larger than the max message size the server will accept'), { type: 'MESSAGE_TOO_LARGE' }), ctx);
    expect(e.code).toBe('FRAME_TOO_LARGE');
  });
  it('unknown errors still say something', () => {
    expect(translateKafkaError('weird', ctx)).toMatchObject({ code: 'KAFKA_ERROR', message: 'Kafka error: weird' });
  });
});

describe('withTimeout', () => {
  it('says what took too long', async () => {
    await expect(withTimeout(new Promise(() => undefined), 20, 'Connecting to x')).rejects.toMatchObject({ code: 'TIMEOUT', message: /Connecting to x did not finish within/ });
    await expect(withTimeout(Promise.resolve(3), 20, 'x')).resolves.toBe(3);
  });
});

describe('createKafka', () => {
  it('refuses an invalid bootstrap list with the parser message', () => {
    expect(() => createKafka({ bootstrap: '10.0.0.5:9092,' })).toThrow(/remove the extra comma/);
    expect(createKafka({ bootstrap: '10.0.0.5' }).bootstrap).toBe('10.0.0.5:9092');
  });
});
