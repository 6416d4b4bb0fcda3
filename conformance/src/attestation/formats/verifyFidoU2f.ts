import crypto from 'node:crypto';
import type { FormatInput, FormatResult } from '../FormatVerifier.ts';
import { StatementFields } from '../statementFields.ts';
import { verdict } from '../../findings/Finding.ts';
import type { Finding } from '../../findings/Finding.ts';

const SPEC = 'WebAuthn L3 §8.6';

/** "fido-u2f" (WebAuthn L3 §8.6). */
export function verifyFidoU2f(input: FormatInput): FormatResult {
  const f = new StatementFields(input.attStmt, 'fido-u2f', SPEC);
  const sig = f.bytes('sig');
  const x5c = f.certs();
  const findings: Finding[] = [...f.findings];
  if (!x5c) return { findings, type: 'basic', trustPath: [] };
  findings.push(verdict('ATT_U2F_ONE_CERT', x5c.length === 1, `${SPEC} step 2`, 'x5c holds exactly one certificate', '1', String(x5c.length)));
  const leaf = x5c[0]!;
  const d = leaf.publicKey.asymmetricKeyDetails;
  const leafP256 = leaf.publicKey.asymmetricKeyType === 'ec' && d?.namedCurve === 'prime256v1';
  findings.push(verdict('ATT_U2F_CERT_KEY', leafP256, `${SPEC} step 2`, 'attestation certificate key is EC P-256', 'EC P-256', `${leaf.publicKey.asymmetricKeyType} ${d?.namedCurve ?? ''}`));
  const k = input.credentialKey;
  const credP256 = k?.kty === 'EC2' && k.crv === 'P-256';
  findings.push(verdict('ATT_U2F_CREDENTIAL_KEY', credP256, `${SPEC} step 4`, 'credential public key is EC2 P-256 (U2F can hold no other)', 'EC2 P-256', k ? `${k.kty} ${k.crv ?? ''}` : 'unparseable'));
  const acd = input.authData.attestedCredentialData;
  if (sig && acd && credP256 && leafP256) {
    const x = acd.publicKey.get(-2) as Uint8Array;
    const y = acd.publicKey.get(-3) as Uint8Array;
    // step 5: verificationData = 0x00 || rpIdHash || clientDataHash || credentialId || publicKeyU2F
    const data = Buffer.concat([Buffer.from([0]), input.authData.rpIdHash, input.clientDataHash, acd.credentialId, Buffer.from([4]), x, y]);
    let ok = false;
    try {
      ok = crypto.verify('sha256', data, leaf.publicKey, sig);
    } catch {
      ok = false;
    }
    findings.push(verdict('ATT_U2F_SIGNATURE', ok, `${SPEC} step 6`, 'sig verifies over 0x00 || rpIdHash || clientDataHash || credentialId || publicKeyU2F', 'valid signature', 'does not verify'));
  }
  return { findings, type: 'basic', trustPath: x5c };
}
