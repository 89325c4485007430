/**
 * The doctor's findings for secured listeners (issue 15): what the TLS handshake or the SASL login
 * ran into (security-problem.ts), in plain words naming the certificate's issuer, names and dates,
 * the mechanisms the listener enables, and the exact fix — most often a choice in the app's
 * connection settings, sometimes a line on the broker. A listener that speaks another protocol
 * than the one chosen gets the protocol to choose (protocolFinding).
 */
import type { SecurityProtocol } from '../../shared/connection-security.js';
import { chooseProtocol, finding, restart, type Finding } from './findings.js';
import type { SecurityProblem } from './security-problem.js';

const CA_SETTING =
  'in the connection settings (TLS → CA certificate; kvs: --ca-file ca.pem; client.properties: ssl.truststore.location)';

/** What to call the name in a subjectAltName line. */
function sanFor(name: string): string {
  return /^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`;
}

/** A finding for a TLS or SASL problem at `address`; null for 'not-tls' / 'not-sasl' (see protocolFinding). */
export function securityFinding(address: string, p: SecurityProblem): Finding | null {
  switch (p.kind) {
    case 'untrusted':
      return {
        code: 'TLS_UNTRUSTED',
        severity: 'error',
        message: `The certificate of ${address} (${p.subject}) is issued by ${p.issuer}, which ${p.caGiven ? 'the CA certificate in the connection settings' : "this computer's system store (no CA certificate was given)"} does not vouch for (${p.reason}): a client cannot tell it is talking to the real broker.`,
        fix: `Give the CA certificate that issued it (${p.issuer}) ${CA_SETTING}. The broker's administrator has it; openssl s_client -connect ${address} -showcerts shows the chain the broker sends.`,
      };
    case 'hostname':
      return {
        code: 'TLS_HOSTNAME_MISMATCH',
        severity: 'error',
        message: `You connected to ${p.connectedTo}, but the certificate of ${address} names ${p.names.length > 0 ? `only ${p.names.join(', ')}` : 'no host at all (it has no subject alternative names)'}: a client cannot tell it is the right broker.`,
        fix: `Connect with a name the certificate has${p.names.length > 0 ? ` (${p.names.map((n) => n.replace(/^(DNS|IP Address):/, '')).join(', ')})` : ''}, or have the broker's certificate reissued with subjectAltName=${sanFor(p.connectedTo)}; turning hostname verification off in the connection settings is the last resort.`,
      };
    case 'expired':
      return {
        code: 'TLS_CERT_EXPIRED',
        severity: 'error',
        message: `The certificate of ${address} expired on ${p.validTo} (it was valid from ${p.validFrom} to ${p.validTo}; it is now ${p.now} on this computer).`,
        fix: `Renew the broker's certificate (the file in ssl.keystore.location), ${restart}. If the dates look wrong, check the clock of this computer and of the broker.`,
      };
    case 'not-yet-valid':
      return {
        code: 'TLS_CERT_NOT_YET_VALID',
        severity: 'error',
        message: `The certificate of ${address} is valid only from ${p.validFrom} (until ${p.validTo}); it is now ${p.now} on this computer.`,
        fix: `Check the clock of this computer and of the broker (timedatectl); or reissue the broker's certificate with a start date in the past.`,
      };
    case 'client-cert-required':
      return {
        code: 'TLS_CLIENT_CERT_REQUIRED',
        severity: 'error',
        message: `${address} wants a client certificate (mutual TLS: ssl.client.auth=required) and this connection gave none; the broker ended the handshake (${p.alert}).`,
        fix: `Give this client's certificate and key in the connection settings (TLS → client certificate, PEM or PKCS#12; kvs: --cert-file and --key-file; client.properties: ssl.keystore.location), signed by a CA in the broker's ssl.truststore.`,
      };
    case 'client-cert-refused':
      return {
        code: 'TLS_CLIENT_CERT_REFUSED',
        severity: 'error',
        message: `${address} refused the client certificate this connection gave (${p.alert}): it is not signed by a CA the broker trusts, or it has expired, or it is not made for client use.`,
        fix: `Use a client certificate signed by a CA in the broker's ssl.truststore (with extendedKeyUsage=clientAuth), or add its CA to that truststore, ${restart}.`,
      };
    case 'mechanism-not-enabled': {
      const enabled = p.enabled;
      return {
        code: 'SASL_MECHANISM_NOT_ENABLED',
        severity: 'error',
        message: `${address} does not enable the SASL mechanism ${p.mechanism}; it enables ${enabled.length > 0 ? enabled.join(', ') : 'none'}.`,
        fix:
          enabled.length > 0
            ? `Choose ${enabled.length === 1 ? enabled[0] : `one of ${enabled.join(', ')}`} as the SASL mechanism in the connection settings (kvs: --sasl-mechanism ${enabled[0] ?? ''}), with a user that has a credential for it; or enable ${p.mechanism} on the broker: listener.name.<listener>.sasl.enabled.mechanisms in config/server.properties, ${restart}.`
            : `Enable ${p.mechanism} on the broker: listener.name.<listener>.sasl.enabled.mechanisms in config/server.properties, ${restart}.`,
      };
    }
    case 'auth-failed':
      return {
        code: 'KAFKA_AUTH_FAILED',
        severity: 'error',
        message: `${address} enables ${p.mechanism} but refused the login${p.username !== null ? ` of user "${p.username}"` : ''}: ${p.said.replace(/\.$/, '')}. The mechanism is right; the ${p.mechanism === 'OAUTHBEARER' ? 'token' : 'user name or password'} is not.`,
        fix:
          p.mechanism === 'OAUTHBEARER'
            ? 'Get a fresh token, and check that its issuer, audience and signing key are the ones the broker expects (sasl.oauthbearer.expected.issuer, sasl.oauthbearer.expected.audience, sasl.oauthbearer.jwks.endpoint.url).'
            : p.mechanism === 'PLAIN'
              ? 'Check the user name and password in the connection settings; the broker knows its PLAIN users from its JAAS configuration (user_<name>="<password>").'
              : `Check the user name and password in the connection settings. A SCRAM user needs a credential for ${p.mechanism} itself: bin/kafka-configs.sh --bootstrap-server <broker> --alter --add-config '${p.mechanism}=[password=…]' --entity-type users --entity-name ${p.username ?? '<user>'}.`,
      };
    case 'oauth-token':
      return {
        code: 'OAUTH_TOKEN_FAILED',
        severity: 'error',
        message: `The OAUTHBEARER login to ${address} could not get a token: ${p.message}`,
        fix: 'Check the token endpoint URL, the client id and secret, and the scope in the connection settings.',
      };
    case 'local-tls':
      return {
        code: 'TLS_SETTINGS_INVALID',
        severity: 'error',
        message: `The TLS settings for ${address} cannot be used on this computer: ${p.detail.replace(/\.$/, '')}. Nothing was sent to the broker.`,
        fix: "Check the client certificate and key in the connection settings (PEM: the key matches the certificate, and the key's password; PKCS#12: the bundle and its password), and that the CA certificate is PEM.",
      };
    case 'not-tls':
    case 'not-sasl':
      return null;
  }
}

