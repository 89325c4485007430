/**
 * The CA certificates in a PKCS#12 truststore (a Java client's `ssl.truststore.type=PKCS12`), as
 * PEM for Node's `tls` (which takes PKCS#12 only as a client identity, not as trusted CAs).
 *
 * Read with node-forge — a maintained, pure-JavaScript PKCS#12/ASN.1 reader — rather than an
 * `openssl` child process (not on every user's machine, notably Windows). A keytool-made
 * truststore holds certificate bags only; any private key in the file is ignored here. Each
 * certificate is checked by Node's own X509 parser on the way.
 */
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { KvsError } from '../../shared/errors.js';

export function pkcs12TruststorePem(bytes: Buffer, password: string, what: string): string {
  let certs: string[];
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')));
    const p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
    const bags =
      p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag ?? ''] ?? [];
    // forge reads RSA certificates only; for others (EC, …) it keeps the certificate's ASN.1,
    // which Node's X509Certificate turns into PEM
    certs = bags.map((b) =>
      b.cert
        ? forge.pki.certificateToPem(b.cert)
        : new X509Certificate(
            Buffer.from(forge.asn1.toDer(b.asn1).getBytes(), 'binary'),
          ).toString(),
    );
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new KvsError(
      'INVALID_ARGUMENT',
      /mac|password|decrypt/i.test(msg)
        ? `${what} could not be opened: wrong password (ssl.truststore.password).`
        : `${what} is not a PKCS12 file that can be read (${msg}).`,
    );
  }
  if (certs.length === 0)
    throw new KvsError('INVALID_ARGUMENT', `${what} holds no certificate to trust.`);
  return certs.join('');
}
