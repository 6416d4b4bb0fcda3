import { ClientPin, obtainToken } from '../../../ctap/ctap2/clientPin.ts';
import { pinCheckPermission, pinVerification } from '../../../ctap/ctap2/chooseVerification.ts';
import type { WrongPinProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { PROBE_RP_ID, attempt, type CtapSession } from '../CtapSession.ts';

/** The fewest retries a key may have left for the wrong-PIN probe without --destructive. */
export const MIN_RETRIES_FOR_WRONG_PIN = 4;

/**
 * A wrong PIN (CTAP 2.1 §6.5.5.5): refused with CTAP2_ERR_PIN_INVALID, one retry fewer; the
 * person's correct PIN right after restores the count. One wrong attempt only, with the PIN the
 * person gave, and only when the key has at least four retries left (so even a key that does
 * not restore stays three attempts away from a block) unless they said --destructive.
 */
export async function probeWrongPin(s: CtapSession): Promise<WrongPinProbe> {
  const noPin = s.pinGate();
  if (noPin) return noPin;
  if (!s.pinGiven) return { skipped: 'no PIN was given (--pin-env VAR)' };
  const protocol = ClientPin.preferred(s.info);
  if (!protocol) return { skipped: 'the key lists no PIN protocol the harness speaks' };
  const cp = new ClientPin(s.ctap2, protocol);
  const before = await cp.getRetries(s.call());
  const out: WrongPinProbe = { retriesBefore: before.retries };
  if (before.retries < MIN_RETRIES_FOR_WRONG_PIN && !s.o.destructive) return { ...out, skipped: `the key has ${before.retries} PIN retries left; a wrong PIN is tried only with ${MIN_RETRIES_FOR_WRONG_PIN} or more (or --destructive)` };
  const wrongPin = s.o.pin === '0000-not-the-pin' ? '1111-not-the-pin' : '0000-not-the-pin';
  const pinTokenCall = (pin: string) => obtainToken(s.ctap2, pinVerification(s.info, protocol), { pin, permissions: pinCheckPermission(s.info), rpId: PROBE_RP_ID, call: s.call() });
  out.wrong = (await attempt(() => pinTokenCall(wrongPin))).status;
  out.retriesAfterWrong = (await cp.getRetries(s.call())).retries;
  out.correct = (await attempt(() => pinTokenCall(s.o.pin!))).status;
  out.retriesAfterCorrect = (await cp.getRetries(s.call())).retries;
  return out;
}
