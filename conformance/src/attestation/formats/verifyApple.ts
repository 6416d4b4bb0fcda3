import crypto from 'node:crypto';
import type { FormatInput, FormatResult } from '../FormatVerifier.ts';
import { StatementFields } from '../statementFields.ts';
import { verdict } from '../../findings/Finding.ts';
import type { Finding } from '../../findings/Finding.ts';
import { readTlv, children, contents } from '../../asn1/der.ts';
import { OID } from '../../pki/parseCertificate.ts';
import { signedData } from './signedData.ts';

const SPEC = 'WebAuthn L3 §8.8';

/** "apple" anonymous attestation (WebAuthn L3 §8.8). */
export function verifyApple(input: FormatInput): FormatResult {
  const f = new StatementFields(input.attStmt, 'apple', SPEC);
  const x5c = f.certs();
  const findings: Finding[] = [...f.findings];
  if (!x5c) return { findings, type: 'anonca', trustPath: [], anchorSet: 'apple' };
  const cred = x5c[0]!;
  // steps 2-4: nonce = SHA-256(authData || clientDataHash) sits in extension 1.2.840.113635.100.8.2
  const nonce = crypto.createHash('sha256').update(signedData(input)).digest();
  const ext = cred.extensions.get(OID.APPLE_NONCE);
  let found: Uint8Array | undefined;
  try {
    if (ext) {
      const seq = readTlv(ext.value, 0);
      const tagged = children(seq).find((c) => c.tag === 0xa1);
      if (tagged) found = contents(children(tagged)[0]!);
    }
  } catch {
    found = undefined;
  }
  findings.push(verdict('ATT_APPLE_NONCE', !!found && Buffer.from(found).equals(nonce), `${SPEC} steps 2-4`, 'credCert extension 1.2.840.113635.100.8.2 holds SHA-256(authenticatorData || clientDataHash)', nonce.toString('hex'), found ? Buffer.from(found).toString('hex') : ext ? 'malformed extension' : 'extension absent'));
  const k = input.credentialKey;
  const same = !!k && cred.publicKey.equals(k.keyObject);
  findings.push(verdict('ATT_APPLE_KEY_MATCH', same, `${SPEC} step 5`, 'credCert public key equals the credential public key', 'same key', 'different key'));
  return { findings, type: 'anonca', trustPath: x5c, anchorSet: 'apple' };
}
