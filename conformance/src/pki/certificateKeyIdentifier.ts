import crypto, { type X509Certificate } from 'node:crypto';
import { readTlv, children, contents, expectTag, TAG } from '../asn1/der.ts';

/**
 * The attestation certificate key identifier MDS uses for U2F-era keys: SHA-1 of the
 * subjectPublicKey BIT STRING contents (FIDO MDS 3.0 §4, attestationCertificateKeyIdentifiers).
 */
export function certificateKeyIdentifier(c: X509Certificate): string {
  const spki = new Uint8Array(c.publicKey.export({ type: 'spki', format: 'der' }));
  // SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier, subjectPublicKey BIT STRING }
  const bits = expectTag(children(readTlv(spki, 0))[1], TAG.BIT_STRING, 'subjectPublicKey');
  return crypto.createHash('sha1').update(contents(bits).subarray(1)).digest('hex'); // skip the unused-bits byte
}
