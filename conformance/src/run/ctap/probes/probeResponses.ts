import crypto from 'node:crypto';
import { toBase64url } from '../../../encoding/base64url.ts';
import type { ResponsesProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { PROBE_RP_ID, attempt, type CtapSession } from '../CtapSession.ts';
import { PERMISSION } from '../../../ctap/constants.ts';

/**
 * The answers themselves (CTAP 2.3 §6.1 and §6.2 response members; the FIDO
 * MakeCredentialResponse and GetAssertionResp test groups): makeCredential answers for a plain
 * and a discoverable credential, and getAssertion answers without user verification (discoverable,
 * then with an allowList) and with it, each kept as the bytes the key sent with what was asked.
 * Two discoverable credentials on the probes' RP, removed at the end. Five touches.
 */
export async function probeResponses(s: CtapSession): Promise<ResponsesProbe> {
  const out: ResponsesProbe = { makeCredential: [], getAssertion: [] };
  const body = () => toBase64url(s.ctap2.lastBody ?? new Uint8Array());
  const plain = await attempt(() => s.makeCredential({ by: 'responses-plain' }));
  out.makeCredential!.push({ asked: 'a non-discoverable credential', rk: false, status: plain.status, ...(plain.value ? { body: body() } : {}) });
  if (s.info.options.rk !== true) return out;
  const made: Uint8Array[] = [];
  for (let i = 1; i <= 2; i++) {
    const r = await attempt(() => s.makeCredential({ by: `responses-${i}`, rk: true }));
    out.makeCredential!.push({ asked: 'a discoverable credential with user verification', rk: true, status: r.status, ...(r.value ? { body: body() } : {}) });
    if (r.value) made.push(r.value.credentialId);
  }
  if (made.length < 2) return out;
  // without user verification: the user's id only (§6.2.2); the count only without an allowList
  const discoverable = await attempt(() => s.getAssertion({}));
  out.getAssertion!.push({ asked: 'discoverable, without user verification', allowList: false, uv: false, status: discoverable.status, ...(discoverable.value ? { body: body() } : {}) });
  const listed = await attempt(() => s.getAssertion({ credentialIds: made }));
  out.getAssertion!.push({ asked: 'both credentials named in allowList, without user verification', allowList: true, uv: false, status: listed.status, ...(listed.value ? { body: body() } : {}) });
  const verified = await s.verified(PERMISSION.ga, PROBE_RP_ID);
  if (verified) {
    const v = await attempt(() => s.getAssertion({ verified, clientDataHash: new Uint8Array(crypto.randomBytes(32)) }));
    out.getAssertion!.push({ asked: 'discoverable, with user verification', allowList: false, uv: true, status: v.status, ...(v.value ? { body: body() } : {}) });
  }
  return out;
}
