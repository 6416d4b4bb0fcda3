import crypto from 'node:crypto';
import { toBase64url } from '../../../encoding/base64url.ts';
import { PERMISSION } from '../../../ctap/constants.ts';
import type { PinUvAuthToken } from '../../../ctap/ctap2/clientPin.ts';
import { hmacSecret } from '../../../ctap/ctap2/extensions/hmacSecret.ts';
import type { PinUvAuthProtocol } from '../../../ctap/ctap2/pinProtocol.ts';
import { parseAuthenticatorData } from '../../../webauthn/parseAuthenticatorData.ts';
import type { HmacOutput, HmacSecretProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { PROBE_RP_ID, statusOf, type CtapSession } from '../CtapSession.ts';

const SALT_1 = new Uint8Array(crypto.createHash('sha256').update('fido2-harness hmac-secret salt 1').digest());
const SALT_2 = new Uint8Array(crypto.createHash('sha256').update('fido2-harness hmac-secret salt 2').digest());

/** One getAssertion with hmac-secret (CTAP 2.3 §12.7): salts sent and outputs read by the hmac-secret extension's own code. */
async function evaluate(s: CtapSession, protocol: PinUvAuthProtocol, credentialId: Uint8Array, salts: Uint8Array[], verified?: PinUvAuthToken | 'uv-option'): Promise<HmacOutput> {
  try {
    const session = await hmacSecret.session(s.ctap2, protocol, s.call());
    const a = await s.getAssertion({ credentialIds: [credentialId], extensions: new Map([[hmacSecret.name, hmacSecret.input(session, salts)]]), verified });
    const out = parseAuthenticatorData(a.authData, { allowTrailing: true }).extensions?.get(hmacSecret.name);
    if (!(out instanceof Uint8Array)) return { status: 'OK' };
    const plain = hmacSecret.outputs(session, out);
    if (!plain) return { status: 'OK', length: out.length, first: undefined, second: 'undecryptable, or not one or two 32-byte outputs' };
    return { status: 'OK', length: out.length, first: toBase64url(plain.output1), ...(plain.output2 ? { second: toBase64url(plain.output2) } : {}) };
  } catch (e) {
    return { status: statusOf(e) };
  }
}

/**
 * hmac-secret at the CTAP level, as Windows uses it (CTAP 2.1 §12.5), for every PIN/UV auth
 * protocol the key lists: outputs present and stable per (credential, salt), different across
 * the two salts of one request, across credentials, and with vs without user verification (the
 * key keeps two CredRandom values). The credentials are not discoverable: nothing stays on the key.
 */
export async function probeHmacSecret(s: CtapSession, credentialA: Uint8Array): Promise<HmacSecretProbe> {
  if (!hmacSecret.supported(s.info)) return { skipped: 'getInfo does not list hmac-secret', notApplicable: true };
  const protocols = s.protocols();
  if (!protocols.length) return { skipped: 'the key lists no PIN/UV auth protocol, and hmac-secret needs one for its key agreement' };
  const b = await s.makeCredential({ by: 'hmac-secret-b', extensions: new Map([[hmacSecret.name, hmacSecret.createInput()]]) });
  const out: HmacSecretProbe = { perProtocol: [] };
  for (const protocol of protocols) {
    const row: NonNullable<HmacSecretProbe['perProtocol']>[number] = { protocol: protocol.version };
    row.a1 = await evaluate(s, protocol, credentialA, [SALT_1]);
    row.a1Again = await evaluate(s, protocol, credentialA, [SALT_1]);
    row.a12 = await evaluate(s, protocol, credentialA, [SALT_1, SALT_2]);
    row.b1 = await evaluate(s, protocol, b.credentialId, [SALT_1]);
    const t = await s.token(PERMISSION.ga, PROBE_RP_ID, protocol).catch((e) => ({ why: statusOf(e), token: undefined, uvOption: false }));
    const verified = t.token ?? (t.uvOption ? 'uv-option' : undefined);
    if (verified) row.a1Uv = await evaluate(s, protocol, credentialA, [SALT_1], verified);
    else out.uvSkipped = t.why;
    out.perProtocol!.push(row);
  }
  // an input without saltAuth: CTAP2_ERR_MISSING_PARAMETER (§12.7), not an output nor another error
  try {
    const session = await hmacSecret.session(s.ctap2, protocols[0]!, s.call());
    const input = hmacSecret.input(session, [SALT_1]);
    input.delete(3);
    out.missingSaltAuth = await s.getAssertion({ credentialIds: [credentialA], extensions: new Map([[hmacSecret.name, input]]) }).then(() => 'OK', statusOf);
  } catch (e) {
    out.missingSaltAuth = statusOf(e);
  }
  return out;
}
