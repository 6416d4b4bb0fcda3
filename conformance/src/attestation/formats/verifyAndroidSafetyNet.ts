import crypto from 'node:crypto';
import type { FormatInput, FormatResult } from '../FormatVerifier.ts';
import { StatementFields } from '../statementFields.ts';
import { verdict } from '../../findings/Finding.ts';
import type { Finding } from '../../findings/Finding.ts';
import { parseCertificate, type ParsedCertificate } from '../../pki/parseCertificate.ts';
import { signedData } from './signedData.ts';

const SPEC = 'WebAuthn L3 §8.5';
/** how far the SafetyNet timestamp may lie from the verification time */
export const SAFETYNET_MAX_AGE_MS = 60_000;
const JWS_HASH: Record<string, string> = { RS256: 'sha256', ES256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

/**
 * "android-safetynet" (WebAuthn L3 §8.5; deprecated by Google, still met in the wild).
 * The response is a compact JWS; its x5c leaf must be attest.android.com.
 */
export function verifyAndroidSafetyNet(input: FormatInput): FormatResult {
  const f = new StatementFields(input.attStmt, 'android-safetynet', SPEC);
  f.text('ver');
  const response = f.bytes('response');
  const findings: Finding[] = [...f.findings];
  if (!response) return { findings, type: 'basic', trustPath: [], anchorSet: 'android-safetynet' };
  const parts = Buffer.from(response).toString('utf8').split('.');
  let header: { alg?: string; x5c?: string[] };
  let payload: { nonce?: string; ctsProfileMatch?: boolean; timestampMs?: number; basicIntegrity?: boolean };
  try {
    if (parts.length !== 3) throw new Error(`${parts.length} parts`);
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch (e) {
    findings.push({ code: 'ATT_SAFETYNET_JWS', status: 'fail', spec: `${SPEC} step 2`, message: `response is not a compact JWS with JSON header and payload (${(e as Error).message})` });
    return { findings, type: 'basic', trustPath: [], anchorSet: 'android-safetynet' };
  }
  let x5c: ParsedCertificate[] = [];
  try {
    x5c = (header.x5c ?? []).map((c, i) => parseCertificate(new Uint8Array(Buffer.from(c, 'base64')), `JWS x5c[${i}]`));
  } catch (e) {
    findings.push({ code: 'CERT_PARSE', status: 'fail', spec: `${SPEC} step 3`, message: (e as Error).message });
  }
  const nonce = crypto.createHash('sha256').update(signedData(input)).digest('base64');
  findings.push(verdict('ATT_SAFETYNET_NONCE', payload.nonce === nonce, `${SPEC} step 2`, 'payload nonce is base64(SHA-256(authenticatorData || clientDataHash))', nonce, String(payload.nonce)));
  const leaf = x5c[0];
  if (!leaf) {
    findings.push({ code: 'ATT_SAFETYNET_CERT', status: 'fail', spec: `${SPEC} step 3`, message: 'JWS header has no x5c certificates' });
    return { findings, type: 'basic', trustPath: [], anchorSet: 'android-safetynet' };
  }
  const host = leaf.subjectAttrs.CN === 'attest.android.com' || !!leaf.x509.checkHost('attest.android.com');
  findings.push(verdict('ATT_SAFETYNET_HOST', host, `${SPEC} step 3`, 'JWS leaf certificate is issued to attest.android.com', 'attest.android.com', leaf.subject));
  const hash = header.alg ? JWS_HASH[header.alg] : undefined;
  let sigOk = false;
  if (hash) {
    try {
      const sig = Buffer.from(parts[2]!, 'base64url');
      sigOk = crypto.verify(hash, Buffer.from(`${parts[0]}.${parts[1]}`), header.alg!.startsWith('ES') ? { key: leaf.publicKey, dsaEncoding: 'ieee-p1363' } : leaf.publicKey, sig);
    } catch {
      sigOk = false;
    }
  }
  findings.push(verdict('ATT_SAFETYNET_SIGNATURE', sigOk, `${SPEC} step 3`, `JWS signature (${header.alg ?? 'no alg'}) verifies with the leaf certificate`, 'valid signature', hash ? 'does not verify' : `unsupported alg ${String(header.alg)}`));
  findings.push(verdict('ATT_SAFETYNET_CTS_PROFILE', payload.ctsProfileMatch === true, `${SPEC} step 4`, 'ctsProfileMatch is true (the device passed Android compatibility checks)', 'true', String(payload.ctsProfileMatch)));
  const ts = payload.timestampMs;
  const age = typeof ts === 'number' ? input.at.getTime() - ts : NaN;
  findings.push(verdict('ATT_SAFETYNET_TIMESTAMP', age >= -SAFETYNET_MAX_AGE_MS && age <= SAFETYNET_MAX_AGE_MS, `${SPEC} step 4`, `timestampMs is within ${SAFETYNET_MAX_AGE_MS / 1000} s of the verification time`, input.at.toISOString(), typeof ts === 'number' ? new Date(ts).toISOString() : 'absent'));
  return { findings, type: 'basic', trustPath: x5c, anchorSet: 'android-safetynet' };
}
