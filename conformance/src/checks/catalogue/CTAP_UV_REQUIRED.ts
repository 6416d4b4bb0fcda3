import { defineCheck, notApplicable, skip } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapInfo, ctapProbe, verdict } from './ctapHelpers.ts';
import { PROTECTION_CASES } from '../ctap/requestCases.ts';

export const CTAP_UV_REQUIRED = defineCheck({
  id: 'CTAP_UV_REQUIRED',
  title: 'A key protected by a PIN or built-in UV makes no discoverable credential without user verification',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §6.1.2 steps 7-8 (a protected authenticator: "rk" or no makeCredUvNotRqd without pinUvAuthParam or "uv" is refused with CTAP2_ERR_PUAT_REQUIRED, or CTAP2_ERR_OPERATION_DENIED when the PIN may not serve); WebAuthn L3 §6.1 (what a discoverable credential protects)`,
  covers: ['Authr-MakeCred-Req-6', 'ResidentKey'],
  needs: 'the requests probe',
  fix: 'On a key with a PIN set or built-in UV configured, refuse makeCredential with rk (and, without makeCredUvNotRqd, any makeCredential) that carries neither a pinUvAuthParam nor the uv option: CTAP2_ERR_PUAT_REQUIRED, or CTAP2_ERR_OPERATION_DENIED where the PIN cannot be used.',
  evaluate(ctx) {
    const info = ctapInfo(ctx);
    if (isResult(info)) return info;
    const p = ctapProbe(ctx, 'requests');
    if (isResult(p)) return p;
    if (info.options.clientPin !== true && info.options.uv !== true) return notApplicable('the key has no PIN set and no built-in user verification configured: nothing protects it yet');
    const cases = p.cases ?? {};
    if (!cases['mc.rkWithoutUv']) return skip('this run has no record of a credential asked for without verification (a run made before this check)');
    const problems: string[] = [];
    for (const id of ['mc.rkWithoutUv', 'mc.withoutUv'] as const) {
      const r = cases[id];
      if (!r) continue;
      const got = bare(r.status);
      if (got !== 'CTAP2_ERR_PUAT_REQUIRED' && got !== 'CTAP2_ERR_OPERATION_DENIED') problems.push(`${PROTECTION_CASES[id].what}: ${got === 'OK' ? 'made' : got} (CTAP2_ERR_PUAT_REQUIRED or CTAP2_ERR_OPERATION_DENIED expected; ${PROTECTION_CASES[id].clause})`);
    }
    return verdict(problems, { what: 'the protected key makes credentials without user verification', expected: 'CTAP2_ERR_PUAT_REQUIRED (or OPERATION_DENIED)', ok: 'credentials asked for without verification were refused', evidence: ['ctap:requests'] });
  },
});
