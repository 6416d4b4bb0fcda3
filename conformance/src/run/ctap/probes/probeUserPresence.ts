import { KEEPALIVE } from '../../../ctap/constants.ts';
import type { UserPresenceProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { attempt, type CtapSession } from '../CtapSession.ts';

/**
 * User presence (CTAP 2.1 §6.2.2 "up", §11.2.9.2.1 KEEPALIVE): while the key waits for a touch it
 * says so with KEEPALIVE UP_NEEDED (what lets a platform say "touch the key now"), the UP flag is
 * set after the touch, and a silent getAssertion (up = false) comes back without it.
 */
export async function probeUserPresence(s: CtapSession, credentialId: Uint8Array): Promise<UserPresenceProbe> {
  const call = s.call();
  const touched = await attempt(() => s.getAssertion({ credentialIds: [credentialId] }, call));
  const silent = await attempt(() => s.getAssertion({ credentialIds: [credentialId], up: false }));
  const up = (a?: { authData: Uint8Array }) => !!a && a.authData.length > 32 && (a.authData[32]! & 0x01) !== 0;
  return {
    touched: { keepalives: call.keepalives.filter((k) => k === KEEPALIVE.UP_NEEDED || k === KEEPALIVE.PROCESSING), up: up(touched.value), status: touched.status },
    silent: { up: up(silent.value), status: silent.status },
    ...(s.device.connection.kind === 'nfc' ? { overNfc: true } : {}),
  };
}
