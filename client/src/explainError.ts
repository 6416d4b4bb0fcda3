import { ALG_NAMES } from './render.ts';
/** What the page knows about the ceremony that failed: the options the browser was given, how long it took. */
export interface CeremonyContext {
  /** the server's options JSON as handed to the browser */
  options?: Record<string, any>;
  /** from the call to the browser's answer */
  elapsedMs?: number;
}

/** an answer this fast came without a prompt: the browser or the key refused, nobody waited */
export const FAST_REFUSAL_MS = 300;


/** what the registration options asked for that a browser or key refuses outright */
function registrationDemands(o: Record<string, any> = {}) {
  const sel = o.authenticatorSelection ?? {};
  const ext = o.extensions ?? {};
  const rkRequired = sel.residentKey === 'required' || sel.requireResidentKey === true;
  const protect = ext.credentialProtectionPolicy as string | undefined;
  return {
    rkRequired,
    residentKey: String(sel.residentKey ?? (sel.requireResidentKey ? 'required' : 'discouraged')),
    algorithms: ((o.pubKeyCredParams ?? []) as { alg: number }[]).map((p) => ALG_NAMES[p.alg] ?? `COSE ${p.alg}`),
    enforcedProtect: ext.enforceCredentialProtectionPolicy === true && protect && protect !== 'userVerificationOptional' ? protect : undefined,
    largeBlobRequired: ext.largeBlob?.support === 'required',
  };
}

/**
 * Browser WebAuthn errors in plain words, with the next step (WebAuthn L3 §5.1.3, §5.1.4
 * name the DOMExceptions; the causes below are the ones seen in practice). The options asked
 * for and the time the browser took narrow the cause: a refusal within 0.3 s never waited for
 * a touch, so it is not a timeout.
 */
export function explainBrowserError(e: unknown, ceremony: 'register' | 'sign in', ctx: CeremonyContext = {}): string {
  const err = e as { name?: string; message?: string; code?: string; cause?: { name?: string } };
  const name = err.cause?.name ?? err.name ?? 'Error';
  const took = ctx.elapsedMs === undefined ? '' : ` after ${Math.round(ctx.elapsedMs)} ms`;
  const detail = `\n(${name}${took}${err.message ? `: ${err.message}` : ''})`;
  const fast = ctx.elapsedMs !== undefined && ctx.elapsedMs < FAST_REFUSAL_MS;
  const reg = registrationDemands(ctx.options);
  switch (name) {
    case 'NotAllowedError':
      if (ceremony === 'register' && reg.largeBlobRequired && !reg.rkRequired) {
        return `largeBlob "required" needs a discoverable credential, and Resident key is "${reg.residentKey}": set Resident key to "required" (or largeBlob to "preferred").${detail}`;
      }
      if (fast) {
        return (ceremony === 'register'
          ? `The browser refused at once, without waiting for a touch: this is not a timeout. Likelier causes: the key supports none of the algorithms offered (${reg.algorithms.join(', ') || 'none listed'}): tick more algorithms;${reg.rkRequired ? ' its store of discoverable credentials is full (Resident key is "required"): delete some with the vendor tool, or choose "preferred";' : ''}${reg.largeBlobRequired ? ' it has no largeBlob support (largeBlob is "required"): choose "preferred";' : ''} or the browser refused an option without asking.`
          : 'The browser refused at once, without waiting for a touch: this is not a timeout. The key most likely holds no credential for this site (or none for this account): register it first; or the page lost focus.') + detail;
      }
      return (ceremony === 'register'
        ? 'The browser cancelled registration: it timed out, you closed the prompt, or the key was not touched. Press Register again and touch the key when it blinks.'
        : 'The browser cancelled sign-in: it timed out, you closed the prompt, or this key holds no credential for this account. Touch the key when it blinks, or register it first.') + detail;
    case 'InvalidStateError':
      return 'This key already holds a credential for this account (it matched excludeCredentials). Delete that credential below, untick "exclude existing credentials", or use another key.' + detail;
    case 'NotSupportedError':
      if (ceremony === 'register' && reg.enforcedProtect && !reg.rkRequired) {
        return `credProtect "${reg.enforcedProtect}" with "enforce" is refused by browsers for a credential that is not discoverable (Resident key is "${reg.residentKey}"): set Resident key to "required", or untick "enforce credProtect".${detail}`;
      }
      if (ceremony === 'register' && reg.largeBlobRequired) {
        return `largeBlob "required" cannot be met here: it needs a discoverable credential (Resident key "required") on a key with largeBlob support; choose largeBlob "preferred" to register anyway.${detail}`;
      }
      if (ceremony === 'register' && reg.enforcedProtect) {
        return `The key cannot apply the enforced credProtect policy "${reg.enforcedProtect}": untick "enforce credProtect" to register without it (the decoded view then shows what the key applied).${detail}`;
      }
      return `The key or browser supports none of the requested algorithms or options (offered: ${reg.algorithms.join(', ') || 'none listed'}). Tick more algorithms, or relax residentKey / userVerification.${detail}`;
    case 'ConstraintError':
      return 'The key cannot meet a "required" option (resident key or user verification). Set a PIN on the key, or choose "preferred".' + detail;
    case 'SecurityError':
      return `The browser refused the RP ID for this page's origin. Open the page at the address the server printed (RP ID must be this host or a parent domain, over https except on localhost).${detail}`;
    case 'AbortError':
      return `The ceremony was aborted (the harness timer ran out or another ceremony started). Press the button again.${detail}`;
    default:
      return `The browser reported an error while trying to ${ceremony}.${detail}`;
  }
}

