/**
 * The app services on a secured broker (issue 15; scripts/test-support/secure-kafka.ts): connect,
 * list and create topics, produce a video, watch it back, read the topic's range, seek the viewer
 * back and export the topic to MP4 — over SASL_SSL/SCRAM-SHA-512 and mutual TLS with settings
 * given at connect, and over SSL, SASL_PLAINTEXT/PLAIN, SASL_SSL/SCRAM-SHA-256 and OAUTHBEARER
 * through saved profiles whose secrets are typed at connect. A wrong password fails the connect
 * with KAFKA_AUTH_FAILED, the password in no event or error.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  secureKafkaSkipReason,
  startSecureKafka,
  type SecureKafka,
} from '../../scripts/test-support/secure-kafka.js';
import { call, callError, EventLog, until } from '../../scripts/test-support/service-calls.js';
import { makeTestVideo } from '../../scripts/test-support/test-video.js';
import { newViewerId } from '../../renderer/src/transport/viewer-id.js';
import type { ProfileSecrets, PublicSecurity } from '../shared/connection-profile.js';
import type { ConnectionSecurity } from '../shared/connection-security.js';
import { decodeFramePacket } from '../shared/frame-packet.js';
import { locateFfmpeg } from '../core/ffmpeg/locate-ffmpeg.js';
import { createAppServices, type AppServices } from './app-services.js';

const reason = secureKafkaSkipReason();
const FRAMES = 10;

describe.skipIf(reason !== undefined)(
  `app services on a secured broker${reason ? ` — skipped: ${reason}` : ''}`,
  () => {
    let k: SecureKafka;
    let dir: string;
    let video: string;
    let services: AppServices;
    let events: EventLog;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-services-secure-'));
      const [kafka, clip, ffmpeg] = await Promise.all([
        startSecureKafka({ prefix: 'kvs-secsvc' }),
        makeTestVideo({ dir, seconds: 1, width: 160, height: 90, fps: 10 }),
        locateFfmpeg(),
      ]);
      k = kafka;
      video = clip;
      services = createAppServices({
        userDataDir: path.join(dir, 'user'),
        allowOpenPath: true,
        ffmpeg,
      });
      events = new EventLog(services);
    }, 120_000);
    afterAll(async () => {
      await services?.dispose();
      await k?.close();
      await rm(dir, { recursive: true, force: true });
    });

    async function produceAndWatch(): Promise<void> {
      const topic = `svc-sec-${randomBytes(3).toString('hex')}`;
      await call(services, 'topics:create', { topic });
      expect((await call(services, 'topics:list', {})).some((t) => t.name === topic)).toBe(true);
      const { videoId } = await call(services, 'video:open-path', { path: video });
      const { jobId } = await call(services, 'produce:start', {
        videoId,
        topic,
        realtime: false,
        loop: false,
        format: 'kvs',
        codec: 'jpeg',
      });
      const ended = await events.waitFor('produce:ended', (e) => e.jobId === jobId, 60_000);
      expect(ended).toMatchObject({ ok: true, frames: FRAMES, acked: FRAMES, failed: 0 });

      const seqs: Array<number | null> = [];
      const epochs: number[] = [];
      const viewerId = newViewerId();
      const off = services.onFrame((id, packet) => {
        const decoded = decodeFramePacket(packet);
        if (id === viewerId && decoded.ok) {
          seqs.push(decoded.header.seq);
          epochs.push(decoded.header.epoch ?? 0);
        }
        services.ackFrame(id);
        return true;
      });
      try {
        await call(services, 'watch:start', {
          viewerId,
          topic,
          from: { kind: 'beginning' },
          pace: false,
        });
        await until(() => seqs.length >= FRAMES, 'every frame back');
        expect(seqs).toEqual([...Array(FRAMES).keys()]);
        // the timeline: the topic's range, and a seek back to the first frame on the same viewer
        const range = await call(services, 'topics:range', { topic });
        expect(range.firstMs).not.toBeNull();
        const { epoch } = await call(services, 'watch:control', {
          op: 'seek',
          viewerId,
          from: { kind: 'timestamp', ms: range.firstMs ?? 0 },
          paused: true,
        });
        await until(() => epochs.includes(epoch), 'a frame after the seek');
        expect(seqs[epochs.indexOf(epoch)]).toBe(0);
        await call(services, 'watch:stop', { viewerId });
        // export to MP4 (kvs serve's way: the file waits for its download)
        const { exportId } = await call(services, 'export:start', { topic });
        const done = await events.waitFor('export:ended', (e) => e.exportId === exportId, 60_000);
        expect(done).toMatchObject({ ok: true, frames: FRAMES, error: null });
      } finally {
        off();
      }
    }

    it('SASL_SSL with SCRAM-SHA-512: connect, topics, produce, watch', async () => {
      const security: ConnectionSecurity = {
        protocol: 'SASL_SSL',
        tls: { ca: k.pki.ca.pem, client: null, verifyHostname: true },
        sasl: {
          mechanism: 'SCRAM-SHA-512',
          username: k.scram.username,
          password: k.scram.password,
        },
      };
      const status = await call(services, 'connection:connect', {
        bootstrap: k.listeners.scram.bootstrap,
        security,
      });
      expect(status).toMatchObject({ state: 'connected', clusterId: k.clusterId });
      await produceAndWatch();
    });

    it('mutual TLS: connect, topics, produce, watch', async () => {
      const status = await call(services, 'connection:connect', {
        bootstrap: k.listeners.mtls.bootstrap,
        security: {
          protocol: 'SSL',
          tls: {
            ca: k.pki.ca.pem,
            client: { kind: 'pem', cert: k.pki.client.cert.pem, key: k.pki.client.key.pem },
            verifyHostname: true,
          },
          sasl: null,
        },
      });
      expect(status.state).toBe('connected');
      await produceAndWatch();
    });

    /** Each listener as a saved profile: its public settings and the secrets typed at connect. */
    function profileOf(name: string): {
      bootstrap: string;
      security: PublicSecurity;
      secrets: ProfileSecrets;
    } {
      const tls = { ca: k.pki.ca.pem, client: null, verifyHostname: true };
      switch (name) {
        case 'ssl':
          return {
            bootstrap: k.listeners.ssl.bootstrap,
            security: { protocol: 'SSL', tls, sasl: null },
            secrets: {},
          };
        case 'saslPlain':
          return {
            bootstrap: k.listeners.saslPlain.bootstrap,
            security: {
              protocol: 'SASL_PLAINTEXT',
              tls: null,
              sasl: { mechanism: 'PLAIN', username: k.plain.username },
            },
            secrets: { saslPassword: k.plain.password },
          };
        case 'scram-sha-256':
          return {
            bootstrap: k.listeners.scram.bootstrap,
            security: {
              protocol: 'SASL_SSL',
              tls,
              sasl: { mechanism: 'SCRAM-SHA-256', username: k.scram.username },
            },
            secrets: { saslPassword: k.scram.password },
          };
        case 'oauth':
          return {
            bootstrap: k.listeners.oauth.bootstrap,
            security: {
              protocol: 'SASL_SSL',
              tls,
              sasl: { mechanism: 'OAUTHBEARER', token: { kind: 'fixed' } },
            },
            secrets: { oauthToken: k.oauth.token },
          };
        default:
          throw new Error(`no profile for ${name}`);
      }
    }

    it.for(['ssl', 'saslPlain', 'scram-sha-256', 'oauth'])(
      '%s through a saved profile (secrets typed at connect): connect, topics, produce, watch, seek, export',
      async (name) => {
        const p = profileOf(name);
        const saved = await call(services, 'profiles:save', {
          id: null,
          name: `lab ${name}`,
          bootstrap: p.bootstrap,
          security: p.security,
          secrets: {},
          remember: false,
        });
        if (Object.keys(p.secrets).length > 0) {
          const needs = await callError(services, 'connection:connect', { profileId: saved.id });
          expect(needs.code).toBe('PROFILE_SECRETS_NEEDED');
        }
        const status = await call(services, 'connection:connect', {
          profileId: saved.id,
          secrets: p.secrets,
        });
        expect(status).toMatchObject({ state: 'connected', clusterId: k.clusterId });
        await produceAndWatch();
        const listed = await call(services, 'profiles:list', {});
        expect(listed.profiles[0]).toMatchObject({ id: saved.id });
        expect(listed.profiles[0]?.lastUsed).not.toBeNull();
      },
    );

    it('a wrong password: KAFKA_AUTH_FAILED, and the password is in no event or error', async () => {
      const secret = `wrong-${randomBytes(4).toString('hex')}`;
      const error = await callError(services, 'connection:connect', {
        bootstrap: k.listeners.scram.bootstrap,
        security: {
          protocol: 'SASL_SSL',
          tls: { ca: k.pki.ca.pem, client: null, verifyHostname: true },
          sasl: { mechanism: 'SCRAM-SHA-256', username: k.scram.username, password: secret },
        },
      });
      expect(error.code).toBe('KAFKA_AUTH_FAILED');
      expect(JSON.stringify(error)).not.toContain(secret);
      expect(JSON.stringify(events.of('connection:status'))).not.toContain(secret);
    });
  },
);
