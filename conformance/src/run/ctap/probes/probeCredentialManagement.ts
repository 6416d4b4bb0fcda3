import crypto from 'node:crypto';
import { PERMISSION } from '../../../ctap/constants.ts';
import { CredentialManagement } from '../../../ctap/ctap2/credentialManagement.ts';
import { fromBase64url, toBase64url } from '../../../encoding/base64url.ts';
import type { CredentialManagementProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { PROBE_RP_ID, attempt, statusOf, type CtapSession } from '../CtapSession.ts';
import { RENAMED_TEXT as RENAMED } from '../../../checks/catalogue/CTAP_CREDENTIAL_MANAGEMENT.ts';

const rpHash = (id: string) => new Uint8Array(crypto.createHash('sha256').update(id).digest());

/**
 * Credential management (CTAP 2.1 §6.8), what Windows Settings uses to list and delete a key's
 * passkeys: the counts agree with what enumeration finds, both accounts the plan registered on
 * one RP are listed, and deleting one of the harness's own credentials removes it (and only it).
 * Other sites on the key are counted, never named in the evidence.
 */
export async function probeCredentialManagement(s: CtapSession, expectedForRun: string[]): Promise<CredentialManagementProbe> {
  if (!CredentialManagement.supported(s.info)) return { skipped: 'getInfo lists neither credMgmt nor credentialMgmtPreview', notApplicable: true };
  const t = await s.token(PERMISSION.cm, undefined).catch((e) => ({ why: statusOf(e), token: undefined }));
  if (!t.token) return { skipped: `no token with the credential-management permission: ${t.why ?? 'the key issues no pinUvAuthToken'}` };
  const cm = new CredentialManagement(s.ctap2, t.token, s.info);
  const call = s.call();
  const out: CredentialManagementProbe = { expectedForRun };
  out.metadata = await cm.metadata(call);
  let total = 0;
  for (const rp of await cm.rps(call)) total += (await cm.credentials(rp.rpIdHash, call)).length;
  out.enumeratedTotal = total;
  out.listedForRun = (await cm.credentials(rpHash(s.o.runRpId), call)).map((c) => toBase64url(c.credentialId));
  // rename one of the probes' own credentials (updateUserInformation), then look again
  const own = (await cm.credentials(rpHash(PROBE_RP_ID), call)).filter((c) => s.changes.created.some((x) => x.credentialId === toBase64url(c.credentialId)));
  const renamed = own[own.length - 1];
  if (renamed) {
    const u = await attempt(() => cm.updateUser(renamed.credentialId, { id: renamed.user.id, name: RENAMED, displayName: RENAMED }, call));
    const seen = (await cm.credentials(rpHash(PROBE_RP_ID), call)).find((c) => Buffer.from(c.credentialId).equals(Buffer.from(renamed.credentialId)));
    out.update = { status: u.status, nameAfter: seen?.user.name, displayNameAfter: seen?.user.displayName };
  }
  // delete one of the probes' own credentials, then look again
  const victim = s.changes.created.find((c) => c.rpId === PROBE_RP_ID && !s.changes.deleted.some((d) => d.credentialId === c.credentialId));
  if (victim) {
    const d = await attempt(() => cm.delete(fromBase64url(victim.credentialId, 'credential'), call));
    if (d.status === 'OK') s.changes.deleted.push(victim);
    const after = (await cm.credentials(rpHash(PROBE_RP_ID), call)).map((c) => toBase64url(c.credentialId));
    out.delete = { status: d.status, listedAfter: after.includes(victim.credentialId), existingAfter: (await cm.metadata(call)).existing };
  }
  return out;
}
