import crypto from 'node:crypto';
import { VERIFIABLE_ALGORITHMS } from '../webauthn/coseKey.ts';

/**
 * The ceremonies a conformance run performs, in order, with what a person is told at each
 * step (the guided page shows `instruction`; CI drivers ignore it). Options are WebAuthn
 * option JSON with binary values base64url, as the RP server sends them.
 */
/** The plan's step names, in order: evidence, reports and the guided page name steps by these. */
export const STEP_NAMES = ['register-basic', 'sign-in-uv', 'register-account-1', 'register-account-2', 'prf-a-1', 'prf-a-1-again', 'prf-b-1', 'prf-a-2', 'sign-in-discoverable-1', 'sign-in-discoverable-2'] as const;
export type StepName = (typeof STEP_NAMES)[number];

export interface PlanStep {
  step: StepName;
  kind: 'registration' | 'authentication';
  instruction: string;
  /** for registrations: which account; for discoverable sign-ins: the account the person picks */
  account?: Account;
  /** a plain registration (no resident key, UV discouraged): attestation evidence from every key, even U2F-only ones */
  basic?: boolean;
  /** authentication: restrict to this account's credential (allowCredentials) */
  allowAccount?: Account;
  prfSalt?: 'a' | 'b';
}

export const PRF_SALTS = { a: Buffer.from('fido2-harness prf salt A').toString('base64url'), b: Buffer.from('fido2-harness prf salt B').toString('base64url') };
/**
 * What the plan's registrations offer (pubKeyCredParams): the three every key and browser knows
 * first, then every other algorithm the harness verifies, so a key (or an emulation profile)
 * that signs only with, say, Ed448 (-53) or PS384 (-38) still registers and is judged.
 */
export const ALGORITHMS = [-7, -8, -257, ...VERIFIABLE_ALGORITHMS.filter((a) => ![-7, -8, -257].includes(a))];
/** stored with account 1's credential when the key supports credBlob (declared-vs-observed evidence) */
export const CRED_BLOB = Buffer.from('fido2-harness').toString('base64url');

export type Account = 1 | 2 | 3;

// Order matters for virtual runs: the discoverable sign-ins come last because the virtual
// driver stands in for the account chooser by hiding other credentials through CDP, and a
// credential put back that way has lost its hmac-secret state (Chromium 156).

export const CEREMONY_PLAN: readonly PlanStep[] = [
  { step: 'register-basic', kind: 'registration', account: 3, basic: true, instruction: 'Insert the key and touch it. This first registration asks for nothing special, so every key can answer it with its attestation.' },
  { step: 'sign-in-uv', kind: 'authentication', allowAccount: 3, instruction: 'Touch the key and enter its PIN (or use its fingerprint): this sign-in requires user verification.' },
  { step: 'register-account-1', kind: 'registration', account: 1, instruction: 'Touch the key and enter its PIN if asked. This registers account 1 as a discoverable credential with attestation.' },
  { step: 'register-account-2', kind: 'registration', account: 2, instruction: 'Touch the key again to register a second account (account 2) on the same site. It must not replace account 1.' },
  { step: 'prf-a-1', kind: 'authentication', allowAccount: 3, prfSalt: 'a', instruction: 'Touch the key: the first credential derives a secret from salt A (hmac-secret / PRF).' },
  { step: 'prf-a-1-again', kind: 'authentication', allowAccount: 3, prfSalt: 'a', instruction: 'Touch the key once more: the same salt must give the same secret.' },
  { step: 'prf-b-1', kind: 'authentication', allowAccount: 3, prfSalt: 'b', instruction: 'Touch the key: salt B must give a different secret.' },
  { step: 'prf-a-2', kind: 'authentication', allowAccount: 2, prfSalt: 'a', instruction: 'Touch the key: account 2 with salt A must give a secret different from the first credential\'s.' },
  { step: 'sign-in-discoverable-1', kind: 'authentication', account: 1, instruction: 'Sign in without a username: touch the key, enter the PIN, and pick account 1 if the browser asks.' },
  { step: 'sign-in-discoverable-2', kind: 'authentication', account: 2, instruction: 'Sign in without a username again and pick account 2.' },
];

export function userIdFor(account: Account): string {
  return Buffer.from(`fido2-harness-conformance-account-${account}`).toString('base64url');
}

/** Options JSON for a step. `credentials[account]` holds registered credential IDs. */
export function optionsFor(step: PlanStep, rp: { id: string; name: string }, credentials: Partial<Record<Account, string>>): Record<string, any> {
  const challenge = crypto.randomBytes(32).toString('base64url');
  if (step.kind === 'registration') {
    const account = step.account!;
    return {
      challenge,
      rp,
      user: { id: userIdFor(account), name: `account-${account}`, displayName: `Conformance account ${account}` },
      pubKeyCredParams: ALGORITHMS.map((alg) => ({ alg, type: 'public-key' })),
      timeout: 120_000,
      attestation: 'direct',
      authenticatorSelection: step.basic ? { residentKey: 'discouraged', requireResidentKey: false, userVerification: 'discouraged' } : { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
      excludeCredentials: [],
      // PRF is asked for at every creation (keys without it ignore it); the first credential's
      // secrets are compared with account 2's, so a key that loses account 1 does not also fail PRF
      extensions: step.basic ? { credProps: true, prf: {} } : { credProps: true, prf: {}, hmacCreateSecret: true, credentialProtectionPolicy: 'userVerificationRequired', enforceCredentialProtectionPolicy: false, credBlob: CRED_BLOB },
    };
  }
  const allow = step.allowAccount ? credentials[step.allowAccount] : undefined;
  return {
    challenge,
    rpId: rp.id,
    timeout: 120_000,
    userVerification: 'required',
    allowCredentials: allow ? [{ id: allow, type: 'public-key' }] : [],
    ...(step.prfSalt ? { extensions: { prf: { eval: { first: PRF_SALTS[step.prfSalt] } } } } : {}),
  };
}
