import crypto from 'node:crypto';
import { PERMISSION } from '../../../ctap/constants.ts';
import { AuthenticatorConfig } from '../../../ctap/ctap2/config.ts';
import { ClientPin, obtainToken } from '../../../ctap/ctap2/clientPin.ts';
import { pinCheckPermission, pinVerification } from '../../../ctap/ctap2/chooseVerification.ts';
import type { ConfigProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { parseAuthenticatorData } from '../../../webauthn/parseAuthenticatorData.ts';
import { HARNESS_USER_PREFIX, PROBE_RP_ID, statusOf, type CtapSession } from '../CtapSession.ts';
import { TEMPORARY_PIN } from './probePinPolicy.ts';

/**
 * authenticatorConfig (CTAP 2.1 §6.11; the FIDO AuthenticatorConfig script): refused without a
 * token on a protected key; alwaysUv turned on makes every credential need verification, and is
 * turned off again; setMinPINLength never lowers the minimum; forceChangePin stops tokens from the
 * PIN until it is changed (the PIN is changed to a temporary one and back). Only with
 * --destructive; nothing here raises the minimum PIN length or enables enterprise attestation
 * (those last until a reset).
 */
export async function probeConfig(s: CtapSession): Promise<ConfigProbe> {
  const gate = s.gate('--destructive', 'turns alwaysUv on and off again, tries to lower the minimum PIN length, forces a PIN change and changes the PIN to a temporary one and back');
  if (gate) return gate;
  if (!AuthenticatorConfig.supported(s.info)) return { skipped: 'getInfo does not list authnrCfg', notApplicable: true };
  const protectedKey = s.info.options.clientPin === true || s.info.options.uv === true;
  const first = await s.token(PERMISSION.acfg, undefined, undefined, true);
  if (!first.token) return { skipped: `authenticatorConfig needs a token with acfg: ${first.why ?? 'none could be had'}` };
  // the key holds one token: each subcommand gets a fresh one, so none is refused for a token used up elsewhere
  const cfg = async () => new AuthenticatorConfig(s.ctap2, (await s.token(PERMISSION.acfg, undefined, undefined, true)).token);
  const out: ConfigProbe = {};
  // without a token, on a protected key: refused (and put back if a faulty key took it)
  if (protectedKey && s.info.options.alwaysUv !== undefined) {
    const was = s.info.options.alwaysUv;
    out.withoutToken = await new AuthenticatorConfig(s.ctap2).toggleAlwaysUv(s.call()).then(() => 'OK', statusOf);
    if (s.info.options.alwaysUv !== was) await (await cfg()).toggleAlwaysUv(s.call()).catch(() => {});
  }
  // alwaysUv on: a credential without verification is refused; then off again
  if (s.info.options.alwaysUv === false) {
    const change = s.changed('alwaysUv turned on');
    out.toggleOn = await (await cfg()).toggleAlwaysUv(s.call()).then(() => 'OK', statusOf);
    out.alwaysUvAfter = s.info.options.alwaysUv as boolean | undefined;
    if (out.alwaysUvAfter === true) {
      // a key with built-in UV may verify the person itself (§6.1.2 step 6): made, with UV set, is right too
      out.credentialWithoutUv = await s.ctap2.makeCredential({
        clientDataHash: new Uint8Array(crypto.randomBytes(32)),
        rp: { id: PROBE_RP_ID, name: 'fido2-harness CTAP probes' },
        user: { id: Uint8Array.from([...HARNESS_USER_PREFIX, ...crypto.randomBytes(8)]), name: 'probe-config', displayName: 'fido2-harness probe (config)' },
        pubKeyCredParams: [{ type: 'public-key', alg: s.probeAlgorithm }],
      }, s.call()).then((r) => (parseAuthenticatorData(r.authData, { allowTrailing: true }).flags.UV ? 'OK with UV' : 'OK'), statusOf);
      await (await cfg()).toggleAlwaysUv(s.call()).catch(() => {});
      if ((s.info.options.alwaysUv as boolean | undefined) === false) change.restored();
    }
  }
  // the minimum PIN length never goes down
  if (s.info.options.setMinPINLength === true) {
    const current = s.info.minPINLength ?? 4;
    out.lowerMinPinLength = { from: current, status: await (await cfg()).setMinPinLength({ newMinPINLength: current - 1 }, s.call()).then(() => 'OK', statusOf) };
    if (out.lowerMinPinLength.status === 'OK') s.changed(`the minimum PIN length lowered from ${current} to ${current - 1} (the key took it; only a reset undoes it)`);
    // forceChangePin: tokens from the PIN are refused until the PIN changes
    const protocol = s.protocols()[0];
    if (s.info.options.clientPin === true && s.pinGiven && protocol) {
      const change = s.changed('a PIN change forced, the PIN changed to a temporary one and back');
      out.forceChangePin = await (await cfg()).setMinPinLength({ forceChangePin: true }, s.call()).then(() => 'OK', statusOf);
      out.forcePinChangeAfter = s.info.forcePINChange;
      out.tokenWhileForced = await obtainToken(s.ctap2, pinVerification(s.info, protocol), { pin: s.o.pin!, permissions: pinCheckPermission(s.info), rpId: PROBE_RP_ID, call: s.call() }).then(() => 'OK', statusOf);
      const cp = new ClientPin(s.ctap2, protocol);
      const away = await cp.changePin(s.o.pin!, TEMPORARY_PIN, s.call()).then(() => 'OK', statusOf);
      const back = away === 'OK' ? await cp.changePin(TEMPORARY_PIN, s.o.pin!, s.call()).then(() => 'OK', statusOf) : away;
      out.pinChangedBack = back;
      if (back === 'OK' && s.info.forcePINChange !== true) change.restored();
    }
  }
  return out;
}
