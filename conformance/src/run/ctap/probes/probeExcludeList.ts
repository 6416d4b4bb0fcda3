import type { ExcludeListProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { attempt, type CtapSession } from '../CtapSession.ts';
import { KEEPALIVE, PERMISSION } from '../../../ctap/constants.ts';

/**
 * excludeList (CTAP 2.1 §6.1.2 step 7): a makeCredential naming a credential the key already
 * holds for this RP must end with CTAP2_ERR_CREDENTIAL_EXCLUDED (after a touch, so a site cannot
 * probe silently) and create nothing. What keeps a second registration of the same key from
 * happening on Windows and in every RP.
 */
export async function probeExcludeList(s: CtapSession, existing: Uint8Array): Promise<ExcludeListProbe> {
  const call = s.call();
  // the touch may come with the token when the token came from built-in UV (its userPresent flag)
  const v = s.verification(undefined, true, PERMISSION.mc);
  const r = await attempt(() => s.makeCredential({ by: 'excludeList', excludeList: [{ type: 'public-key', id: existing }] }, call));
  return { status: r.status, upNeeded: call.keepalives.includes(KEEPALIVE.UP_NEEDED), verifiedBy: v.method === 'none' ? 'none' : v.method };
}