/** The next step for a person when the server refused a response, by its stable code. */
const NEXT_STEP: Record<string, string> = {
  CHALLENGE_EXPIRED: 'Press the button again: the server issues a fresh challenge each time.',
  CHALLENGE_UNKNOWN: 'Press the button again: each challenge can be used once.',
  CHALLENGE_SESSION_MISMATCH: 'Reload the page (the session cookie changed) and try again.',
  CLIENT_DATA_ORIGIN: 'Open the page at an origin the server accepts (see the header), or start the server with --origins.',
  RP_ID_HASH: 'The key signed for another RP ID: start the server with --rp-id matching this page\'s host.',
  FLAG_UP: 'The key did not report a touch (UP=0): touch the key when it blinks. A key that never sets UP is defective.',
  FLAG_UV: 'The key did not verify you (UV=0) although verification was required: set a PIN or fingerprint on the key, or choose "preferred".',
  FLAG_BE_BS: 'The key reports Backup State without Backup Eligibility, which WebAuthn forbids: report it to the key vendor.',
  SIGNATURE: 'The signature does not verify with the key registered for this credential: delete the credential and register again; if it persists the key is faulty.',
  SIGN_COUNT: 'The signature counter went backwards: this can mean a cloned key. The event is recorded on the credential.',
  ALG_ALLOWED: 'The key chose an algorithm that was not offered: report it to the key vendor.',
  CREDENTIAL_UNKNOWN: 'Register this key again (the server no longer knows this credential).',
  CREDENTIAL_EXISTS: 'This credential is already registered: sign in with it, or delete it first.',
  USER_HANDLE_MISSING: 'Register with "Resident key: required" so the key stores the account, then sign in without username.',
  NON_CANONICAL_CBOR: 'The key sent CBOR that is not in CTAP2 canonical form: report it to the key vendor.',
  ACCOUNT_REQUIRED: 'This harness is shared: sign in first on the account page (/account.html), then come back.',
  USERNAME_TAKEN: 'Another team on this shared harness uses that username: choose another.',
};

export function explainServerError(code: string, message: string, ceremony: string): string {
  const next = NEXT_STEP[code] ?? (code.startsWith('ATT_') || code.startsWith('CERT_') || code.startsWith('CHAIN_')
    ? 'The attestation statement or its certificates break the rule named above: see the verification steps below, and report it to the key vendor (or register with attestation "none").'
    : undefined);
  return `The server rejected the ${ceremony}: ${code}\n${message}${next ? `\nNext step: ${next}` : ''}`;
}
