import { defineCheck, skip } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP23, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';
import { answerProblems } from './responseShape.ts';

export const CTAP_MC_RESPONSE = defineCheck({
  id: 'CTAP_MC_RESPONSE',
  title: 'makeCredential answers carry each member with its type and say only what happened',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP23} §6.1 (authenticatorMakeCredential response: fmt, authData, attStmt required; epAtt only when an enterprise attestation was returned; largeBlobKey 32 bytes); WebAuthn L3 §6.1 (attested credential data in the authenticator data); ${fidoTest('Authr-MakeCred-Resp-1')}`,
  covers: ['Authr-MakeCred-Resp-1'],
  needs: 'the responses probe',
  fix: 'Answer makeCredential with fmt (text), authData (bytes, with attested credential data) and attStmt (map); send epAtt: true only with an enterprise attestation.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'responses');
    if (isResult(p)) return p;
    const answers = (p.makeCredential ?? []).filter((a) => a.body);
    if (!answers.length) return skip(`no makeCredential answer was recorded (${(p.makeCredential ?? []).map((a) => `${a.asked}: ${a.status}`).join('; ') || 'none asked'})`);
    const problems = answers.flatMap((a) => answerProblems('makeCredential', a.body!, {}).map((x) => `${a.asked}: ${x}`));
    return verdict(problems, { what: 'makeCredential answers are not shaped as CTAP 2.3 §6.1 says', expected: 'fmt, authData, attStmt typed as §6.1 says, epAtt only for an enterprise attestation', ok: `${answers.length} makeCredential answers: every member typed, nothing claimed that did not happen`, evidence: ['ctap:responses'] });
  },
});