const TLS_PROTOCOLS: ReadonlySet<SecurityProtocol> = new Set(['SSL', 'SASL_SSL']);
const SASL_PROTOCOLS: ReadonlySet<SecurityProtocol> = new Set(['SASL_PLAINTEXT', 'SASL_SSL']);

/**
 * The listener at `address` speaks `speaks`, the connection settings say `chosen` (they differ):
 * the finding that says which protocol to choose.
 */
export function protocolFinding(
  address: string,
  chosen: SecurityProtocol,
  speaks: SecurityProtocol,
  mechanisms: readonly string[] = [],
): Finding {
  const tlsThere = TLS_PROTOCOLS.has(speaks);
  const tlsChosen = TLS_PROTOCOLS.has(chosen);
  const saslThere = SASL_PROTOCOLS.has(speaks);
  const saslChosen = SASL_PROTOCOLS.has(chosen);
  const choose = chooseProtocol(speaks, saslThere ? mechanisms : []);
  if (saslThere && saslChosen && tlsThere !== tlsChosen)
    return {
      code: 'SASL_PROTOCOL_MIXED_UP',
      severity: 'error',
      message: tlsThere
        ? `${address} is a SASL_SSL listener (TLS, then the login), but the connection settings say SASL_PLAINTEXT: the login would go unencrypted, and the broker cannot read it.`
        : `${address} is a SASL_PLAINTEXT listener (a login without TLS), but the connection settings say SASL_SSL: the broker does not speak TLS there.`,
      fix: `${choose}.${tlsThere ? '' : ' Note that SASL_PLAINTEXT sends the login unencrypted: prefer a SASL_SSL listener outside a trusted network.'}`,
    };
  if (tlsThere && !tlsChosen)
    return finding.listenerTls(
      address,
      speaks === 'SASL_SSL' ? 'SASL_SSL' : 'SSL',
      chosen === 'SASL_PLAINTEXT' ? 'SASL_PLAINTEXT' : 'PLAINTEXT',
      mechanisms,
    );
  if (!tlsThere && tlsChosen)
    return {
      code: 'TLS_NOT_SPOKEN',
      severity: 'error',
      message: `${address} does not speak TLS: it is a ${speaks} listener, but the connection settings say ${chosen}.`,
      fix: `${choose}; or, to use TLS, connect to the broker's SSL / SASL_SSL listener (its port in listener.security.protocol.map and listeners=).`,
    };
  if (saslThere && !saslChosen)
    return finding.listenerSasl(
      address,
      mechanisms,
      speaks === 'SASL_SSL' ? 'SASL_SSL' : 'SASL_PLAINTEXT',
      chosen === 'SSL' ? 'SSL' : 'PLAINTEXT',
    );
  return {
    code: 'LISTENER_NOT_SASL',
    severity: 'error',
    message: `${address} takes no SASL login (it is a ${speaks} listener: it answered the SASL handshake with ILLEGAL_SASL_STATE), but the connection settings say ${chosen}.`,
    fix: `${choose}, without a login; or connect to the broker's SASL listener.`,
  };
}
