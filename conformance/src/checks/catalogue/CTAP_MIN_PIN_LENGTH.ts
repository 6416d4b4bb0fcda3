import { defineCheck, notApplicable } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const CTAP_MIN_PIN_LENGTH = defineCheck({
  id: 'CTAP_MIN_PIN_LENGTH',
  title: 'minPinLength is told only to RP IDs the key\'s owner listed',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §12.4 (minPinLength: the current minimum PIN length is returned only to RP IDs in minPinLengthRPIDs, set by the vendor or by setMinPINLength), §6.11.4; ${fidoTest('minPINLength')}`,
  covers: ['minPINLength'],
  needs: 'the credentialExtensions probe (a key listing minPinLength)',
  fix: 'Return the minPinLength output only when the request\'s RP ID is in minPinLengthRPIDs; for any other RP ID return no output.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'credentialExtensions');
    if (isResult(p)) return p;
    const m = p.minPinLength;
    if (!m) return notApplicable('getInfo does not list minPinLength');
    const problems: string[] = [];
    if (bare(m.status) !== 'OK') problems.push(`makeCredential with minPinLength: ${bare(m.status)}`);
    else if (m.output !== undefined) problems.push(`the minimum PIN length (${m.output}) told to ctap.fido2-harness.test, an RP ID nobody listed`);
    return verdict(problems, { what: 'minPinLength tells an RP ID it was not given to', expected: 'no output for an unlisted RP ID', ok: 'no minPinLength output for an unlisted RP ID', evidence: ['ctap:credentialExtensions'] });
  },
});
