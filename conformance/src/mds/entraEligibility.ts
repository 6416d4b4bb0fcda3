import type { MetadataEntry } from './MetadataBlob.ts';
import { interpretStatus } from './interpretStatus.ts';

/**
 * Microsoft Entra ID's published criteria for passkey (FIDO2) vendors, attestation enforced
 * (MicrosoftDocs/entra-docs, concept-fido2-hardware-vendor.md; in our words in DESIGN.md).
 * Each criterion is named so `mds eligible --why` and `mds lint` can say which one fails.
 */
export type EntraCriterion =
  | 'FIDO2_AAGUID'
  | 'ATTESTATION_BASIC_FULL'
  | 'ATTESTATION_ROOTS'
  | 'FIDO_CERTIFIED'
  | 'NOT_COMPROMISED'
  | 'FIDO_2_0_OR_HIGHER'
  | 'UV_OR_CLIENT_PIN'
  | 'RESIDENT_KEY'
  | 'HMAC_SECRET_OR_PRF';

export const ENTRA_CRITERIA: Record<EntraCriterion, string> = {
  FIDO2_AAGUID: 'a FIDO2 authenticator identified by an AAGUID',
  ATTESTATION_BASIC_FULL: 'attestationTypes includes basic_full (packed attestation with a certificate chain)',
  ATTESTATION_ROOTS: 'attestationRootCertificates is not empty',
  FIDO_CERTIFIED: 'FIDO certified at any level in the status reports',
  NOT_COMPROMISED: 'no revocation or compromise in effect in the status reports',
  FIDO_2_0_OR_HIGHER: 'authenticatorGetInfo.versions states FIDO_2_0 or higher',
  UV_OR_CLIENT_PIN: 'authenticatorGetInfo.options declares uv or clientPin (true, or false: supported, not yet set up)',
  RESIDENT_KEY: 'authenticatorGetInfo.options.rk is true (discoverable credentials)',
  HMAC_SECRET_OR_PRF: 'authenticatorGetInfo.extensions includes hmac-secret (or prf)',
};

const FIDO2_VERSIONS = new Set(['FIDO_2_0', 'FIDO_2_1_PRE', 'FIDO_2_1', 'FIDO_2_2', 'FIDO_2_3']);
const BIOMETRIC = new Set(['fingerprint_internal', 'voiceprint_internal', 'faceprint_internal', 'eyeprint_internal', 'handprint_internal', 'fingerprint_external', 'voiceprint_external', 'faceprint_external', 'eyeprint_external', 'handprint_external']);

export interface EntraRow {
  description: string;
  aaguid: string;
  bio: boolean;
  usb: boolean;
  nfc: boolean;
  ble: boolean;
}

export interface EntraVerdict {
  eligible: boolean;
  failed: { criterion: EntraCriterion; why: string }[];
  row: EntraRow;
}

/** Evaluate one MDS entry as Microsoft does when attestation is enforced, as of `at`. */
export function entraEligibility(entry: MetadataEntry, at: Date): EntraVerdict {
  const ms = entry.metadataStatement ?? {};
  const gi = (ms.authenticatorGetInfo ?? {}) as { versions?: string[]; extensions?: string[]; options?: Record<string, boolean>; transports?: string[] };
  const failed: EntraVerdict['failed'] = [];
  const need = (ok: boolean, criterion: EntraCriterion, why: string) => {
    if (!ok) failed.push({ criterion, why });
  };
  need(!!entry.aaguid, 'FIDO2_AAGUID', entry.aaid ? `a UAF authenticator (AAID ${entry.aaid})` : 'a U2F authenticator listed by attestation key identifiers');
  need((ms.attestationTypes ?? []).includes('basic_full'), 'ATTESTATION_BASIC_FULL', `attestationTypes is ${JSON.stringify(ms.attestationTypes ?? [])}`);
  need((ms.attestationRootCertificates ?? []).length > 0, 'ATTESTATION_ROOTS', 'attestationRootCertificates is empty');
  const status = interpretStatus(entry, at);
  need(status.certified || !!status.compromised, 'FIDO_CERTIFIED', `latest status is ${status.decisive?.status ?? 'absent'}${status.decisive?.effectiveDate ? ` (${status.decisive.effectiveDate})` : ''}`);
  need(!status.compromised, 'NOT_COMPROMISED', `${status.compromised?.status} since ${status.compromised?.effectiveDate ?? '?'}`);
  need((gi.versions ?? []).some((v) => FIDO2_VERSIONS.has(v)), 'FIDO_2_0_OR_HIGHER', `versions are ${JSON.stringify(gi.versions ?? [])}`);
  const o = gi.options ?? {};
  // CTAP 2.1 §6.4: an option present as false is supported but not yet configured (no
  // fingerprint enrolled, no PIN set): still a key that can verify its user
  need('uv' in o || 'clientPin' in o, 'UV_OR_CLIENT_PIN', `options declare neither uv nor clientPin (${JSON.stringify(o)})`);
  need(o.rk === true, 'RESIDENT_KEY', `options.rk is ${o.rk === undefined ? 'absent' : String(o.rk)}`);
  need((gi.extensions ?? []).some((e) => e === 'hmac-secret' || e === 'prf'), 'HMAC_SECRET_OR_PRF', `extensions are ${JSON.stringify(gi.extensions ?? [])}`);
  const methods = ((ms.userVerificationDetails ?? []) as { userVerificationMethod?: string }[][]).flat().map((m) => m.userVerificationMethod ?? '');
  const transports = new Set(gi.transports ?? []);
  const hints = new Set((ms.attachmentHint ?? []) as string[]);
  return {
    eligible: failed.length === 0,
    failed,
    row: {
      description: String(ms.description ?? ''),
      aaguid: entry.aaguid ?? '',
      bio: methods.some((m) => BIOMETRIC.has(m)),
      // getInfo transports when the statement gives them, else the attachment hints
      usb: transports.size ? transports.has('usb') : hints.has('wired'),
      nfc: transports.size ? transports.has('nfc') : hints.has('nfc'),
      ble: transports.size ? transports.has('ble') : hints.has('bluetooth'),
    },
  };
}
