import type { MetadataEntry, MetadataStatusReport } from './MetadataBlob.ts';

/** Statuses that mean the authenticator must not be trusted (FIDO MDS 3.0 §3.1.3 AuthenticatorStatus). */
export const COMPROMISE_STATUSES = new Set([
  'REVOKED',
  'ATTESTATION_KEY_COMPROMISE',
  'USER_VERIFICATION_BYPASS',
  'USER_KEY_REMOTE_COMPROMISE',
  'USER_KEY_PHYSICAL_COMPROMISE',
]);

const CERT_LEVEL: Record<string, number> = {
  FIDO_CERTIFIED: 0,
  FIDO_CERTIFIED_L1: 1,
  FIDO_CERTIFIED_L1plus: 1.5,
  FIDO_CERTIFIED_L2: 2,
  FIDO_CERTIFIED_L2plus: 2.5,
  FIDO_CERTIFIED_L3: 3,
  FIDO_CERTIFIED_L3plus: 3.5,
};

export interface StatusVerdict {
  /** the status that decides, with its date */
  decisive?: MetadataStatusReport;
  /** FIDO certified (any level) as of the time asked */
  certified: boolean;
  /** highest certification level in effect, e.g. FIDO_CERTIFIED_L2 */
  level?: string;
  /** a compromise or revocation in effect */
  compromised?: MetadataStatusReport;
  /** the certification report in effect (its MDS 3.1 certificationProfiles, sunsetDate, fips* members) */
  certification?: MetadataStatusReport;
}

/** What a certification report says beyond its level (MDS 3.1 §3.1.3): profiles, sunset, FIPS. */
export function certificationDetails(r: MetadataStatusReport | undefined, at: Date): string {
  if (!r) return '';
  const parts = [
    r.certificationProfiles?.length ? `profiles ${r.certificationProfiles.join(', ')}` : '',
    r.sunsetDate ? `sunset ${r.sunsetDate}${r.sunsetDate <= at.toISOString().slice(0, 10) ? ' (reached)' : ''}` : '',
    r.fipsRevision !== undefined ? `FIPS 140-${r.fipsRevision}${r.fipsPhysicalSecurityLevel !== undefined ? ` level ${r.fipsPhysicalSecurityLevel}` : ''}` : '',
  ].filter(Boolean);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

/**
 * Read an entry's status reports as of a time: reports dated after it are ignored; the
 * latest date decides; among reports of that date a compromise wins over a certification
 * (the conservative reading), and certification is the highest level still in effect.
 */
export function interpretStatus(entry: MetadataEntry, at: Date): StatusVerdict {
  const day = at.toISOString().slice(0, 10);
  const reports = (entry.statusReports ?? []).filter((r) => !r.effectiveDate || r.effectiveDate <= day);
  if (!reports.length) return { certified: false };
  const latestDate = reports.reduce((d, r) => ((r.effectiveDate ?? '') > d ? (r.effectiveDate ?? '') : d), '');
  const latest = reports.filter((r) => (r.effectiveDate ?? '') === latestDate);
  const compromisedNow = latest.find((r) => COMPROMISE_STATUSES.has(r.status));
  // a compromise reported earlier stays in effect unless a later certification follows it
  const lastCompromise = reports.filter((r) => COMPROMISE_STATUSES.has(r.status)).sort((a, b) => (a.effectiveDate ?? '').localeCompare(b.effectiveDate ?? '')).pop();
  const lastCert = reports.filter((r) => r.status in CERT_LEVEL).sort((a, b) => (a.effectiveDate ?? '').localeCompare(b.effectiveDate ?? '')).pop();
  const lastNot = reports.filter((r) => r.status === 'NOT_FIDO_CERTIFIED').sort((a, b) => (a.effectiveDate ?? '').localeCompare(b.effectiveDate ?? '')).pop();
  const compromised = compromisedNow ?? (lastCompromise && (!lastCert || (lastCompromise.effectiveDate ?? '') >= (lastCert.effectiveDate ?? '')) ? lastCompromise : undefined);
  const certified = !!lastCert && !compromised && (!lastNot || (lastNot.effectiveDate ?? '') < (lastCert.effectiveDate ?? ''));
  const level = certified
    ? reports.filter((r) => r.status in CERT_LEVEL).reduce((best, r) => (CERT_LEVEL[r.status]! > CERT_LEVEL[best]! ? r.status : best), 'FIDO_CERTIFIED')
    : undefined;
  return { decisive: compromisedNow ?? latest[0], certified, level, compromised, certification: certified ? lastCert : undefined };
}
