import { defineCheck, notApplicable } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const CTAP_CRED_BLOB = defineCheck({
  id: 'CTAP_CRED_BLOB',
  title: 'credBlob: up to maxCredBlobLength bytes kept and returned, longer ones not kept',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §12.2 (credBlob: stored when at most maxCredBlobLength bytes, output true; longer, not stored and output false; returned at getAssertion with getCredBlob); ${fidoTest('credBlob')}`,
  covers: ['credBlob'],
  needs: 'the credentialExtensions probe (a key listing credBlob and keeping discoverable credentials)',
  fix: 'Store a credBlob of at most maxCredBlobLength bytes with the credential and answer credBlob: true; for a longer one store nothing and answer false; return the stored bytes (or an empty string) to getAssertion with credBlob: true.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'credentialExtensions');
    if (isResult(p)) return p;
    const c = p.credBlob;
    if (!c) return notApplicable('getInfo does not list credBlob (or the key keeps no discoverable credentials)');
    const problems: string[] = [];
    if (bare(c.status) !== 'OK') problems.push(`makeCredential with a ${c.max}-byte credBlob: ${bare(c.status)}`);
    else {
      if (c.stored !== true) problems.push(`a ${c.max}-byte credBlob (maxCredBlobLength) answered stored = ${String(c.stored)}`);
      if (c.readBack !== 'same') problems.push(`getAssertion with credBlob: ${c.readBack === 'different' ? 'other bytes came back' : c.readBack === 'none' ? 'no credBlob output' : bare(c.readBack)}`);
    }
    if (c.tooLong && bare(c.tooLong.status) === 'OK' && c.tooLong.stored !== false) problems.push(`a ${c.max + 1}-byte credBlob (over maxCredBlobLength) answered stored = ${String(c.tooLong.stored)} (false expected)`);
    return verdict(problems, { what: 'credBlob does not behave as CTAP 2.1 §12.2 says', expected: `kept and returned up to ${c.max} bytes, not kept beyond`, ok: `${c.max} bytes kept and returned; ${c.max + 1} bytes refused`, evidence: ['ctap:credentialExtensions'] });
  },
});
