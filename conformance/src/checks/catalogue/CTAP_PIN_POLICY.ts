import { defineCheck } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, CTAP23, bare, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const CTAP_PIN_POLICY = defineCheck({
  id: 'CTAP_PIN_POLICY',
  title: 'New PINs follow the policy: at least minPINLength code points, at most 63 bytes, a 64-byte padded block, complexity when on',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §6.5.5.5 and §6.5.5.6 (setPIN, changePIN: a padded block that is not 64 bytes is CTAP1_ERR_INVALID_PARAMETER; fewer than minPINLength code points or more than 63 bytes is CTAP2_ERR_PIN_POLICY_VIOLATION), ${CTAP23} §6.4 and §12 (maxPINLength, pinComplexityPolicy); ${fidoTest('ClientPin1-NewPin', 'ClientPin1-PinPolicy', 'ClientPin2-NewPin', 'ClientPin2-PinPolicy', 'pinComplexityPolicy')}`,
  covers: ['ClientPin1-NewPin', 'ClientPin1-PinPolicy', 'ClientPin2-NewPin', 'ClientPin2-PinPolicy', 'pinComplexityPolicy'],
  changesKey: { flag: '--destructive', what: 'the PIN changed to a temporary one and back (and to whatever policy-breaking PIN a faulty key accepts, then back)' },
  needs: 'the pinPolicy probe (--destructive, the PIN given)',
  fix: 'Decrypt newPinEnc and refuse a block that is not 64 bytes (CTAP1_ERR_INVALID_PARAMETER); refuse a PIN under minPINLength code points, over 63 bytes or over maxPINLength, and a PIN the complexity policy rejects while it is on, with CTAP2_ERR_PIN_POLICY_VIOLATION, changing nothing.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'pinPolicy');
    if (isResult(p)) return p;
    const problems: string[] = [];
    for (const r of p.perProtocol ?? []) {
      const at = `protocol ${r.protocol}`;
      if (bare(r.tooShort) !== 'CTAP2_ERR_PIN_POLICY_VIOLATION') problems.push(`${at}: a PIN of ${Math.max(1, (p.minPinLength ?? 4) - 1)} code points (minPINLength ${p.minPinLength}): ${bare(r.tooShort) === 'OK' ? 'accepted' : bare(r.tooShort)} (CTAP2_ERR_PIN_POLICY_VIOLATION expected)`);
      if (bare(r.tooLong) !== 'CTAP2_ERR_PIN_POLICY_VIOLATION') problems.push(`${at}: a 64-byte PIN: ${bare(r.tooLong) === 'OK' ? 'accepted' : bare(r.tooLong)} (CTAP2_ERR_PIN_POLICY_VIOLATION expected)`);
      if (bare(r.badPadding) !== 'CTAP1_ERR_INVALID_PARAMETER') problems.push(`${at}: a 48-byte padded PIN block: ${bare(r.badPadding) === 'OK' ? 'accepted' : bare(r.badPadding)} (CTAP1_ERR_INVALID_PARAMETER expected)`);
      if (r.trivial !== undefined && bare(r.trivial) !== 'CTAP2_ERR_PIN_POLICY_VIOLATION') problems.push(`${at}: a trivial PIN with pinComplexityPolicy on: ${bare(r.trivial) === 'OK' ? 'accepted' : bare(r.trivial)} (CTAP2_ERR_PIN_POLICY_VIOLATION expected)`);
    }
    if (p.lostTrack) problems.push(`the key refused the PIN it had just accepted (${bare(p.lostTrack)}): the probe stopped so as not to spend the retries; the key's PIN may not be the one given`);
    else if (bare(p.toTemporary) !== 'OK') problems.push(`a valid PIN change: ${bare(p.toTemporary)}`);
    else if (!p.temporaryWorks) problems.push('after a valid PIN change the new PIN did not work');
    if (p.restored !== undefined && bare(p.restored) !== 'OK') problems.push(`changing the PIN back: ${bare(p.restored)} (THE KEY'S PIN IS NOT THE ONE GIVEN: see the report's key changes)`);
    return verdict(problems, { what: 'the key does not hold new PINs to the policy', expected: 'policy-breaking PINs refused with the statuses CTAP 2.1 names; valid changes work', ok: `too short, too long, a bad block${(p.perProtocol ?? []).some((r) => r.trivial !== undefined) ? ', a trivial PIN' : ''} refused on protocol ${(p.perProtocol ?? []).map((r) => r.protocol).join(' and ')}; a valid change worked and was undone`, evidence: ['ctap:pinPolicy'] });
  },
});
