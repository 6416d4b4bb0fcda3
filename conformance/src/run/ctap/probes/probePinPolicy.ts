import { ClientPin, obtainToken } from '../../../ctap/ctap2/clientPin.ts';
import { pinCheckPermission, pinVerification } from '../../../ctap/ctap2/chooseVerification.ts';
import { paddedPin, type PinUvAuthProtocol } from '../../../ctap/ctap2/pinProtocol.ts';
import type { PinPolicyProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { PROBE_RP_ID, statusOf, type CtapSession } from '../CtapSession.ts';

/** A PIN for the key for a moment (8 code points, no obvious pattern), put back at once. */
export const TEMPORARY_PIN = '7391-8264';

/**
 * The PIN policy (CTAP 2.1 §6.5.5.5-6 and 2.3 §12.5/§12.6; the FIDO ClientPin NewPin and
 * PinPolicy scripts, pinComplexityPolicy): with every protocol the key speaks, a new PIN shorter
 * than minPINLength, one of 64 bytes, and a padded block that is not 64 bytes are refused and
 * change nothing; with the complexity policy on, a trivial PIN is refused; then the PIN is changed
 * to a temporary one and back (what a person does in Windows settings). Changes the key's PIN
 * for a moment: only with --destructive.
 */
export async function probePinPolicy(s: CtapSession): Promise<PinPolicyProbe> {
  const gate = s.gate('--destructive', 'tries new PINs that break the policy and changes the PIN to a temporary one and back');
  if (gate) return gate;
  const noPin = s.pinGate();
  if (noPin) return noPin;
  if (!s.pinGiven) return { skipped: 'no PIN was given (--pin-env VAR)' };
  const original = s.o.pin!;
  const protocols = s.protocols();
  const out: PinPolicyProbe = { minPinLength: s.info.minPINLength ?? 4, perProtocol: [] };
  const change = s.changed('the PIN changed to a temporary one');
  let current = original;
  /** changePIN from the PIN the key holds now; a PIN it takes becomes the one it holds */
  const attemptChange = async (protocol: PinUvAuthProtocol, padded: Uint8Array, pin: string) => {
    const status = await new ClientPin(s.ctap2, protocol).changePinPadded(current, padded, s.call()).then(() => 'OK', statusOf);
    if (status === 'OK') current = pin;
    return status;
  };
  /** the key says the PIN the probe believes current is wrong: stop before its retries run out */
  const lost = (status: string) => /PIN_INVALID|PIN_AUTH_BLOCKED|PIN_BLOCKED/.test(status);
  const trivial = '1'.repeat(Math.max(out.minPinLength!, 6));
  const short = '4'.repeat(Math.max(1, out.minPinLength! - 1));
  for (const protocol of protocols) {
    const row: NonNullable<PinPolicyProbe['perProtocol']>[number] = { protocol: protocol.version };
    out.perProtocol!.push(row);
    const cases: [keyof typeof row, Uint8Array, string][] = [
      ['tooShort', paddedPin(short), short],
      ['tooLong', new Uint8Array(64).fill(0x35), '5'.repeat(64)],
      // 48 bytes: the PIN with its zeros cut short (what the key holds if it takes the block anyway)
      ['badPadding', paddedPin(TEMPORARY_PIN).subarray(0, 48), TEMPORARY_PIN],
      ...(s.info.pinComplexityPolicy === true ? [['trivial', paddedPin(trivial), trivial] as [keyof typeof row, Uint8Array, string]] : []),
    ];
    for (const [field, padded, pin] of cases) {
      const status = await attemptChange(protocol, padded, pin);
      (row as Record<string, unknown>)[field] = status;
      if (lost(status)) {
        out.lostTrack = status;
        return out;
      }
    }
  }
  if (current !== original) out.accepted = true;
  // a legitimate change and back, with the preferred protocol
  out.toTemporary = await attemptChange(protocols[0]!, paddedPin(TEMPORARY_PIN), TEMPORARY_PIN);
  if (lost(out.toTemporary)) {
    out.lostTrack = out.toTemporary;
    return out;
  }
  out.temporaryWorks = await obtainToken(s.ctap2, pinVerification(s.info, protocols[0]!), { pin: current, permissions: pinCheckPermission(s.info), rpId: PROBE_RP_ID, call: s.call() }).then(() => true, () => false);
  // back to the person's PIN, from whatever the key now holds
  if (current !== original) out.restored = await attemptChange(protocols[0]!, paddedPin(original), original);
  if (current === original) change.restored();
  return out;
}
