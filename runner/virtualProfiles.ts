import type { VirtualAuthenticatorOptions } from './chromium.ts';
import type { CheckId } from '../conformance/src/index.ts';

/**
 * The matrix `check --virtual` runs: Chromium CDP virtual authenticators configured as the
 * kinds of key vendors ship. Chromium always answers with its own AAGUID and a self-signed
 * "Batch Certificate" (no AAGUID extension, not in MDS), so these runs exercise the
 * behavioural checks; the attestation and MDS checks need `check --emulate` or a real key.
 */
export interface VirtualProfile {
  name: string;
  description: string;
  options: VirtualAuthenticatorOptions;
  /** checks this profile must pass and must fail (asserted in tests) */
  /** notJudged: the metadata checks a run without metadata cannot judge (Chromium's AAGUID is in no MDS) */
  expect: { pass: CheckId[]; fail: CheckId[]; notJudged?: CheckId[] };
}

export const VIRTUAL_PROFILES: VirtualProfile[] = [
  {
    name: 'ctap2_1-full',
    description: 'CTAP 2.1, resident keys, UV, prf/hmac-secret, largeBlob, credBlob (Chromium ties credProtect to it), minPinLength',
    options: { protocol: 'ctap2', ctap2Version: 'ctap2_1', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, hasPrf: true, hasHmacSecret: true, hasLargeBlob: true, hasCredBlob: true, hasMinPinLength: true },
    expect: { pass: ['RK_DISCOVERABLE_SIGN_IN', 'UV_FLAG_WHEN_REQUIRED', 'EXT_HMAC_SECRET_OR_PRF', 'RK_MULTIPLE_ACCOUNTS_PER_RP', 'HYG_UP_ALWAYS', 'HYG_CREDPROTECT', 'ATT_PACKED_FORMAT', 'ATT_FORMAT_ACCEPTED_UNENFORCED'], fail: [], notJudged: ['ATT_AAGUID_MATCHES_CERT_AND_MDS', 'MDS_FIDO_CERTIFIED'] },
  },
  {
    name: 'ctap2_0-minimal',
    description: 'CTAP 2.0 with resident keys and UV, no extensions',
    options: { protocol: 'ctap2', ctap2Version: 'ctap2_0', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    expect: { pass: ['RK_DISCOVERABLE_SIGN_IN', 'UV_FLAG_WHEN_REQUIRED', 'RK_MULTIPLE_ACCOUNTS_PER_RP'], fail: ['EXT_HMAC_SECRET_OR_PRF', 'HYG_CREDPROTECT'] },
  },
  {
    name: 'no-rk',
    description: 'CTAP 2.1 without resident keys',
    options: { protocol: 'ctap2', ctap2Version: 'ctap2_1', hasResidentKey: false, hasUserVerification: true, isUserVerified: true, hasPrf: true },
    expect: { pass: ['ATT_PACKED_FORMAT', 'UV_FLAG_WHEN_REQUIRED'], fail: ['RK_DISCOVERABLE_SIGN_IN', 'RK_MULTIPLE_ACCOUNTS_PER_RP'] },
  },
  {
    name: 'no-uv',
    description: 'CTAP 2.1 with resident keys but no user verification',
    options: { protocol: 'ctap2', ctap2Version: 'ctap2_1', hasResidentKey: true, hasUserVerification: false, isUserVerified: false },
    expect: { pass: ['ATT_PACKED_FORMAT', 'HYG_UP_ALWAYS'], fail: ['UV_FLAG_WHEN_REQUIRED'] },
  },
  {
    name: 'u2f',
    description: 'U2F only (fido-u2f attestation, no resident keys, no extensions)',
    options: { protocol: 'u2f', hasResidentKey: false, hasUserVerification: false, isUserVerified: false },
    expect: { pass: ['HYG_UP_ALWAYS'], fail: ['RK_DISCOVERABLE_SIGN_IN', 'EXT_HMAC_SECRET_OR_PRF', 'ATT_PACKED_FORMAT'] },
  },
];
