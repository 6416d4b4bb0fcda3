import type { SoftAuthenticator } from '../emulation/SoftAuthenticator.ts';
import type { CtapDevice } from '../ctap/CtapDevice.ts';
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
export interface SoftRunOptions {
  rpId: string;
  origin: string;
  label: string;
  mds?: { no: number; nextUpdate: string; entry?: MetadataEntry };
  now?: () => Date;
  ctap?: boolean;
  /** the destructive groups (default: on: the emulated key exists for this run only) */
  destructive?: boolean;
  /** authenticatorReset at the end (default off: it waits out the reset window) */
  allowReset?: boolean;
  /**
   * the PIN the emulated person sets up when the key supports one and has none (default
   * EMULATED_PIN; false: leave the key without a PIN, as a person who declines would)
   */
  setPin?: string | false;
  /** how long after power-up the key refuses reset (its profile's window; the reset probe waits it out) */
  resetWindowMs?: number;
  /** how long silence is waited for (a key in this process answers at once) */
  quietMs?: number;
  /** the key reached another way than in this process (the fault matrix over UDP); closed by the caller */
  device?: CtapDevice;
  /** the same key over its other interface (USB beside NFC); closed by the caller */
  otherInterface?: { device: CtapDevice; transport: string };
}

/** The PIN the emulated person sets on a key that has none (not trivial: it passes any complexity policy). */
export const EMULATED_PIN = '518263';

export async function runWithSoftAuthenticator(key: SoftAuthenticator, o: SoftRunOptions): Promise<RunEvidence> {
  // a key that supports a PIN and has none: the emulated person sets one up, as Windows asks them to
  const noPinYet = key.device.features.pinSupported && !key.device.pinIsSet;
  const setPin = o.setPin === false || !noPinYet ? undefined : (o.setPin ?? EMULATED_PIN);
  if (setPin) key.pinEntry = setPin;
  const device = o.device ?? (await key.connectDevice());
  try {
    return await runOverCtap({
      device,
      transport: 'in-process',
      label: o.label,
      via: 'software',
      rp: { id: o.rpId, name: 'fido2-harness conformance' },
      origin: o.origin,
      pin: key.pinEntry,
      setPin: !!setPin,
      destructive: o.destructive ?? true,
      allowReset: o.allowReset ?? false,
      resetWindowMs: o.resetWindowMs ?? key.device.features.resetWindowMs,
      quietMs: o.quietMs ?? (o.device ? undefined : 50),
      now: o.now,
      probes: o.ctap !== false,
      refuseUnverifiable: false,
      metadataFor: () => o.mds,
      otherInterface: o.otherInterface,
    });
  } finally {
    if (!o.device) await device.close();
  }
}
