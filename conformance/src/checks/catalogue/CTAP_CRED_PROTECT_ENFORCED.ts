import { defineCheck, fail, pass } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe } from './ctapHelpers.ts';

export const CTAP_CRED_PROTECT_ENFORCED = defineCheck({
  id: 'CTAP_CRED_PROTECT_ENFORCED',
  title: 'credProtect enforced: level 3 unusable without UV, level 2 not discoverable without UV',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §12.1 (credProtect: userVerificationOptionalWithCredentialIDList, userVerificationRequired); the policy RPs such as Microsoft Entra ID ask for on security keys`,
  covers: ['credProtect'],
  needs: 'the credProtect probe',
  fix: 'Store the credProtect level with each credential and apply it in getAssertion: without UV, skip level-3 credentials always and level-2 ones unless named in allowList (answer CTAP2_ERR_NO_CREDENTIALS when nothing is left).',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'credProtect');
    if (isResult(p)) return p;
    const problems: string[] = [];
    for (const c of p.created ?? []) if (c.output !== c.level) problems.push(`a level-${c.level} credential was created with credProtect output ${c.output ?? 'absent'}`);
    if (p.level3WithoutUv === 'OK') problems.push('a level-3 credential named in allowList signed without UV');
    if ((p.discoverableWithoutUv?.offered ?? []).some((x) => x === 'level2' || x === 'level3')) problems.push(`a discoverable getAssertion without UV offered ${p.discoverableWithoutUv!.offered.filter((x) => x !== 'other').join(' and ')}`);
    if (p.level2WithAllowList !== 'OK') problems.push(`a level-2 credential named in allowList was refused without UV (${bare(p.level2WithAllowList)}): level 2 allows that`);
    if (p.level3WithUv !== undefined && p.level3WithUv !== 'OK') problems.push(`a level-3 credential was refused even with UV (${bare(p.level3WithUv)})`);
    return problems.length
      ? fail('credProtect is not enforced as CTAP 2.1 §12.1 says', 'level 3 needs UV; level 2 needs UV or the credential ID', problems.join('; '), ['ctap:credProtect'])
      : pass(`level 3 without UV: ${bare(p.level3WithoutUv)}; level 2 hidden from discovery without UV, usable by ID`, ['ctap:credProtect']);
  },
});
