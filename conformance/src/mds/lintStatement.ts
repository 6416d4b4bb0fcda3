import { X509Certificate } from 'node:crypto';
import { Ajv } from 'ajv';
import { METADATA_STATEMENT_SCHEMA } from './metadataStatementSchema.ts';
import { entraEligibility, ENTRA_CRITERIA } from './entraEligibility.ts';
import type { MetadataEntry } from './MetadataBlob.ts';
import type { Finding } from '../findings/Finding.ts';
import { AAGUID_TEXT } from '../encoding/formatAaguid.ts';
import { closestWord } from '../encoding/closestWord.ts';

export interface LintFinding extends Finding {
  /** how to fix it */
  fix: string;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(METADATA_STATEMENT_SCHEMA);

const FIX: Record<string, string> = {
  FIDO2_AAGUID: 'give the statement the authenticator model\'s AAGUID (protocolFamily "fido2")',
  ATTESTATION_BASIC_FULL: 'add "basic_full" to attestationTypes and make the key send packed attestation with its certificate chain',
  ATTESTATION_ROOTS: 'put the attestation root certificate (base64 DER) in attestationRootCertificates',
  FIDO_CERTIFIED: 'complete FIDO2 certification (any level); the status report appears in MDS after it',
  NOT_COMPROMISED: 'resolve the compromise with the FIDO Alliance; affected keys cannot be eligible',
  FIDO_2_0_OR_HIGHER: 'declare "FIDO_2_0" (or FIDO_2_1) in authenticatorGetInfo.versions, as the key reports it',
  UV_OR_CLIENT_PIN: 'declare "clientPin" (PIN support) or "uv" (built-in verification) in authenticatorGetInfo.options',
  RESIDENT_KEY: 'set authenticatorGetInfo.options.rk to true: Entra and Windows need discoverable credentials',
  HMAC_SECRET_OR_PRF: 'add "hmac-secret" to authenticatorGetInfo.extensions (Windows sign-in uses it)',
};

/**
 * `mds lint`: a vendor's draft metadata statement checked against the MDS 3.0 schema and
 * Microsoft Entra's criteria before submission. One finding per problem, stable codes.
 */
export function lintStatement(statement: unknown, at = new Date()): LintFinding[] {
  const out: LintFinding[] = [];
  if (!validate(statement)) {
    for (const e of validate.errors ?? []) {
      out.push({ code: 'LINT_SCHEMA', status: 'fail', spec: 'FIDO Metadata Statement 3.0 §4', message: `${e.instancePath || '(statement)'} ${e.message}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`, fix: 'correct the member to the shape the MDS 3.0 specification defines' });
    }
  }
  if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) return out;
  const ms = statement as Record<string, any>;
  // a misspelt member ("attestationRootCertificate") is as good as absent: name it, and the one meant
  const known = Object.keys(METADATA_STATEMENT_SCHEMA.properties);
  for (const k of Object.keys(ms)) {
    if (known.includes(k)) continue;
    const near = closestWord(k, known);
    out.push({ code: 'LINT_UNKNOWN_MEMBER', status: 'fail', spec: 'FIDO Metadata Statement 3.0 §4', message: `the statement has a member ${JSON.stringify(k)} that MDS 3.0 does not define${near ? `: did you mean "${near}"?` : ''}`, fix: near ? `rename it to "${near}"` : 'remove it, or check the member name against the MDS 3.0 specification' });
  }
  if (ms.protocolFamily === 'fido2' || ms.aaguid !== undefined) {
    const ok = typeof ms.aaguid === 'string' && AAGUID_TEXT.test(ms.aaguid);
    if (!ok) out.push({ code: 'LINT_AAGUID_FORMAT', status: 'fail', spec: 'FIDO Metadata Statement 3.0 §4 (aaguid)', message: `aaguid ${JSON.stringify(ms.aaguid)} is not a lowercase 8-4-4-4-12 UUID`, fix: 'write the AAGUID as 8-4-4-4-12 lowercase hex, e.g. 2fc0579f-8113-47ea-b116-bb5a8db9202a' });
    const gi = ms.authenticatorGetInfo?.aaguid;
    if (ok && typeof gi === 'string' && gi.toLowerCase() !== ms.aaguid.replace(/-/g, '')) {
      out.push({ code: 'LINT_GETINFO_AAGUID', status: 'fail', spec: 'FIDO Metadata Statement 3.0 §4 (authenticatorGetInfo)', message: `authenticatorGetInfo.aaguid ${gi} differs from aaguid ${ms.aaguid}`, fix: 'authenticatorGetInfo must be what this model returns: the same AAGUID without dashes' });
    }
  }
  for (const [i, b64] of (Array.isArray(ms.attestationRootCertificates) ? ms.attestationRootCertificates : []).entries()) {
    try {
      const c = new X509Certificate(Buffer.from(String(b64), 'base64'));
      if (!c.ca) out.push({ code: 'LINT_ROOT_NOT_CA', status: 'fail', spec: 'FIDO Metadata Statement 3.0 §4 (attestationRootCertificates)', message: `attestationRootCertificates[${i}] (${(c.subject ?? '').replace(/\n/g, ', ')}) is not a CA certificate`, fix: 'list the root CA certificate (basicConstraints CA=true), not the attestation (leaf) certificate' });
    } catch {
      out.push({ code: 'LINT_ROOT_PARSE', status: 'fail', spec: 'FIDO Metadata Statement 3.0 §4 (attestationRootCertificates)', message: `attestationRootCertificates[${i}] is not a base64 DER X.509 certificate`, fix: 'encode the certificate as base64 of its DER bytes (no PEM header, no line breaks)' });
    }
  }
  // Entra criteria, as they would read this statement once it is in MDS with a certification
  const asEntry: MetadataEntry = { aaguid: typeof ms.aaguid === 'string' ? ms.aaguid : undefined, metadataStatement: ms, statusReports: [{ status: 'FIDO_CERTIFIED', effectiveDate: at.toISOString().slice(0, 10) }] };
  for (const f of entraEligibility(asEntry, at).failed) {
    if (f.criterion === 'FIDO_CERTIFIED' || f.criterion === 'NOT_COMPROMISED') continue;
    out.push({ code: `ENTRA_${f.criterion}`, status: 'fail', spec: 'Microsoft Entra ID: attestation for passkey (FIDO2) vendors', message: `Entra requires that ${ENTRA_CRITERIA[f.criterion]}; here ${f.why}`, fix: FIX[f.criterion]! });
  }
  return out;
}
