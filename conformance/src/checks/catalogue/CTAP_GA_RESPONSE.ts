import { defineCheck, skip } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP23, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';
import { answerProblems } from './responseShape.ts';

export const CTAP_GA_RESPONSE = defineCheck({
  id: 'CTAP_GA_RESPONSE',
  title: 'getAssertion answers: members typed, the user\'s name only after verification, numberOfCredentials only without an allowList',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP23} §6.2 (authenticatorGetAssertion response members and types), §6.2.2 (user identifiable information is not returned without user verification; numberOfCredentials only for a request without an allowList); ${fidoTest('Authr-GetAssertion-Resp-1')}`,
  covers: ['Authr-GetAssertion-Resp-1', 'ResidentKey'],
  needs: 'the responses probe (two discoverable credentials)',
  fix: 'Answer getAssertion with credential, authData (no AT flag), signature and user as §6.2 types them; without user verification return only the user id; leave numberOfCredentials out when the request named an allowList.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'responses');
    if (isResult(p)) return p;
    const answers = (p.getAssertion ?? []).filter((a) => a.body);
    if (!answers.length) return skip(`no getAssertion answer was recorded (${(p.getAssertion ?? []).map((a) => `${a.asked}: ${a.status}`).join('; ') || 'the key keeps no discoverable credentials, or they could not be made'})`);
    const problems = answers.flatMap((a) => answerProblems('getAssertion', a.body!, { allowList: a.allowList, uv: a.uv }).map((x) => `${a.asked}: ${x}`));
    return verdict(problems, { what: 'getAssertion answers are not shaped as CTAP 2.3 §6.2 says', expected: 'members typed as §6.2 says; the user id alone without verification; no numberOfCredentials with an allowList', ok: `${answers.length} getAssertion answers: members typed, no name without verification, the count only where it belongs`, evidence: ['ctap:responses'] });
  },
});
