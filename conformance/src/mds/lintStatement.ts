import { X509Certificate } from 'node:crypto';
import { Ajv } from 'ajv';
import { METADATA_STATEMENT_SCHEMA, MDS3_REMOVED_MEMBERS, STATUS_REPORT_SCHEMA } from './metadataStatementSchema.ts';
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
const validateReport = ajv.compile(STATUS_REPORT_SCHEMA);
const MS = 'FIDO Metadata Statement 3.1 §4';

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
 * `mds lint`: a vendor's draft metadata statement checked against the Metadata Statement 3.1
 * schema (3.0 plus friendlyNames, iconDark, providerLogoLight/Dark, multiDeviceCredentialSupport,
 * cxConfigURL) and Microsoft Entra's criteria before submission; with a whole BLOB-style entry,
 * its status reports too (MDS 3.1 §3.1.3: certificationProfiles, sunsetDate, fips*). One finding
 * per problem, stable codes; `warn` findings do not fail the lint.
 */
export function lintStatement(statement: unknown, at = new Date(), statusReports?: unknown): LintFinding[] {
  const out: LintFinding[] = [];
  if (!validate(statement)) {
    for (const e of validate.errors ?? []) {
      out.push({ code: 'LINT_SCHEMA', status: 'fail', spec: MS, message: `${e.instancePath || '(statement)'} ${e.message}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`, fix: 'correct the member to the shape the Metadata Statement 3.1 specification defines' });
    }
  }
  if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) return out;
  const ms = statement as Record<string, any>;
  // a misspelt member ("attestationRootCertificate") is as good as absent: name it, and the one meant
  const known = Object.keys(METADATA_STATEMENT_SCHEMA.properties);
  for (const k of Object.keys(ms)) {
    if (known.includes(k)) continue;
    if (MDS3_REMOVED_MEMBERS[k]) {
      out.push({ code: 'LINT_REMOVED_MEMBER', status: 'warn', spec: 'FIDO Metadata Statement 3.1.1 §4', message: `the statement has a member ${JSON.stringify(k)}: ${MDS3_REMOVED_MEMBERS[k]}`, fix: k === 'cxpConfigURL' ? 'rename it to "cxConfigURL"' : 'remove it' });
      continue;
    }
    const near = closestWord(k, known);
    out.push({ code: 'LINT_UNKNOWN_MEMBER', status: 'fail', spec: MS, message: `the statement has a member ${JSON.stringify(k)} that Metadata Statement 3.1 does not define${near ? `: did you mean "${near}"?` : ''}`, fix: near ? `rename it to "${near}"` : 'remove it, or check the member name against the Metadata Statement 3.1 specification' });
  }
  // 3.1 friendlyNames: language tags (BCP 47) to names, and one of them the description's language
  if (ms.friendlyNames && typeof ms.friendlyNames === 'object' && !Array.isArray(ms.friendlyNames)) {
    const bad = Object.keys(ms.friendlyNames).filter((t) => !/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(t));
    if (bad.length) out.push({ code: 'LINT_FRIENDLY_NAMES', status: 'fail', spec: `${MS} (friendlyNames)`, message: `friendlyNames keys ${JSON.stringify(bad)} are not IETF language tags`, fix: 'key each name by its language tag, e.g. "en-US", "de-DE"' });
  }
  // 3.1 multiDeviceCredentialSupport: absent means "unsupported"; "implicit" (every credential
  // synced) cannot come from a key whose statement says its keys live in a secure element only
  const mdcs = ms.multiDeviceCredentialSupport;
  const protection: string[] = Array.isArray(ms.keyProtection) ? ms.keyProtection : [];
  if (mdcs === 'implicit' && protection.length && protection.every((x) => x === 'secure_element' || x === 'hardware') && ms.isKeyRestricted !== false && (ms.attachmentHint ?? []).includes?.('external')) {
    out.push({ code: 'LINT_MULTI_DEVICE', status: 'warn', spec: `${MS} (multiDeviceCredentialSupport, keyProtection)`, message: 'multiDeviceCredentialSupport is "implicit" (every credential may leave the device) while keyProtection says keys stay in hardware on an external authenticator', fix: 'a security key with device-bound keys declares "unsupported" (or omits the member); "explicit" when it sets BE on the credentials it syncs' });
  }
  if (ms.protocolFamily === 'fido2' || ms.aaguid !== undefined) {
    const ok = typeof ms.aaguid === 'string' && AAGUID_TEXT.test(ms.aaguid);
    if (!ok) out.push({ code: 'LINT_AAGUID_FORMAT', status: 'fail', spec: `${MS} (aaguid)`, message: `aaguid ${JSON.stringify(ms.aaguid)} is not a lowercase 8-4-4-4-12 UUID`, fix: 'write the AAGUID as 8-4-4-4-12 lowercase hex, e.g. 2fc0579f-8113-47ea-b116-bb5a8db9202a' });
    const gi = ms.authenticatorGetInfo?.aaguid;
    if (ok && typeof gi === 'string' && gi.toLowerCase() !== ms.aaguid.replace(/-/g, '')) {
      out.push({ code: 'LINT_GETINFO_AAGUID', status: 'fail', spec: `${MS} (authenticatorGetInfo)`, message: `authenticatorGetInfo.aaguid ${gi} differs from aaguid ${ms.aaguid}`, fix: 'authenticatorGetInfo must be what this model returns: the same AAGUID without dashes' });
    }
  }
  for (const [i, b64] of (Array.isArray(ms.attestationRootCertificates) ? ms.attestationRootCertificates : []).entries()) {
    try {
      const c = new X509Certificate(Buffer.from(String(b64), 'base64'));
      if (!c.ca) out.push({ code: 'LINT_ROOT_NOT_CA', status: 'fail', spec: `${MS} (attestationRootCertificates)`, message: `attestationRootCertificates[${i}] (${(c.subject ?? '').replace(/\n/g, ', ')}) is not a CA certificate`, fix: 'list the root CA certificate (basicConstraints CA=true), not the attestation (leaf) certificate' });
    } catch {
      out.push({ code: 'LINT_ROOT_PARSE', status: 'fail', spec: `${MS} (attestationRootCertificates)`, message: `attestationRootCertificates[${i}] is not a base64 DER X.509 certificate`, fix: 'encode the certificate as base64 of its DER bytes (no PEM header, no line breaks)' });
    }
  }
  if (statusReports !== undefined) out.push(...lintStatusReports(statusReports, at));
  // Entra criteria, as they would read this statement once it is in MDS with a certification
  const asEntry: MetadataEntry = { aaguid: typeof ms.aaguid === 'string' ? ms.aaguid : undefined, metadataStatement: ms, statusReports: [{ status: 'FIDO_CERTIFIED', effectiveDate: at.toISOString().slice(0, 10) }] };
  for (const f of entraEligibility(asEntry, at).failed) {
    if (f.criterion === 'FIDO_CERTIFIED' || f.criterion === 'NOT_COMPROMISED') continue;
    out.push({ code: `ENTRA_${f.criterion}`, status: 'fail', spec: 'Microsoft Entra ID: attestation for passkey (FIDO2) vendors', message: `Entra requires that ${ENTRA_CRITERIA[f.criterion]}; here ${f.why}`, fix: FIX[f.criterion]! });
  }
  return out;
}

