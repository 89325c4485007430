import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KvsError } from '../../shared/errors.js';
import { WatchRequest } from '../../shared/contract.js';
import {
  assertTopicName,
  createKafka,
  topicNameProblem,
  translateKafkaError,
  translateSecurityError,
  withTimeout,
} from './client.js';

/** Kafka's rule, written independently of the code under test. */
const KAFKA_TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const legalTopic = (s: string): boolean => KAFKA_TOPIC.test(s) && s !== '.' && s !== '..' && !s.startsWith('__');

const TOPIC_TOKENS = [
  'demo', 'video-1', 'a.b', '_', '__', '-', '.', '..', 'x'.repeat(120), ' ', '\t', '\n', '\u0000', ';', '$(id)', '`id`',
  "'", '"', '/', '\\', ':', '*', '#', 'é', '\u{1F3AC}', '\u212A', '\u017F', '\uFF21', '\u0661', '\ud800', '\u200e',
];
const topicLike = fc.oneof(
  fc.array(fc.constantFrom(...TOPIC_TOKENS), { maxLength: 6 }).map((a) => a.join('')),
  fc.stringMatching(/^[A-Za-z0-9._-]{0,260}$/),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.array(fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)), { maxLength: 20 }).map((a) => a.join('')),
);
const anyValue = fc.oneof(
  topicLike,
  fc.anything({ maxDepth: 2, maxKeys: 4, withNullPrototype: true, withBigInt: true, withBoxedValues: true }),
  fc.constantFrom(null, undefined, 0, Number.NaN, Symbol('demo'), ['demo'], { toString: () => 'demo' }, new String('demo')),
);

describe('topic names', () => {
  it('accepts what Kafka accepts', () => {
    for (const ok of ['demo', 'distributed-video1', 'a.b_c-d', 'x'.repeat(249)]) expect(topicNameProblem(ok)).toBeNull();
  });
  it('refuses what Kafka refuses, saying why', () => {
    expect(topicNameProblem('')).toMatch(/Enter a topic name/);
    expect(topicNameProblem('a b')).toMatch(/not space/);
    expect(topicNameProblem('ü')).toMatch(/"ü"/);
    expect(topicNameProblem('.')).toMatch(/not allowed/);
  });
  it('never throws (property)', () => {
    fc.assert(fc.property(fc.anything(), (v) => void topicNameProblem(v)));
  });

  it('topicNameProblem: string|null for any value, null exactly for Kafka-legal names (property)', () => {
    fc.assert(
      fc.property(anyValue, (v) => {
        const problem = topicNameProblem(v);
        expect(problem === null || (typeof problem === 'string' && problem.length > 0)).toBe(true);
        expect(problem === null, JSON.stringify(String(typeof v === 'symbol' ? 'symbol' : typeof v === 'string' ? v : typeof v))).toBe(typeof v === 'string' && legalTopic(v));
      }),
      { numRuns: 1000 },
    );
  });

  it('assertTopicName: the same string back, or a KvsError TOPIC_INVALID with the same message (property)', () => {
    fc.assert(
      fc.property(anyValue, (v) => {
        let out: unknown;
        try {
          out = assertTopicName(v);
        } catch (e) {
          expect(e).toBeInstanceOf(KvsError);
          expect((e as KvsError).code).toBe('TOPIC_INVALID');
          expect((e as KvsError).message).toBe(topicNameProblem(v));
          return;
        }
        expect(out).toBe(v);
        expect(typeof out === 'string' && KAFKA_TOPIC.test(out) && legalTopic(out)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  // The contract's TopicName is only a length guard (1..249): "a b" or "$(id)" get past zod, so
  // every handler that takes a topic must still call assertTopicName (host.ts, topics.ts do).
  it("the contract's topic field: safeParse never throws; legal names pass it; the rest the core refuses (property)", () => {
    fc.assert(
      fc.property(anyValue, (v) => {
        const w = WatchRequest.safeParse({ viewerId: 'v1', topic: v, from: { kind: 'live' }, pace: true });
        expect(typeof w.success).toBe('boolean');
        if (typeof v === 'string' && legalTopic(v)) expect(w.success).toBe(true);
        if (!w.success) return;
        if (topicNameProblem(w.data.topic) === null) expect(assertTopicName(w.data.topic)).toBe(w.data.topic);
        else expect(() => assertTopicName(w.data.topic)).toThrow(expect.objectContaining({ code: 'TOPIC_INVALID' }));
      }),
      { numRuns: 500 },
    );
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

describe('TLS and SASL refusals become their own codes (texts as Node and kafkajs give them)', () => {
  const b = '10.0.0.5:9093';
  it('a certificate for other names says which names it has', () => {
    const e = translateSecurityError(
      "KafkaJSConnectionError ERR_TLS_CERT_ALTNAME_INVALID Connection error: Hostname/IP does not match certificate's altnames: IP: 10.0.0.5 is not in the cert's list: 10.9.9.9",
      b,
    );
    expect(e?.code).toBe('TLS_HOSTNAME_MISMATCH');
    expect(e?.message).toContain('does not name 10.0.0.5 (it names 10.9.9.9)');
    const byName = translateSecurityError(
      "ERR_TLS_CERT_ALTNAME_INVALID Hostname/IP does not match certificate's altnames: Host: kafka-1. is not in the cert's altnames: DNS:kafka.example.com, IP Address:10.9.9.9",
      'kafka-1:9093',
    );
    expect(byName?.message).toContain('(it names DNS:kafka.example.com, IP Address:10.9.9.9)');
  });
  it('expired and not yet valid certificates', () => {
    expect(translateSecurityError('KafkaJSConnectionError CERT_HAS_EXPIRED certificate has expired', b)?.code).toBe(
      'TLS_CERT_EXPIRED',
    );
    expect(
      translateSecurityError('KafkaJSConnectionError CERT_NOT_YET_VALID certificate is not yet valid', b)?.message,
    ).toContain('Check the clock');
  });
  it('anything else is not a security error', () => {
    expect(translateSecurityError('KafkaJSConnectionError ECONNREFUSED connect ECONNREFUSED', b)).toBeNull();
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

  it('returns a handle, or throws a KvsError BOOTSTRAP_INVALID, for any bootstrap value (property)', () => {
    const BOOT_TOKENS = ['10.0.0.5', '[::1]', 'kafka-1', ':9092', ':0', ':99999', ',', ';', '$(id)', '`id`', '\n', ' ', "'", '"', 'PLAINTEXT://', '@', '/', '\u0000', 'é', '::1', '%'];
    const bootstrapLike = fc.oneof(
      fc.array(fc.constantFrom(...BOOT_TOKENS), { maxLength: 8 }).map((a) => a.join('')),
      fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 70000 })).map(([h, p]) => `${h}:${p}`),
      fc.string({ maxLength: 5000 }),
      fc.anything({ maxDepth: 1, withNullPrototype: true, withBigInt: true }),
    );
    fc.assert(
      fc.property(bootstrapLike, (bootstrap) => {
        let handle: ReturnType<typeof createKafka>;
        try {
          handle = createKafka({ bootstrap: bootstrap as string });
        } catch (e) {
          expect(e).toBeInstanceOf(KvsError);
          expect((e as KvsError).code).toBe('BOOTSTRAP_INVALID');
          expect((e as KvsError).message.length).toBeGreaterThan(0);
          return;
        }
        expect(typeof bootstrap).toBe('string');
        expect(handle.brokers.length).toBeGreaterThan(0);
        expect(handle.bootstrap).toMatch(/^[A-Za-z0-9.:,[\]-]+$/);
      }),
      { numRuns: 400 },
    );
  });
});
