import { defineCheck, fail, pass, type CheckResult } from '../Check.ts';
import type { HmacOutput } from '../ctap/CtapEvidence.ts';
import { isResult, WINDOWS } from './helpers.ts';
import { CTAP21, bare, ctapProbe } from './ctapHelpers.ts';

const what = (o: HmacOutput | undefined) => (!o ? 'not asked' : o.status !== 'OK' ? bare(o.status) : o.first ? 'an output' : 'no hmac-secret output');

export const CTAP_HMAC_SECRET = defineCheck({
  id: 'CTAP_HMAC_SECRET',
  title: 'hmac-secret over CTAP: one and two salts, every PIN protocol, stable, distinct across salts, credentials and UV',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §12.5 (hmac-secret: saltEnc/saltAuth, two salts, CredRandomWithUV and CredRandomWithoutUV); ${WINDOWS}: hmac-secret`,
  covers: ['hmacSecret', 'hmacSecret2'],
  needs: 'the hmacSecret probe',
  fix: 'Keep two 32-byte CredRandom values per credential (with and without UV), answer HMAC-SHA-256(CredRandom, salt) for each salt sent (one or two), encrypted with the shared secret of the PIN protocol the request names (member 4, default 1).',
  evaluate(ctx): CheckResult {
    const p = ctapProbe(ctx, 'hmacSecret');
    if (isResult(p)) return p;
    const problems: string[] = [];
    const firstOf: Record<number, string | undefined> = {};
    for (const r of p.perProtocol ?? []) {
      const at = `protocol ${r.protocol}`;
      const missing = (['a1', 'a1Again', 'a12', 'b1'] as const).filter((k) => !r[k]?.first);
      if (missing.length) {
        problems.push(`${at}: ${missing.map((k) => `${k} ${what(r[k])}`).join(', ')}`);
        continue;
      }
      if (r.a1!.first !== r.a1Again!.first) problems.push(`${at}: the same salt gave two outputs`);
      if (r.a12!.first !== r.a1!.first) problems.push(`${at}: salt 1 gave another output when sent with a second salt`);
      if (!r.a12!.second) problems.push(`${at}: two salts sent, one output back`);
      else if (r.a12!.second === r.a12!.first) problems.push(`${at}: the second salt's output equals the first's (the second salt ignored)`);
      if (r.b1!.first === r.a1!.first) problems.push(`${at}: two credentials gave the same output for one salt`);
      if (r.a1Uv) {
        if (!r.a1Uv.first) problems.push(`${at}: with UV, ${what(r.a1Uv)}`);
        else if (r.a1Uv.first === r.a1!.first) problems.push(`${at}: the same output with and without UV (one CredRandom for both)`);
      }
      firstOf[r.protocol] = r.a1!.first;
    }
    const outs = Object.values(firstOf);
    if (outs.length > 1 && new Set(outs).size > 1) problems.push('the protocols disagree: the same credential and salt give different outputs under protocol 1 and 2');
    if (p.missingSaltAuth !== undefined && bare(p.missingSaltAuth) !== 'CTAP2_ERR_MISSING_PARAMETER') problems.push(`an hmac-secret input without saltAuth: ${bare(p.missingSaltAuth)} (CTAP2_ERR_MISSING_PARAMETER expected)`);
    const rows = p.perProtocol ?? [];
    if (problems.length) return fail('hmac-secret does not behave as CTAP 2.1 §12.5 says', 'stable per (credential, salt), distinct across salts, credentials and UV, for every protocol', problems.join('; '), ['ctap:hmacSecret']);
    return pass(`protocol ${rows.map((r) => r.protocol).join(' and ')}: stable, distinct across salts and credentials${rows.some((r) => r.a1Uv) ? ' and with/without UV' : ` (with/without UV not shown: ${p.uvSkipped})`}`, ['ctap:hmacSecret']);
  },
});
