import { KEEPALIVE } from '../../../ctap/constants.ts';
import type { ResetProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { attempt, statusOf, type CtapSession } from '../CtapSession.ts';

/** CTAP 2.1 §6.6: reset is allowed only this long after power-up. */
export const RESET_WINDOW_MS = 10_000;
/** How far past the window the late attempt is made (clocks and USB enumeration differ). */
const MARGIN_MS = 500;

/**
 * authenticatorReset (CTAP 2.1 §6.6; the FIDO Authr-Reset-1 script), the run's last act: refused
 * once the window after power-up has passed (CTAP2_ERR_NOT_ALLOWED), done within it after a
 * touch, and afterwards the key holds no credential and no PIN; over a transport getInfo's
 * transportsForReset does not list, refused even within the window and nothing lost. Only with
 * --allow-reset; the key is power-cycled twice (replugged when asked, over USB) and waits out the
 * window once.
 */
export async function probeReset(s: CtapSession): Promise<ResetProbe> {
  const gate = s.gate('--allow-reset', 'wipes the key: every credential, the PIN, fingers, large blobs, the configuration');
  if (gate) return gate;
  const cycle = s.powerCycleGate('reset (allowed only just after power-up)');
  if (cycle) return cycle;
  const windowMs = s.o.resetWindowMs ?? RESET_WINDOW_MS;
  const transport = s.device.connection.kind === 'nfc' ? 'nfc' : 'usb';
  const declared = s.info.transportsForReset;
  const out: ResetProbe = { windowMs, hadPin: s.info.options.clientPin === true, transport, transportsForReset: declared, longTouchForReset: s.info.longTouchForReset === true };
  const allowedHere = !declared || declared.includes(transport);
  const witness = s.info.options.rk === true ? await attempt(() => s.makeCredential({ by: 'reset-witness', rk: true })) : undefined;
  // too late: the window after power-up has passed (not tried where this transport may not reset at all)
  if (allowedHere) {
    await s.powerCycle('to test that reset is refused once the window after power-up has passed');
    await new Promise((r) => setTimeout(r, windowMs + MARGIN_MS));
    out.late = await s.ctap2.reset({ allowReset: true, ...s.call() }).then(() => 'OK', statusOf);
  }
  // within the window, with a touch (a long one where getInfo says longTouchForReset)
  await s.powerCycle(allowedHere ? 'reset is allowed only just after power-up' : `reset over ${transport}, which transportsForReset does not list, must be refused even just after power-up`);
  if (out.longTouchForReset && allowedHere) s.o.onPrompt?.('when the key blinks, hold your touch for several seconds: it declares longTouchForReset');
  const call = s.call();
  out.inWindow = out.late === 'OK' ? 'not tried: the key had already reset' : await s.ctap2.reset({ allowReset: true, ...call }).then(() => 'OK', statusOf);
  out.upNeeded = call.keepalives.includes(KEEPALIVE.UP_NEEDED);
  if (out.late === 'OK' || out.inWindow === 'OK') s.changed('the key reset (--allow-reset): every credential, the PIN and the configuration removed');
  out.clientPinAfter = s.info.options.clientPin;
  if (witness?.value) out.witnessAfter = (await attempt(() => s.getAssertion({ credentialIds: [witness.value!.credentialId], up: false }))).status;
  return out;
}
