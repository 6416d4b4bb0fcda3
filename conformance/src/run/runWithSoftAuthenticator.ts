import type { SoftAuthenticator } from '../emulation/SoftAuthenticator.ts';
import { domErrorName } from '../emulation/SoftAuthenticator.ts';
import type { MetadataEntry } from '../mds/MetadataBlob.ts';
import type { RunEvidence } from '../checks/RunEvidence.ts';
import { userIdFor } from '../checks/ceremonyPlan.ts';
import type { Perform } from './runPlan.ts';
import { runOverCtap } from './runOverCtap.ts';

/** The software key as a performer: for a discoverable sign-in it picks the account the step names, as a person would. */
export function softKeyPerformer(key: SoftAuthenticator, origin: string): Perform {
  return async (step, options) => {
    try {
      if (step.kind === 'registration') return { response: await key.create(options, origin) };
      const choose = step.account ? [...key.credentials.values()].find((c) => Buffer.from(c.userHandle).toString('base64url') === userIdFor(step.account!)) : undefined;
      return { response: await key.get(options, origin, {}, choose ? Buffer.from(choose.id).toString('base64url') : undefined) };
    } catch (e) {
      return { error: { name: domErrorName(e), message: (e as Error).message } };
    }
  };
}

/**
 * The conformance run against a software authenticator in this process (no browser, no server):
 * what `check --emulate`, the fault matrix and the tests use. The key is a CTAP device, so the
 * run is exactly the one `check --ctap` performs on a USB key or a simulator (runOverCtap, over
 * an in-process transport): the ceremony plan through the WebAuthn client, then the CTAP
 * probes (`ctap: false` leaves them out), with the profile's PIN as the person's.
 */
export async function runWithSoftAuthenticator(key: SoftAuthenticator, o: { rpId: string; origin: string; label: string; mds?: { no: number; nextUpdate: string; entry?: MetadataEntry }; now?: () => Date; ctap?: boolean }): Promise<RunEvidence> {
  const device = await key.connectDevice();
  try {
    return await runOverCtap({
      device,
      transport: 'in-process',
      label: o.label,
      via: 'software',
      rp: { id: o.rpId, name: 'fido2-harness conformance' },
      origin: o.origin,
      pin: key.pinEntry,
      now: o.now,
      probes: o.ctap !== false,
      refuseUnverifiable: false,
      metadataFor: () => o.mds,
    });
  } finally {
    await device.close();
  }
}