/** A BLOB-style entry's status reports against MDS 3.1 §3.1.3 (members and types; a sunset already past). */
export function lintStatusReports(reports: unknown, at: Date): LintFinding[] {
  const spec = 'FIDO Metadata Service 3.1 §3.1.3 (StatusReport)';
  if (!Array.isArray(reports)) return [{ code: 'LINT_STATUS_REPORT', status: 'fail', spec, message: 'statusReports is not an array', fix: 'give statusReports as an array of { "status", "effectiveDate", ... }' }];
  const out: LintFinding[] = [];
  const known = Object.keys(STATUS_REPORT_SCHEMA.properties);
  reports.forEach((r, i) => {
    if (!validateReport(r)) {
      for (const e of validateReport.errors ?? []) out.push({ code: 'LINT_STATUS_REPORT', status: 'fail', spec, message: `statusReports[${i}]${e.instancePath} ${e.message}`, fix: 'correct the report to the shape MDS 3.1 defines' });
      return;
    }
    const rep = r as unknown as Record<string, unknown>;
    for (const k of Object.keys(rep)) {
      if (known.includes(k)) continue;
      const near = closestWord(k, known);
      out.push({ code: 'LINT_STATUS_REPORT', status: 'fail', spec, message: `statusReports[${i}] has a member ${JSON.stringify(k)} that MDS 3.1 does not define${near ? `: did you mean "${near}"?` : ''}`, fix: near ? `rename it to "${near}"` : 'remove it' });
    }
    if (typeof rep.sunsetDate === 'string' && rep.sunsetDate <= at.toISOString().slice(0, 10)) {
      out.push({ code: 'LINT_SUNSET', status: 'warn', spec, message: `statusReports[${i}] (${String(rep.status)}) has a sunsetDate ${rep.sunsetDate} already reached`, fix: 'recertify, or expect relying parties to stop counting this certification' });
    }
  });
  return out;
}
