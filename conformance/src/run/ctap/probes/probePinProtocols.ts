import { PERMISSION } from '../../../ctap/constants.ts';
import type { PinProtocolsProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { PROBE_RP_ID, attempt, type CtapSession } from '../CtapSession.ts';

/**
 * PIN/UV auth protocols (CTAP 2.1 §6.5.6, §6.5.7): every protocol the key advertises must give a
 * token (by built-in UV, or the PIN the person gave), and the key must accept a request signed
 * with it (a getAssertion with pinUvAuthParam, answered with UV set; up = false, so no touch).
 */
export async function probePinProtocols(s: CtapSession, credentialId: Uint8Array): Promise<PinProtocolsProbe> {
  const protocols = s.protocols();
  if (!protocols.length) return { skipped: 'the key lists no PIN/UV auth protocol and has no client PIN', notApplicable: true };
  // the PIN when the person gave one (what Windows asks for on a PIN key), else built-in UV
  const first = s.verification(protocols[0], true);
  if (first.method === 'none') return { skipped: first.reason, notApplicable: false };
  if (first.method === 'uv-option') return { skipped: 'the key verifies users through the "uv" option only and issues no pinUvAuthToken', notApplicable: true };
  const out: PinProtocolsProbe = { method: first.method, protocols: [] };
  for (const protocol of protocols) {
    const t = await attempt(() => s.token(PERMISSION.mc | PERMISSION.ga, PROBE_RP_ID, protocol, true));
    const token = t.value?.token;
    if (!token) {
      out.protocols!.push({ protocol: protocol.version, token: t.status === 'OK' ? (t.value?.why ?? 'no token') : t.status });
      continue;
    }
    const used = await attempt(() => s.getAssertion({ credentialIds: [credentialId], verified: token, up: false }));
    out.protocols!.push({ protocol: protocol.version, token: 'OK', used: used.status, uvFlag: used.value ? (used.value.authData[32]! & 0x04) !== 0 : undefined });
  }
  return out;
}
