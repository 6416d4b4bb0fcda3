import crypto from 'node:crypto';
import { PERMISSION } from '../../../ctap/constants.ts';
import { AuthenticatorConfig } from '../../../ctap/ctap2/config.ts';
import { pinUvAuthParam } from '../../../ctap/ctap2/clientPin.ts';
import type { EnterpriseProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { HARNESS_USER_PREFIX, PROBE_RP_ID, attempt, statusOf, type CtapSession } from '../CtapSession.ts';

/**
 * Enterprise attestation (CTAP 2.1 §6.1.2 step 9, §7.1; the FIDO EnterpriseAttestation script):
 * while disabled, a request for it is refused (CTAP1_ERR_INVALID_PARAMETER); enabled,
 * vendor-facilitated attestation (1) goes only to RP IDs the key's vendor listed, so the probes'
 * RP ID gets a plain attestation; platform-managed (2) is given; any other value is refused.
 * Enabling it lasts until a reset: only with --allow-reset (the run's reset then undoes it).
 */
export async function probeEnterprise(s: CtapSession): Promise<EnterpriseProbe> {
  if (s.info.options.ep === undefined) return { skipped: 'getInfo has no ep option: the key does not do enterprise attestation', notApplicable: true };
  const out: EnterpriseProbe = { enabledAtStart: s.info.options.ep === true };
  const mc = async (value: number) => {
    const t = await s.token(PERMISSION.mc, PROBE_RP_ID, undefined, true).catch(() => ({ token: undefined }));
    const clientDataHash = new Uint8Array(crypto.randomBytes(32));
    const r = await attempt(() => s.ctap2.makeCredential({
      clientDataHash,
      rp: { id: PROBE_RP_ID, name: 'fido2-harness CTAP probes' },
      user: { id: Uint8Array.from([...HARNESS_USER_PREFIX, ...crypto.randomBytes(8)]), name: 'probe-ep', displayName: 'fido2-harness probe (enterprise attestation)' },
      pubKeyCredParams: [{ type: 'public-key', alg: s.probeAlgorithm }],
      enterpriseAttestation: value,
      ...(t.token ? { pinUvAuthParam: pinUvAuthParam(t.token, clientDataHash), pinUvAuthProtocol: t.token.protocol.version } : {}),
    }, s.call()));
    return { status: r.status, ...(r.value ? { epAtt: r.value.epAtt === true } : {}) };
  };
  if (s.info.options.ep === false) {
    out.whileDisabled = (await mc(1)).status;
    const gate = s.gate('--allow-reset', 'enabling enterprise attestation to test it lasts until a reset');
    if (gate) return { ...out, ...gate };
    const t = await s.token(PERMISSION.acfg, undefined, undefined, true);
    if (!t.token) return { ...out, skipped: `enabling enterprise attestation needs a token with acfg: ${t.why ?? 'none could be had'}` };
    out.enable = await new AuthenticatorConfig(s.ctap2, t.token).enableEnterpriseAttestation(s.call()).then(() => 'OK', statusOf);
    if (out.enable !== 'OK') return out;
    s.changed('enterprise attestation enabled (only a reset disables it again)');
  }
  out.vendorFacilitated = await mc(1);
  out.platformManaged = await mc(2);
  out.otherValue = (await mc(3)).status;
  return out;
}
