import crypto from 'node:crypto';
import { PERMISSION } from '../../../ctap/constants.ts';
import { pinUvAuthParam, type PinUvAuthToken } from '../../../ctap/ctap2/clientPin.ts';
import type { TokensProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { HARNESS_USER_PREFIX, PROBE_RP_ID, attempt, statusOf, type CtapSession } from '../CtapSession.ts';

/** Another RP ID, never the probes' own (a token bound to it must not serve the probes' RP). */
export const OTHER_RP_ID = 'other.fido2-harness.test';

/** The permissions and the getInfo option that says the key has what each is for (CTAP 2.1 §6.5.5.7). */
const FEATURE_OF: { permission: number; name: string; has: (o: Record<string, boolean | undefined>) => boolean }[] = [
  { permission: PERMISSION.be, name: 'be', has: (o) => o.bioEnroll !== undefined || o.userVerificationMgmtPreview !== undefined },
  { permission: PERMISSION.lbw, name: 'lbw', has: (o) => o.largeBlobs === true },
  { permission: PERMISSION.acfg, name: 'acfg', has: (o) => o.authnrCfg === true },
  { permission: PERMISSION.cm, name: 'cm', has: (o) => o.credMgmt === true || o.credentialMgmtPreview === true },
];

/**
 * What a pinUvAuthToken allows (CTAP 2.1 §6.5.2.1, §6.5.5.7; the FIDO ClientPin2
 * GetPinUvAuthTokenUsing{Pin,Uv}WithPermissions scripts): a token for getAssertion does not make
 * credentials, a token bound to another RP ID does not serve this one, a token is used up by the
 * operation that tested presence, a permission for a feature the key lacks is refused
 * (UNAUTHORIZED_PERMISSION), permissions 0 are refused (INVALID_PARAMETER). Non-discoverable
 * credentials only; one touch, more if the key wrongly processes a request.
 */
export async function probeTokens(s: CtapSession): Promise<TokensProbe> {
  const opts = s.info.options;
  const v = s.verification(undefined, true, PERMISSION.mc);
  if (v.method === 'pinToken' || v.method === 'uv-option') return { skipped: 'the key has no pinUvAuthToken with permissions (CTAP 2.0 tokens carry none)', notApplicable: true };
  if (v.method === 'none') return { skipped: v.reason };
  const mc = (t: PinUvAuthToken) => {
    const clientDataHash = new Uint8Array(crypto.randomBytes(32));
    return attempt(() => s.ctap2.makeCredential({
      clientDataHash,
      rp: { id: PROBE_RP_ID, name: 'fido2-harness CTAP probes' },
      user: { id: Uint8Array.from([...HARNESS_USER_PREFIX, ...crypto.randomBytes(8)]), name: 'probe-tokens', displayName: 'fido2-harness probe (tokens)' },
      pubKeyCredParams: [{ type: 'public-key', alg: s.probeAlgorithm }],
      pinUvAuthParam: pinUvAuthParam(t, clientDataHash),
      pinUvAuthProtocol: t.protocol.version,
    }, s.call()));
  };
  const token = async (permissions: number, rpId?: string) => {
    const t = await s.token(permissions, rpId, undefined, true);
    if (!t.token) throw new Error(t.why ?? 'no token');
    return t.token;
  };
  const out: TokensProbe = { method: v.method };
  out.gaTokenForMc = (await mc(await token(PERMISSION.ga, PROBE_RP_ID))).status;
  out.otherRpTokenForMc = (await mc(await token(PERMISSION.mc, OTHER_RP_ID))).status;
  const once = await token(PERMISSION.mc, PROBE_RP_ID);
  out.firstUse = (await mc(once)).status;
  out.secondUse = (await mc(once)).status;
  const missing = FEATURE_OF.find((f) => !f.has(opts as Record<string, boolean | undefined>));
  if (missing) out.lackingFeature = { permission: missing.name, status: await token(missing.permission, undefined).then(() => 'OK', statusOf) };
  out.zeroPermissions = await token(0, undefined).then(() => 'OK', statusOf);
  return out;
}
