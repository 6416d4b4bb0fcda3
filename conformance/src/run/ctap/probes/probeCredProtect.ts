import { CRED_PROTECT, PERMISSION } from '../../../ctap/constants.ts';
import { CtapError } from '../../../ctap/CtapError.ts';
import { credProtect } from '../../../ctap/ctap2/extensions/credProtect.ts';
import { parseAuthenticatorData } from '../../../webauthn/parseAuthenticatorData.ts';
import type { CredProtectProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { PROBE_RP_ID, attempt, statusOf, type CtapSession } from '../CtapSession.ts';

/**
 * credProtect enforced (CTAP 2.1 §12.1): a level-3 credential (userVerificationRequired) is not
 * usable without UV even when named; a level-2 one (…OptionalWithCredentialIDList) is usable
 * when named but not discoverable without UV. Two discoverable credentials on the probes' RP,
 * removed at the end.
 */
export async function probeCredProtect(s: CtapSession): Promise<CredProtectProbe> {
  if (!credProtect.supported(s.info)) return { skipped: 'getInfo does not list credProtect', notApplicable: true };
  if (s.info.options.rk !== true) return { skipped: 'the key stores no discoverable credentials, which credProtect levels 2 and 3 are about', notApplicable: true };
  const made = async (level: number) => {
    const r = await s.makeCredential({ by: `credProtect-${level}`, rk: true, extensions: new Map([[credProtect.name, credProtect.createInput(level)]]) });
    return { id: r.credentialId, output: credProtect.applied(parseAuthenticatorData(r.authData, { allowTrailing: true }).extensions) };
  };
  const l3 = await made(CRED_PROTECT.userVerificationRequired);
  const l2 = await made(CRED_PROTECT.userVerificationOptionalWithCredentialIDList);
  const out: CredProtectProbe = { created: [{ level: 3, output: l3.output }, { level: 2, output: l2.output }] };
  // up = false (a pre-flight, CTAP 2.1 §6.2.2): which credentials the key offers does not need a touch
  out.level3WithoutUv = (await attempt(() => s.getAssertion({ credentialIds: [l3.id], up: false }))).status;
  out.level2WithAllowList = (await attempt(() => s.getAssertion({ credentialIds: [l2.id], up: false }))).status;
  const same = (a: Uint8Array | undefined, b: Uint8Array) => !!a && Buffer.from(a).equals(Buffer.from(b));
  try {
    const first = await s.getAssertion({ up: false });
    const all = [first];
    for (let i = 1; i < (first.numberOfCredentials ?? 1); i++) all.push(await s.ctap2.getNextAssertion(s.call()));
    out.discoverableWithoutUv = { status: 'OK', offered: all.map((a) => (same(a.credential?.id, l3.id) ? 'level3' : same(a.credential?.id, l2.id) ? 'level2' : 'other')) };
  } catch (e) {
    out.discoverableWithoutUv = { status: statusOf(e), offered: [] };
    if (!(e instanceof CtapError)) throw e;
  }
  const t = await s.token(PERMISSION.ga, PROBE_RP_ID).catch(() => ({ token: undefined, uvOption: false }));
  const uv = t.token ?? (t.uvOption ? 'uv-option' : undefined);
  if (uv) out.level3WithUv = (await attempt(() => s.getAssertion({ credentialIds: [l3.id], verified: uv, up: false }))).status;
  return out;
}
