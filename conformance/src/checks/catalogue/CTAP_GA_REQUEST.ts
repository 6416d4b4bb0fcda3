import { defineCheck } from '../Check.ts';
import { judgeRequestCases } from './requestJudging.ts';
import { CTAP23, fidoTest } from './ctapHelpers.ts';
import { GET_ASSERTION_CASES } from '../ctap/requestCases.ts';

export const CTAP_GA_REQUEST = defineCheck({
  id: 'CTAP_GA_REQUEST',
  title: 'getAssertion refuses malformed requests and the rk option, ignores unknown options, and says NO_CREDENTIALS without asking for a touch',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP23} §6.2 (authenticatorGetAssertion parameters and their types), §6.2.2 steps 4 (options: "rk" refused with CTAP2_ERR_UNSUPPORTED_OPTION, unknown ones ignored) and 7 (no credential found: CTAP2_ERR_NO_CREDENTIALS); ${fidoTest('Authr-GetAssertion-Req-1 to Req-3')}`,
  covers: ['Authr-GetAssertion-Req-1', 'Authr-GetAssertion-Req-2', 'Authr-GetAssertion-Req-3'],
  needs: 'the requests probe (10 getAssertion requests, one of them processed and touched)',
  fix: 'Read every getAssertion member with its type and refuse malformed ones; answer CTAP2_ERR_UNSUPPORTED_OPTION to the rk option and pass over options you do not know; when no credential matches, answer CTAP2_ERR_NO_CREDENTIALS at once, before asking for a touch.',
  evaluate: (ctx) => judgeRequestCases(ctx, GET_ASSERTION_CASES, 'getAssertion'),
});
