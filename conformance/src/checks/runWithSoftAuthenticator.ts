import crypto from 'node:crypto';
import type { SoftAuthenticator } from '../emulation/SoftAuthenticator.ts';
import type { MetadataEntry } from '../mds/MetadataBlob.ts';
import type { RunEvidence } from './RunEvidence.ts';
import { CEREMONY_PLAN, optionsFor, userIdFor, type Account } from './ceremonyPlan.ts';

/**
 * Performs the ceremony plan against a software authenticator in this process (no browser,
 * no server): what `check --emulate` and the tests use. The evidence is the same shape the
 * browser runs produce.
 */
export function runWithSoftAuthenticator(key: SoftAuthenticator, o: { rpId: string; origin: string; label: string; mds?: { no: number; nextUpdate: string; entry?: MetadataEntry }; now?: () => Date }): RunEvidence {
  const now = o.now ?? (() => new Date());
  const run: RunEvidence = { schemaVersion: 1, id: crypto.randomUUID(), startedAt: now().toISOString(), subject: { label: o.label, via: 'software' }, rpId: o.rpId, origin: o.origin, ceremonies: [], mds: o.mds };
  const credentials: Partial<Record<Account, string>> = {};
  for (const step of CEREMONY_PLAN) {
    const options = optionsFor(step, { id: o.rpId, name: 'fido2-harness conformance' }, credentials);
    try {
      let response: Record<string, any>;
      if (step.kind === 'registration') {
        response = key.create(options, o.origin);
        credentials[step.account!] = response.id;
      } else {
        // a discoverable sign-in: the person picks the account in the browser's chooser
        const choose = step.account ? [...key.credentials.values()].find((c) => Buffer.from(c.userHandle).toString('base64url') === userIdFor(step.account!)) : undefined;
        response = key.get(options, o.origin, {}, choose ? Buffer.from(choose.id).toString('base64url') : undefined);
      }
      run.ceremonies.push({ step: step.step, kind: step.kind, options, response, at: now().toISOString() });
    } catch (e) {
      // the software key names the DOMException a browser would raise
      const message = (e as Error).message;
      run.ceremonies.push({ step: step.step, kind: step.kind, options, error: { name: /\((\w+Error) in a browser\)/.exec(message)?.[1] ?? 'NotAllowedError', message }, at: now().toISOString() });
    }
  }
  run.finishedAt = now().toISOString();
  return run;
}
