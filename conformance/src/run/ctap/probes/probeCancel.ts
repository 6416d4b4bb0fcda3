import { KEEPALIVE } from '../../../ctap/constants.ts';
import { CANCEL_WAIT_MS, type CancelProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { attempt, type CtapSession } from '../CtapSession.ts';

/** A success this soon after the CANCEL went out may be a touch that crossed it on the way: asked again. */
export const RACE_MS = 5;

/**
 * CTAPHID_CANCEL while the key waits for a touch (CTAP 2.1 §11.2.9.1.5): the pending
 * makeCredential must end at once with CTAP2_ERR_KEEPALIVE_CANCEL. The CANCEL goes out on the
 * first KEEPALIVE UP_NEEDED (or 50 ms after the request, for a key that sends none). A success
 * may be a touch that crossed the CANCEL on the way, so it is asked again, up to three times:
 * three successes, one of them more than RACE_MS after the CANCEL, mean the key went on
 * regardless (all within RACE_MS: someone is touching it); no answer within CANCEL_WAIT_MS
 * means it is still waiting (the channel is then resynchronised with INIT). The person is not
 * asked to touch: leaving the blinking key alone is the test. Nothing is created when the cancel
 * works; a credential made anyway is not discoverable, so it leaves nothing on the key.
 */
export async function probeCancel(s: CtapSession): Promise<CancelProbe> {
  if (s.device.connection.kind === 'nfc') return { skipped: 'over NFC the tap is the presence: nothing waits for a touch that a cancel could end', notApplicable: true };
  let sawUpNeeded = false;
  let allRaces = true;
  for (let tries = 1; tries <= 3; tries++) {
    const abort = new AbortController();
    let cancelledAt = 0;
    const cancel = () => {
      if (!cancelledAt) {
        cancelledAt = performance.now();
        abort.abort();
      }
    };
    const timer = setTimeout(cancel, 50);
    const call = s.call({
      signal: abort.signal,
      userPresenceTimeoutMs: CANCEL_WAIT_MS,
      onKeepalive: (k) => {
        if (k === KEEPALIVE.UP_NEEDED) {
          sawUpNeeded = true;
          cancel();
        }
      },
    }, { prompt: false });
    const r = await attempt(() => s.makeCredential({ by: 'cancel' }, call));
    clearTimeout(timer);
    const msAfterCancel = cancelledAt ? Math.round(performance.now() - cancelledAt) : undefined;
    if (r.status.startsWith('DEVICE_TIMEOUT')) {
      await s.device.hid?.resync().catch(() => {});
      return { status: r.status, sawUpNeeded, stillWaiting: true, msAfterCancel, tries };
    }
    if (r.status !== 'OK') return { status: r.status, sawUpNeeded, msAfterCancel, tries };
    if ((msAfterCancel ?? 0) > RACE_MS) allRaces = false;
    if (tries === 3) return { status: r.status, sawUpNeeded, touchedFirst: allRaces || undefined, msAfterCancel, tries };
  }
  return {};
}
