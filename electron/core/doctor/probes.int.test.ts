/**
 * The hand-written Kafka probes against the two real test brokers that the Vitest global setup
 * starts (scripts/test-support/global-kafka.ts): KRaft Kafka 4.1.1 and ZooKeeper-mode 3.9.1,
 * both on PLAINTEXT listeners at 127.0.0.1:<port>.
 */
import { describe, expect, it } from 'vitest';
import { hasKafka, kafkaModes } from '../../../scripts/test-support/kafka-env.js';
import { clientCompatibility, describeBrokerVersion } from './broker-versions.js';
import { API_KEY, KAFKA_ERROR, type ApiRanges } from './probe-types.js';
import {
  probeApiVersions,
  probeMetadata,
  probeSaslMechanisms,
  probeTcp,
  probeTls,
} from './probes.js';

const LIMIT_MS = 5000;

function split(bootstrap: string): { host: string; port: number } {
  const at = bootstrap.lastIndexOf(':');
  return { host: bootstrap.slice(0, at), port: Number(bootstrap.slice(at + 1)) };
}

async function apisOf(host: string, port: number): Promise<ApiRanges> {
  const r = await probeApiVersions(host, port, LIMIT_MS);
  if (!r.ok) throw new Error(r.message);
  return r.apis;
}

describe.skipIf(!hasKafka())(
  hasKafka()
    ? 'kafka probes against real brokers'
    : 'kafka probes against real brokers (skipped: no test broker, KVS_NO_KAFKA=1)',
  () => {
    describe.each(kafkaModes())('$mode broker at $bootstrap', ({ mode, bootstrap }) => {
      const { host, port } = split(bootstrap);

      it('connects over TCP', async () => {
        const r = await probeTcp(host, port, LIMIT_MS);
        expect(r).toMatchObject({ ok: true });
      });

      it('answers ApiVersions v0 with the ranges of its release', async () => {
        const r = await probeApiVersions(host, port, LIMIT_MS);
        if (!r.ok) throw new Error(r.message);
        expect(r.ms).toBeLessThan(LIMIT_MS);
        expect(r.apis.get(API_KEY.ApiVersions)?.min).toBe(0);
        const produce = r.apis.get(API_KEY.Produce);
        const fetch = r.apis.get(API_KEY.Fetch);
        const metadata = r.apis.get(API_KEY.Metadata);
        if (mode === 'kraft') {
          // Kafka 4.x removed Fetch v0–v3 (KIP-896) but still advertises Produce v0–v2 (KAFKA-18659).
          expect(produce).toEqual({ min: 0, max: 13 });
          expect(fetch).toEqual({ min: 4, max: 18 });
          expect(metadata).toEqual({ min: 0, max: 13 });
          expect(describeBrokerVersion(r.apis)).toBe('4.0 or newer');
        } else {
          expect(produce).toEqual({ min: 0, max: 11 });
          expect(fetch).toEqual({ min: 0, max: 17 });
          expect(metadata).toEqual({ min: 0, max: 12 });
          expect(describeBrokerVersion(r.apis)).toBe('3.x');
        }
        expect(clientCompatibility(r.apis)).toEqual({ tooOld: null, tooNew: null });
      });

      it('returns the advertised broker, cluster id and controller from Metadata (ApiVersions first)', async () => {
        const r = await probeMetadata(host, port, LIMIT_MS);
        if (!r.ok) throw new Error(r.message);
        expect(r.version).toBe(8);
        expect(r.clusterId).toMatch(/^\S{10,}$/);
        expect(r.controllerId).not.toBeNull();
        expect(r.brokers).toHaveLength(1);
        const [broker] = r.brokers;
        expect(`${broker?.host}:${broker?.port}`).toBe(bootstrap);
        expect(broker?.rack).toBeNull();
        if (mode === 'zookeeper') {
          // With ZooKeeper the controller is a broker; this cluster has one.
          expect(r.controllerId).toBe(broker?.nodeId);
        }
      });

      it('also answers Metadata when given ranges (no ApiVersions on that connection), and with v1', async () => {
        const apis = await apisOf(host, port);
        const again = await probeMetadata(host, port, LIMIT_MS, apis);
        expect(again).toMatchObject({ ok: true, version: 8 });
        const first = await probeMetadata(host, port, LIMIT_MS);
        if (!first.ok || !again.ok) throw new Error('metadata failed');
        expect(again.clusterId).toBe(first.clusterId);

        const old = new Map(apis);
        old.set(API_KEY.Metadata, { min: 0, max: 1 });
        const v1 = await probeMetadata(host, port, LIMIT_MS, old);
        expect(v1).toMatchObject({ ok: true, version: 1, clusterId: null });
        if (!v1.ok) return;
        expect(v1.brokers.map((b) => `${b.host}:${b.port}`)).toEqual([bootstrap]);
      });

      it('answers SaslHandshake on this PLAINTEXT listener with ILLEGAL_SASL_STATE (34) and no mechanisms', async () => {
        const r = await probeSaslMechanisms(host, port, LIMIT_MS);
        expect(r).toMatchObject({
          ok: false,
          kind: 'error',
          errorCode: KAFKA_ERROR.ILLEGAL_SASL_STATE,
        });
        if (!r.ok) expect(r.message).toContain(bootstrap);
      });

      it('fails the TLS probe on this plaintext port', async () => {
        const r = await probeTls(host, port, LIMIT_MS);
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.kind).toBe('closed');
        expect(r.message).toContain(bootstrap);
      });
    });
  },
);
