import { defineCheck, fail, pass } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, CTAP23, bare, ctapProbe } from './ctapHelpers.ts';
import { requestStatusDeviations } from './requestJudging.ts';
import { GET_ASSERTION_CASES, MAKE_CREDENTIAL_CASES } from '../ctap/requestCases.ts';

export const CTAP_ERROR_CODES = defineCheck({
  id: 'CTAP_ERROR_CODES',
  title: 'Errors by the book: missing parameter, unknown CTAP2 command, message over maxMsgSize',
  area: 'ctap',
  severity: 'recommended',
  source: `${CTAP23} §8 (a missing required member SHOULD get CTAP2_ERR_MISSING_PARAMETER, a member of the wrong type CTAP2_ERR_CBOR_UNEXPECTED_TYPE), ${CTAP21} §6.1.2 step 1 (CTAP2_ERR_MISSING_PARAMETER), §8.2 (status codes), §6 (CTAP1_ERR_INVALID_COMMAND for a command the key does not implement), §6.4 maxMsgSize (CTAP1_ERR_INVALID_LENGTH / CTAP2_ERR_REQUEST_TOO_LARGE); platforms decide what to tell the person from these codes`,
  covers: ['Authr-MakeCred-Req-1', 'Authr-GetAssertion-Req-1'],
  needs: 'the errors and requests probes',
  fix: 'Answer a request without a required member with CTAP2_ERR_MISSING_PARAMETER, an unknown CTAP2 command with CTAP1_ERR_INVALID_COMMAND, and a message longer than maxMsgSize with CTAP1_ERR_INVALID_LENGTH or CTAP2_ERR_REQUEST_TOO_LARGE.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'errors');
    if (isResult(p)) return p;
    const problems: string[] = [];
    if (bare(p.missingParameter) !== 'CTAP2_ERR_MISSING_PARAMETER') problems.push(`makeCredential without rp, user and pubKeyCredParams answered ${bare(p.missingParameter)} (CTAP2_ERR_MISSING_PARAMETER expected)`);
    if (p.previewCommand !== undefined && bare(p.previewCommand) !== 'CTAP1_ERR_INVALID_COMMAND') problems.push(`the FIDO_2_1_PRE command 0x41 on a key that does not list FIDO_2_1_PRE answered ${bare(p.previewCommand)} (CTAP1_ERR_INVALID_COMMAND expected)`);
    if (bare(p.unknownCborCommand) !== 'CTAP1_ERR_INVALID_COMMAND') problems.push(`CTAP2 command 0x1f answered ${bare(p.unknownCborCommand)} (CTAP1_ERR_INVALID_COMMAND expected)`);
    if (p.overMaxMsgSize && !['CTAP1_ERR_INVALID_LENGTH', 'CTAP2_ERR_REQUEST_TOO_LARGE'].some((x) => bare(p.overMaxMsgSize!.status).endsWith(x))) problems.push(`a ${p.overMaxMsgSize.size}-byte message (over maxMsgSize) answered ${bare(p.overMaxMsgSize.status)}`);
    // a refused malformed request: with the status §8 asks for a missing or mistyped member (a SHOULD)
    const requests = ctx.ctap?.evidence?.probes.requests?.cases;
    problems.push(...requestStatusDeviations(requests, MAKE_CREDENTIAL_CASES), ...requestStatusDeviations(requests, GET_ASSERTION_CASES));
    return problems.length ? fail('the key answers errors with other codes than CTAP 2.1 gives', 'the status codes of CTAP 2.1', problems.join('; '), ['ctap:errors']) : pass('missing parameter, unknown commands and an oversized message answered with the specified codes', ['ctap:errors']);
  },
});
