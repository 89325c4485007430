/**
 * One node's part of a KRaft cluster install (issue 16), checked before any step is planned.
 *
 * The controller quorum is STATIC: every node is a combined broker + controller and a voter in
 * `controller.quorum.voters` (id@address:9093), and every node is formatted with the same cluster id
 * (`kafka-storage.sh format -t <id>`, no --standalone / --initial-controllers). Why static rather than
 * KIP-853's dynamic quorum: for a fixed set of 3 or 5 combined nodes it is one line the same on every
 * node, formatting needs nothing but the cluster id (the dynamic form needs every controller's
 * directory id, known only after formatting, handed to the others in the same order), and Kafka 4.x
 * supports it as it did 3.x. Adding or removing a controller later (what the dynamic quorum is for)
 * is not something the wizard offers.
 *
 * The cluster id is made once, on this computer (`newClusterId`, the form `kafka-storage.sh
 * random-uuid` prints), and kept: a re-run reads it back from the nodes' meta.properties
 * (cluster-state.ts) and never formats again.
 */
import { randomBytes } from 'node:crypto';
import { CLUSTER_SIZES } from '../../shared/contract.js';
import { validateIPv4 } from '../../shared/setup-validate.js';
import { atLeast } from './config.js';
import type { KafkaVersion } from '../../shared/setup-validate.js';
import { SetupPlanError } from './plan-types.js';

export interface ClusterChoice {
  /** The cluster id every node is formatted with (22 characters, base64url). */
  readonly clusterId: string;
  /** This node's node.id. */
  readonly nodeId: number;
  /** Every node (this one included): node.id and the IPv4 the others and clients reach it at. */
  readonly voters: readonly { readonly nodeId: number; readonly host: string }[];
}

export { CLUSTER_SIZES };

/** The quorum choice in a sentence, for the plan the wizard shows (the comment above says more). */
export const QUORUM_WHY =
  'A static controller quorum: every node is a broker and a controller, and every node is a voter. Static, not the dynamic quorum (KIP-853), because for a fixed set of 3 or 5 combined nodes it is one line, the same on every node, and formatting needs only the cluster id; the wizard does not add or remove controllers later, which is what the dynamic quorum is for.';
const CLUSTER_ID = /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/;

/** A new cluster id: 16 random bytes, base64url without padding, never starting with '-' (as Kafka's Uuid). */
export function newClusterId(random: (n: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** The choice, checked against this node's install (mode, version, address); throws SetupPlanError. */
export function checkClusterChoice(
  c: ClusterChoice,
  o: {
    readonly mode: string;
    readonly version: KafkaVersion;
    readonly advertise: string;
    readonly secure: boolean;
  },
): ClusterChoice {
  const fail = (message: string): never => {
    throw new SetupPlanError('CLUSTER_CHOICE', message);
  };
  if (o.mode !== 'kraft') fail('A cluster is installed in KRaft mode (Kafka 3.3 or newer).');
  if (!atLeast(o.version, 3, 3))
    fail(
      `Kafka ${o.version.text} has no production KRaft; a cluster needs Kafka 3.3 or newer (4.x recommended).`,
    );
  if (o.secure)
    fail(
      'A cluster with the TLS + SCRAM login is not offered yet; install it without, or one server.',
    );
  if (!CLUSTER_ID.test(c.clusterId))
    fail(`"${c.clusterId}" is not a Kafka cluster id (22 characters of base64url).`);
  if (!(CLUSTER_SIZES as readonly number[]).includes(c.voters.length))
    fail(
      `A cluster here has ${CLUSTER_SIZES.join(' or ')} servers (a majority must survive one loss), not ${c.voters.length}.`,
    );
  const ids = new Set(c.voters.map((v) => v.nodeId));
  const hosts = new Set(c.voters.map((v) => validateIPv4(v.host)));
  if (ids.size !== c.voters.length) fail('Two servers have the same node.id.');
  if (hosts.size !== c.voters.length) fail('Two servers have the same address.');
  for (const id of ids)
    if (!Number.isInteger(id) || id < 1 || id > 1000) fail(`node.id ${id} is not 1–1000.`);
  const me = c.voters.find((v) => v.nodeId === c.nodeId);
  if (me === undefined) fail(`node.id ${c.nodeId} is not one of the cluster's servers.`);
  if (me !== undefined && me.host !== o.advertise)
    fail(
      `Server ${c.nodeId} is ${me.host} in the quorum but advertises ${o.advertise}; they must be the same address.`,
    );
  return c;
}
