import type { SoftAuthenticator } from '../emulation/SoftAuthenticator.ts';
import { domErrorName } from '../emulation/SoftAuthenticator.ts';
import type { MetadataEntry } from '../mds/MetadataBlob.ts';
import type { RunEvidence } from './RunEvidence.ts';
import { userIdFor } from './ceremonyPlan.ts';
import { runPlan, type Perform } from './runPlan.ts';

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
 * Performs the ceremony plan against a software authenticator in this process (no browser,
 * no server): what `check --emulate` and the tests use. The evidence is the same shape the
 * browser runs produce.
 */
export async function runWithSoftAuthenticator(key: SoftAuthenticator, o: { rpId: string; origin: string; label: string; mds?: { no: number; nextUpdate: string; entry?: MetadataEntry }; now?: () => Date }): Promise<RunEvidence> {
  const run = await runPlan({ rp: { id: o.rpId, name: 'fido2-harness conformance' }, origin: o.origin, subject: { label: o.label, via: 'software' }, now: o.now, perform: softKeyPerformer(key, o.origin) });
  run.mds = o.mds;
  return run;
}
