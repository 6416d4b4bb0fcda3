import crypto from 'node:crypto';
import { PERMISSION } from '../../ctap/constants.ts';
import { CtapError } from '../../ctap/CtapError.ts';
import { CTAP_STATUS } from '../../ctap/status.ts';
import { ClientPin, obtainToken, type PinUvAuthToken } from '../../ctap/ctap2/clientPin.ts';
import type { PinUvAuthProtocol } from '../../ctap/ctap2/pinProtocol.ts';
import { parseAuthenticatorData } from '../../webauthn/parseAuthenticatorData.ts';
import { pinCheckPermission, pinVerification } from '../../ctap/ctap2/chooseVerification.ts';
import { CredentialManagement } from '../../ctap/ctap2/credentialManagement.ts';
import { HarnessError } from '../../errors/HarnessError.ts';
import { toBase64url } from '../../encoding/base64url.ts';
import type { KeyChange, PinSetupProbe } from '../../checks/ctap/CtapEvidence.ts';
import { PROBE_RP_ID, attempt, isHarnessUser, statusOf, type CtapSession } from './CtapSession.ts';

/** Below this many PIN retries the harness does not try a PIN at all without --destructive. */
export const MIN_RETRIES_TO_TRY_PIN = 3;

/**
 * Before anything touches the key: the PIN the person gave is checked once (a wrong PIN stops
 * the run at once, one retry spent, instead of one per ceremony), a PIN is set only with
 * --set-pin on a key without one, and credentials an earlier harness run left behind are removed
 * (only the harness's own: its RP IDs and its user handles). Throws BAD_USAGE with the next step
 * when the run cannot go on.
 */
export async function prepareKey(s: CtapSession, o: { setPin?: boolean; refuseUnverifiable?: boolean }): Promise<void> {
  const opts = s.info.options;
  const protocol = ClientPin.preferred(s.info);
  if (o.setPin) {
    if (!s.pinGiven) throw new HarnessError('BAD_USAGE', '--set-pin needs the new PIN: --pin-env VAR names the environment variable that holds it');
    if (opts.clientPin === true) throw new HarnessError('BAD_USAGE', 'this key already has a PIN: --set-pin is only for a key without one (give its PIN with --pin-env instead)');
    if (opts.clientPin === undefined || !protocol) throw new HarnessError('BAD_USAGE', 'this key has no client PIN to set (getInfo options.clientPin is absent)');
    s.pinSetup = await setPinAsWindowsDoes(s, protocol);
    s.changes.pinSet = true; // (setPin read getInfo again: clientPin is true from here on)
  } else {
    s.pinSetup = opts.clientPin === undefined
      ? { skipped: 'the key has no client PIN', notApplicable: true }
      : opts.clientPin === true
        ? { skipped: 'the key already had a PIN: Windows asks for it, there is nothing to set up', notApplicable: true }
        : { skipped: 'sets the key\'s first PIN the way Windows does during a sign-in', notRun: '--set-pin' };
  }
  if (o.refuseUnverifiable !== false && s.info.options.clientPin === false && s.info.options.uv !== true) throw new HarnessError('BAD_USAGE', 'this key has no PIN yet and no built-in user verification, and half the checks need user verification: run with --set-pin --pin-env VAR to set one (it stays on the key; only a reset removes it)');
  if (s.info.options.clientPin === true) {
    if (!s.pinGiven) throw new HarnessError('BAD_USAGE', 'this key has a PIN: give it with --pin-env VAR (the environment variable that holds it), or run in a terminal to be asked; the harness never guesses');
    if (!protocol) throw new HarnessError('BAD_USAGE', 'this key has a PIN but lists no PIN/UV auth protocol the harness speaks (1 or 2)');
    const cp = new ClientPin(s.ctap2, protocol);
    const { retries } = await cp.getRetries(s.call());
    s.changes.pinRetries = { before: retries, after: retries };
    if (retries < MIN_RETRIES_TO_TRY_PIN && !s.o.destructive) throw new HarnessError('BAD_USAGE', `the key has only ${retries} PIN retries left: the harness does not try a PIN now (a wrong one could block the key); unlock it with the vendor's tool, or pass --destructive`);
    try {
      await obtainToken(s.ctap2, pinVerification(s.info, protocol), { pin: s.o.pin!, permissions: pinCheckPermission(s.info), rpId: PROBE_RP_ID, call: s.call() });
    } catch (e) {
      if (e instanceof CtapError && e.ctapStatus === CTAP_STATUS.CTAP2_ERR_PIN_INVALID) {
        const left = await cp.getRetries(s.call()).then((r) => r.retries, () => undefined);
        throw new HarnessError('BAD_USAGE', `the PIN given is not this key's PIN (${left ?? 'unknown'} retries left); nothing else was tried`);
      }
      if (e instanceof CtapError && (e.ctapStatus === CTAP_STATUS.CTAP2_ERR_PIN_BLOCKED || e.ctapStatus === CTAP_STATUS.CTAP2_ERR_PIN_AUTH_BLOCKED)) throw new HarnessError('BAD_USAGE', `the key refuses its PIN: ${e.message} (unplug and replug it; a blocked PIN needs a reset)`);
      throw e;
    }
  }
  const { removed } = await removeHarnessCredentials(s);
  if (removed.length) {
    s.changes.leftovers = removed.length;
    s.changes.deleted.push(...removed.map((r) => ({ ...r, by: 'an earlier fido2-harness run' })));
  }
}

