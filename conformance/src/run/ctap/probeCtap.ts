import { toBase64url } from '../../encoding/base64url.ts';
import { hmacSecret } from '../../ctap/ctap2/extensions/hmacSecret.ts';
import { HarnessError } from '../../errors/HarnessError.ts';
import { CTAP_PROBES, type CtapEvidence, type CtapProbeName } from '../../checks/ctap/CtapEvidence.ts';
import { statusOf, type CtapSession } from './CtapSession.ts';
import { probeHid } from './probes/probeHid.ts';
import { probeNfc } from './probes/probeNfc.ts';
import { probeOtherInterface } from './probes/probeOtherInterface.ts';
import { probeUserPresence } from './probes/probeUserPresence.ts';
import { probeCancel } from './probes/probeCancel.ts';
import { probeErrors } from './probes/probeErrors.ts';
import { probeRequests } from './probes/probeRequests.ts';
import { probeResponses } from './probes/probeResponses.ts';
import { probeTokens } from './probes/probeTokens.ts';
import { probePersistentToken } from './probes/probePersistentToken.ts';
import { probeCredentialExtensions } from './probes/probeCredentialExtensions.ts';
import { probePowerCycle } from './probes/probePowerCycle.ts';
import { probePinBlocking } from './probes/probePinBlocking.ts';
import { probePinPolicy } from './probes/probePinPolicy.ts';
import { probeConfig } from './probes/probeConfig.ts';
import { probeBioEnrollment, probeBioInfo } from './probes/probeBio.ts';
import { probeLargeBlobExtension, probeLargeBlobs } from './probes/probeLargeBlobs.ts';
import { probeEnterprise } from './probes/probeEnterprise.ts';
import { probePinProtocols } from './probes/probePinProtocols.ts';
import { probeWrongPin } from './probes/probeWrongPin.ts';
import { probeExtensions } from './probes/probeExtensions.ts';
import { probeHmacSecret } from './probes/probeHmacSecret.ts';
import { probeCredProtect } from './probes/probeCredProtect.ts';
import { probeExcludeList } from './probes/probeExcludeList.ts';
import { probeCredentialManagement } from './probes/probeCredentialManagement.ts';
import { probeU2f } from './probes/probeU2f.ts';

/** An error that means the key is gone (unplugged, the simulator stopped), not that it answered badly. */
export function keyStoppedAnswering(e: unknown): boolean {
  return e instanceof HarnessError && (e.code === 'DEVICE_TIMEOUT' || e.code === 'DEVICE_UNREACHABLE' || e.code === 'DEVICE_NOT_FOUND');
}

/** The evidence a session starts with: how the key was reached and what it said about itself. */
export function startEvidence(s: CtapSession, transport: string): CtapEvidence {
  const h = s.device.hid?.info;
  return { transport, ...(h ? { hid: { protocolVersion: h.protocolVersion, deviceVersion: h.deviceVersion, capabilities: h.capabilities } } : {}), getInfo: toBase64url(s.info.raw), pinGiven: s.pinGiven, probes: s.pinSetup ? { pinSetup: s.pinSetup } : {}, changes: s.changes };
}

/**
 * The probes the `ctap` checks judge, in order, each recorded as it ends (a probe that breaks off
 * keeps its error and the others still run). A key that stops answering ends the probing:
 * `brokenOff` says where, and what ran is kept. `planCredentials`: the run's two discoverable
 * accounts, for credential management.
 */
export async function probeCtap(s: CtapSession, ev: CtapEvidence, o: { planCredentials: string[]; onProbe?: (name: CtapProbeName) => void }): Promise<CtapEvidence> {
  let credentialA: Uint8Array | undefined;
  const needsA = async () => {
    if (!credentialA) {
      const a = await s.makeCredential({ by: 'credential-a', extensions: hmacSecret.supported(s.info) ? new Map([[hmacSecret.name, hmacSecret.createInput()]]) : undefined });
      credentialA = a.credentialId;
      ev.probeAuthData = toBase64url(a.authData);
    }
    return credentialA;
  };
  // pinSetup ran in prepareKey (it is how --set-pin sets the PIN), before the evidence began; the
  // reset runs after the cleanup, as the run's last act (runOverCtap)
  const steps: { [K in Exclude<CtapProbeName, 'pinSetup' | 'reset'>]: () => Promise<NonNullable<CtapEvidence['probes'][K]>> } = {
    hid: () => probeHid(s),
    nfc: () => probeNfc(s),
    otherInterface: async () => (s.o.otherInterface ? probeOtherInterface(s, s.o.otherInterface, await needsA(), ev) : { skipped: 'no other interface of the key given (--other-interface: the same key over USB beside NFC)', notApplicable: true }),
    userPresence: async () => probeUserPresence(s, await needsA()),
    cancel: () => probeCancel(s),
    errors: () => probeErrors(s),
    requests: async () => probeRequests(s, await needsA()),
    responses: () => probeResponses(s),
    tokens: () => probeTokens(s),
    persistentToken: () => probePersistentToken(s),
    credentialExtensions: () => probeCredentialExtensions(s),
    powerCycle: async () => probePowerCycle(s, await needsA()),
    pinBlocking: () => probePinBlocking(s),
    pinPolicy: () => probePinPolicy(s),
    config: () => probeConfig(s),
    bioInfo: () => probeBioInfo(s),
    bioEnrollment: () => probeBioEnrollment(s),
    largeBlobs: () => probeLargeBlobs(s),
    largeBlobExtension: () => probeLargeBlobExtension(s),
    enterprise: () => probeEnterprise(s),
    pinProtocols: async () => probePinProtocols(s, await needsA()),
    wrongPin: () => probeWrongPin(s),
    extensions: () => probeExtensions(s),
    hmacSecret: async () => probeHmacSecret(s, await needsA()),
    credProtect: () => probeCredProtect(s),
    excludeList: async () => probeExcludeList(s, await needsA()),
    credentialManagement: () => probeCredentialManagement(s, o.planCredentials),
    // the CTAP2 credential that crosses to U2F must be ES256 (CTAP 2.1 §11): credential A when the key makes those, else one of its own when it lists ES256
    u2f: async () => probeU2f(s, s.probeAlgorithm === -7 ? await needsA() : s.info.algorithms.some((a) => a.alg === -7) ? (await s.makeCredential({ by: 'u2f', alg: -7 })).credentialId : undefined),
  };
  for (const name of CTAP_PROBES) {
    if (name === 'pinSetup' || name === 'reset') continue;
    o.onProbe?.(name);
    try {
      (ev.probes as Record<string, unknown>)[name] = await steps[name]();
    } catch (e) {
      (ev.probes as Record<string, unknown>)[name] = { error: statusOf(e) };
      if (keyStoppedAnswering(e)) {
        ev.brokenOff = `the key stopped answering during the ${name} probe: ${(e as Error).message}`;
        break;
      }
    }
  }
  return ev;
}
