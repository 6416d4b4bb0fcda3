import type { FormatInput, FormatResult } from '../FormatVerifier.ts';
import { StatementFields } from '../statementFields.ts';
import { verdict, skipped } from '../../findings/Finding.ts';
import { coseAlgorithmLabel } from '../../webauthn/coseAlgorithms.ts';
import { formatAaguid } from '../../encoding/formatAaguid.ts';
import type { ParsedCertificate } from '../../pki/parseCertificate.ts';
import type { Finding } from '../../findings/Finding.ts';
import { signedData, signatureVerdict } from './signedData.ts';

function withEvidence(evidence: string, f: Finding): Finding {
  return { ...f, evidence };
}

const SPEC = 'WebAuthn L3 §8.2';
const CERT_SPEC = 'WebAuthn L3 §8.2.1';

/** "packed" (WebAuthn L3 §8.2): full (x5c) or self attestation. */
export function verifyPacked(input: FormatInput): FormatResult {
  const f = new StatementFields(input.attStmt, 'packed', SPEC);
  const alg = f.int('alg');
  const sig = f.bytes('sig');
  const findings: Finding[] = [];
  const data = signedData(input);
  if (input.attStmt.has('x5c')) {
    const x5c = f.certs();
    findings.push(...f.findings);
    if (!x5c) return { findings, type: 'basic', trustPath: [] };
    const leaf = x5c[0]!;
    if (alg !== undefined && sig) {
      findings.push(withEvidence(`sig ${Buffer.from(sig).toString('hex')}`, signatureVerdict('ATT_PACKED_SIGNATURE', `${SPEC} step 2 (x5c)`, alg, leaf.publicKey, data, sig, `sig verifies over authenticatorData || clientDataHash with the attestation certificate key using ${coseAlgorithmLabel(alg)}`, `does not verify (${leaf.publicKey.asymmetricKeyType} key${leaf.publicKey.asymmetricKeyDetails?.namedCurve ? ` on ${leaf.publicKey.asymmetricKeyDetails.namedCurve}` : ''}, alg ${coseAlgorithmLabel(alg)})`)));
    }
    findings.push(...packedCertificateRequirements(leaf, input.authData.attestedCredentialData?.aaguid));
    return { findings, type: 'basic', trustPath: x5c };
  }
  findings.push(...f.findings);
  // self attestation: alg must match the credential key's, and the credential key signs
  const key = input.credentialKey;
  const keyAlg = input.authData.attestedCredentialData?.publicKey.get(3);
  if (alg !== undefined && typeof keyAlg === 'number') {
    findings.push(verdict('ATT_PACKED_SELF_ALG', alg === keyAlg, `${SPEC} step 3 (self)`, 'attStmt.alg equals the credential public key algorithm', coseAlgorithmLabel(keyAlg), coseAlgorithmLabel(alg)));
  }
  if (alg !== undefined && sig && key) {
    findings.push(signatureVerdict('ATT_PACKED_SIGNATURE', `${SPEC} step 3 (self)`, key.alg, key.keyObject, data, sig, 'sig verifies over authenticatorData || clientDataHash with the credential key (self attestation)'));
  } else if (alg !== undefined && sig && input.credentialKeyUnverifiable) {
    findings.push(skipped('ATT_PACKED_SIGNATURE', `${SPEC} step 3 (self)`, input.credentialKeyUnverifiable));
  }
  return { findings, type: 'self', trustPath: [] };
}

/** §8.2.1 requirements on the packed attestation certificate. */
export function packedCertificateRequirements(leaf: ParsedCertificate, authDataAaguid: Uint8Array | undefined): Finding[] {
  const evidence = `x5c[0] ${leaf.subject} (SHA-256 ${leaf.sha256})`;
  const out: Finding[] = [];
  const s = leaf.subjectAttrs;
  out.push(verdict('ATT_PACKED_CERT_VERSION', leaf.version === 3, CERT_SPEC, 'attestation certificate is X.509 version 3', '3', String(leaf.version)));
  out.push(verdict('ATT_PACKED_CERT_SUBJECT_C', /^[A-Z]{2}$/.test(s.C ?? ''), CERT_SPEC, 'subject C is an ISO 3166 country code', 'two letters', s.C ?? 'absent'));
  out.push(verdict('ATT_PACKED_CERT_SUBJECT_O', !!s.O, CERT_SPEC, 'subject O names the authenticator vendor', 'present', 'absent'));
  out.push(verdict('ATT_PACKED_CERT_SUBJECT_OU', s.OU === 'Authenticator Attestation', CERT_SPEC, 'subject OU is the literal "Authenticator Attestation"', '"Authenticator Attestation"', s.OU === undefined ? 'absent' : JSON.stringify(s.OU)));
  out.push(verdict('ATT_PACKED_CERT_SUBJECT_CN', !!s.CN, CERT_SPEC, 'subject CN is present', 'present', 'absent'));
  out.push(verdict('ATT_PACKED_CERT_NOT_CA', leaf.basicConstraints?.ca !== true, CERT_SPEC, 'basic constraints CA is false', 'CA=false', 'CA=true'));
  const ext = leaf.extensions.get('1.3.6.1.4.1.45724.1.1.4');
  if (!ext) {
    out.push({ code: 'ATT_PACKED_CERT_AAGUID_EXT', status: 'warn', spec: CERT_SPEC, message: 'no AAGUID extension (1.3.6.1.4.1.45724.1.1.4): required when the attestation root serves several authenticator models' });
  } else {
    const expected = authDataAaguid ? formatAaguid(authDataAaguid) : undefined;
    out.push(verdict('ATT_PACKED_CERT_AAGUID_EXT', !!leaf.aaguid && leaf.aaguid === expected, CERT_SPEC, 'AAGUID extension equals the AAGUID in authenticatorData', expected, leaf.aaguid ?? 'malformed extension value'));
    out.push(verdict('ATT_PACKED_CERT_AAGUID_EXT_NOT_CRITICAL', !ext.critical, CERT_SPEC, 'AAGUID extension is not marked critical', 'critical=false', 'critical=true'));
  }
  return out.map((f) => ({ ...f, evidence }));
}
