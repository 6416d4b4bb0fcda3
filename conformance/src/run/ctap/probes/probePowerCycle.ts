import { PERMISSION } from '../../../ctap/constants.ts';
import { ClientPin, obtainToken } from '../../../ctap/ctap2/clientPin.ts';
import { pinCheckPermission, pinVerification } from '../../../ctap/ctap2/chooseVerification.ts';
import { parseAuthenticatorData } from '../../../webauthn/parseAuthenticatorData.ts';
import type { PowerCycleProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { PROBE_RP_ID, attempt, statusOf, type CtapSession } from '../CtapSession.ts';
import { MIN_RETRIES_FOR_WRONG_PIN } from './probeWrongPin.ts';

const WRONG_PIN = '0000-not-the-pin-power-cycle';

/**
 * What a power cycle keeps and what it ends (CTAP 2.1 §6.5.2.1: a new pinUvAuthToken at
 * power-up; §6.5.5.2: pinRetries persist; WebAuthn L3 §6.1.1: the signature counter never goes
 * back): credentials (one not discoverable, one discoverable) and the counter survive, the token
 * from before does not, a spent PIN retry stays spent (the right PIN afterwards restores it).
 * Over USB the person is asked to replug the key; simulators reboot on request.
 */
export async function probePowerCycle(s: CtapSession, credentialA: Uint8Array): Promise<PowerCycleProbe> {
  const gate = s.powerCycleGate('what survives a power cycle');
  if (gate) return gate;
  const out: PowerCycleProbe = {};
  const before = await s.getAssertion({ credentialIds: [credentialA] });
  out.counterBefore = parseAuthenticatorData(before.authData, { allowTrailing: true }).signCount;
  const rk = s.info.options.rk === true ? await attempt(() => s.makeCredential({ by: 'power-cycle', rk: true })) : undefined;
  // the key keeps one token: the last one had before the cycle is the one that must not survive it
  // (had before the wrong PIN: a token from the right PIN would give the spent retry back)
  const token = (await s.token(PERMISSION.ga, PROBE_RP_ID, undefined, true).catch(() => ({ token: undefined }))).token;
  // one wrong PIN before the cycle, when it is safe (the wrongPin probe's rule)
  const protocol = s.protocols()[0];
  let cp: ClientPin | undefined;
  if (s.info.options.clientPin === true && s.pinGiven && protocol) {
    cp = new ClientPin(s.ctap2, protocol);
    const r = await cp.getRetries(s.call());
    if (r.retries >= MIN_RETRIES_FOR_WRONG_PIN || s.o.destructive) {
      out.retriesBefore = r.retries;
      await obtainToken(s.ctap2, pinVerification(s.info, protocol), { pin: WRONG_PIN, permissions: pinCheckPermission(s.info), rpId: PROBE_RP_ID, call: s.call() }).catch(() => {});
      out.retriesAfterWrong = (await cp.getRetries(s.call())).retries;
    }
  }
  await s.powerCycle('credentials, counters and PIN retries must survive it; tokens must not');
  out.cycled = true;
  if (cp && out.retriesBefore !== undefined) out.retriesAfterCycle = (await new ClientPin(s.ctap2, protocol!).getRetries(s.call())).retries;
  if (token) {
    const t = await attempt(() => s.getAssertion({ credentialIds: [credentialA], verified: token }));
    out.oldToken = t.status;
  }
  const after = await attempt(() => s.getAssertion({ credentialIds: [credentialA] }));
  out.credentialAfter = after.status;
  if (after.value) out.counterAfter = parseAuthenticatorData(after.value.authData, { allowTrailing: true }).signCount;
  if (rk?.value) out.discoverableAfter = (await attempt(() => s.getAssertion({ credentialIds: [rk.value!.credentialId] }))).status;
  // the right PIN restores the retries the wrong one spent
  if (out.retriesBefore !== undefined && protocol) {
    await obtainToken(s.ctap2, pinVerification(s.info, protocol), { pin: s.o.pin!, permissions: pinCheckPermission(s.info), rpId: PROBE_RP_ID, call: s.call() }).catch((e: unknown) => {
      out.restoreError = statusOf(e);
    });
  }
  return out;
}
