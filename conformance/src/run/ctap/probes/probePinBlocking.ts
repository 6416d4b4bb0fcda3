import { ClientPin, obtainToken } from '../../../ctap/ctap2/clientPin.ts';
import { pinCheckPermission, pinVerification } from '../../../ctap/ctap2/chooseVerification.ts';
import type { PinBlockingProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { PROBE_RP_ID, statusOf, type CtapSession } from '../CtapSession.ts';

/** Retries the key must have for three wrong PINs to leave two (one wrong PIN too many never blocks it for good). */
export const MIN_RETRIES_FOR_BLOCKING = 5;
const WRONG = ['0000-wrong-pin-1', '0000-wrong-pin-2', '0000-wrong-pin-3', '0000-wrong-pin-4'];

/**
 * PIN blocking (CTAP 2.1 §6.5.5.7 step 9.1.2: after three consecutive wrong PINs, PIN_AUTH_BLOCKED
 * until the next power cycle; no retry is spent meanwhile; the right PIN afterwards restores the
 * retries). Changes the key: three retries spent (given back by the right PIN after the power
 * cycle). Only with --destructive, at least five retries, and a key the harness can power-cycle.
 */
export async function probePinBlocking(s: CtapSession): Promise<PinBlockingProbe> {
  const gate = s.gate('--destructive', 'spends three PIN retries to block PIN entry, then power-cycles the key');
  if (gate) return gate;
  const noPin = s.pinGate();
  if (noPin) return noPin;
  if (!s.pinGiven) return { skipped: 'no PIN was given (--pin-env VAR)' };
  const cycle = s.powerCycleGate('lifting the block');
  if (cycle) return cycle;
  const protocol = s.protocols()[0];
  if (!protocol) return { skipped: 'the key lists no PIN/UV auth protocol the harness speaks' };
  const cp = () => new ClientPin(s.ctap2, protocol);
  const before = (await cp().getRetries(s.call())).retries;
  if (before < MIN_RETRIES_FOR_BLOCKING) return { skipped: `the key has ${before} PIN retries; blocking PIN entry is tried with ${MIN_RETRIES_FOR_BLOCKING} or more` };
  const change = s.changed('three PIN retries spent to block PIN entry');
  const tryPin = (pin: string) => obtainToken(s.ctap2, pinVerification(s.info, protocol), { pin, permissions: pinCheckPermission(s.info), rpId: PROBE_RP_ID, call: s.call() }).then(() => 'OK', statusOf);
  const out: PinBlockingProbe = { retriesBefore: before, wrong: [] };
  for (let i = 0; i < 3; i++) out.wrong!.push(await tryPin(WRONG[i]!));
  out.retriesBlocked = (await cp().getRetries(s.call())).retries;
  out.rightWhileBlocked = await tryPin(s.o.pin!);
  out.wrongWhileBlocked = await tryPin(WRONG[3]!);
  out.retriesAfterBlockedTries = (await cp().getRetries(s.call())).retries;
  await s.powerCycle('PIN entry was blocked: only a power cycle lifts it');
  out.rightAfterCycle = await tryPin(s.o.pin!);
  out.retriesRestored = (await new ClientPin(s.ctap2, protocol).getRetries(s.call())).retries;
  if (out.retriesRestored >= before) change.restored();
  return out;
}