/**
 * --set-pin, done as Windows does it since KB5073129 when an RP asks for user verification
 * "preferred" and the key has no PIN: a credential registered before the key had a PIN, the PIN
 * set, a token from the new PIN, and the sign-in with user verification, at once (no replug in
 * between). Recorded for CTAP_WIN_PIN_SETUP. A key that wants a power cycle before its new PIN
 * works is power-cycled (when the harness can) so the rest of the run goes on.
 */
async function setPinAsWindowsDoes(s: CtapSession, protocol: PinUvAuthProtocol): Promise<PinSetupProbe> {
  const out: PinSetupProbe = {};
  const made = await attempt(() => s.makeCredential({ by: 'pin-setup' }));
  out.credential = made.status;
  try {
    await new ClientPin(s.ctap2, protocol).setPin(s.o.pin!, s.call());
  } catch (e) {
    throw new HarnessError('BAD_USAGE', `the key refused to set the PIN (--set-pin): ${statusOf(e)}`, { cause: e });
  }
  out.setPin = 'OK';
  const token = await obtainToken(s.ctap2, pinVerification(s.info, protocol), { pin: s.o.pin!, permissions: PERMISSION.ga, rpId: PROBE_RP_ID, call: s.call() }).then((t) => ({ t }), (e: unknown) => ({ e: statusOf(e) }));
  out.token = 'e' in token ? token.e : 'OK';
  if ('t' in token && token.t !== 'uv-option' && made.value) {
    const a = await attempt(() => s.getAssertion({ credentialIds: [made.value!.credentialId], verified: token.t as PinUvAuthToken }));
    out.assertion = a.status;
    if (a.value) out.uv = parseAuthenticatorData(a.value.authData, { allowTrailing: true }).flags.UV;
  }
  if (out.token !== 'OK' && s.canPowerCycle) {
    await s.powerCycle('the new PIN did not work before a power cycle');
    out.workedAfterPowerCycle = await obtainToken(s.ctap2, pinVerification(s.info, protocol), { pin: s.o.pin!, permissions: PERMISSION.ga, rpId: PROBE_RP_ID, call: s.call() }).then(() => true, () => false);
  }
  return out;
}

/** At the end: every harness credential removed, what could not be listed as left, PIN retries and getInfo read again. */
export async function cleanupKey(s: CtapSession): Promise<void> {
  const r = await removeHarnessCredentials(s);
  const gone = new Set(r.removed.map((x) => x.credentialId));
  for (const c of s.changes.created) {
    if (s.changes.deleted.some((d) => d.credentialId === c.credentialId)) continue;
    const failed = r.failed.find((f) => f.credentialId === c.credentialId);
    if (gone.has(c.credentialId)) s.changes.deleted.push(c);
    else if (failed) s.changes.left.push(failed);
    else if (r.unavailable) s.changes.left.push({ ...c, reason: r.unavailable });
    // credential management does not list it: it was never kept as discoverable, or the key hides it
    else (s.changes.unlisted ??= []).push(c);
  }
  for (const f of r.failed) if (!s.changes.left.some((l) => l.credentialId === f.credentialId)) s.changes.left.push(f);
  if (s.info.options.clientPin === true || s.changes.pinSet) {
    const protocol = ClientPin.preferred(s.info);
    if (protocol) {
      const after = await new ClientPin(s.ctap2, protocol).getRetries(s.call()).then((x) => x.retries, () => undefined);
      if (after !== undefined) s.changes.pinRetries = { before: s.changes.pinRetries?.before ?? after, after };
    }
  }
}

const rpHash = (id: string) => new Uint8Array(crypto.createHash('sha256').update(id).digest());

/**
 * Deletes every credential on the harness's RP IDs whose user handle is one the harness makes
 * (credential management, CTAP 2.1 §6.8.5). A person's own credentials, even on those RP IDs,
 * are left alone. `unavailable`: why nothing could be removed.
 */
export async function removeHarnessCredentials(s: CtapSession): Promise<{ removed: KeyChange[]; failed: (KeyChange & { reason: string })[]; unavailable?: string }> {
  if (!CredentialManagement.supported(s.info)) return { removed: [], failed: [], unavailable: 'the key has no credential management (CTAP 2.1 §6.8): remove them with the vendor\'s tool' };
  const t = await s.token(PERMISSION.cm, undefined).catch((e) => ({ token: undefined, why: statusOf(e) }));
  if (!t.token) return { removed: [], failed: [], unavailable: `credential management needs user verification: ${t.why ?? 'the key issues no token'}` };
  const cm = new CredentialManagement(s.ctap2, t.token, s.info);
  const removed: KeyChange[] = [];
  const failed: (KeyChange & { reason: string })[] = [];
  for (const rpId of [...new Set([s.o.runRpId, PROBE_RP_ID])]) {
    let creds;
    try {
      creds = await cm.credentials(rpHash(rpId), s.call());
    } catch (e) {
      return { removed, failed, unavailable: `listing the credentials of ${rpId} failed: ${statusOf(e)}` };
    }
    for (const c of creds.filter((x) => isHarnessUser(x.user.id))) {
      const change = { rpId, credentialId: toBase64url(c.credentialId), by: 'fido2-harness' };
      try {
        await cm.delete(c.credentialId, s.call());
        removed.push(change);
      } catch (e) {
        failed.push({ ...change, reason: `deleteCredential answered ${statusOf(e)}` });
      }
    }
  }
  return { removed, failed };
}
