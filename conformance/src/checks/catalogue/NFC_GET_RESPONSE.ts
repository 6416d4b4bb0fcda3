import { defineCheck } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP23, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const NFC_GET_RESPONSE = defineCheck({
  id: 'NFC_GET_RESPONSE',
  title: 'A response longer than Le comes in parts of at most Le bytes through 61xx and GET RESPONSE, and adds up to the whole',
  area: 'ctap',
  severity: 'required',
  source: `ISO/IEC 7816-4 §5.1 (Ne: the most bytes the response may carry; Le 00 in a short APDU means 256), §5.3.4 (61xx, GET RESPONSE); ${CTAP23} §11.3.5 (responses: "61XX" and GET RESPONSE); ${fidoTest('NFC-1')}`,
  covers: ['NFC-1'],
  needs: 'the nfc probe (a key connected over NFC)',
  fix: 'Never send more response bytes than Ne: cut the answer, say how much is left with 61xx, and hand out the rest through GET RESPONSE, at most Le bytes each time.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'nfc');
    if (isResult(p)) return p;
    const problems: string[] = [];
    const s = p.shortLe!;
    const over = s.parts.filter((n) => n > s.le);
    if (over.length) problems.push(`with Le ${s.le} the card sent parts of ${s.parts.join(', ')} bytes (more than Le)`);
    if (!s.sameAsGetInfo) problems.push(`with Le ${s.le} the parts (${s.parts.join(', ')}; last status ${s.finalSw.toString(16).toUpperCase()}) do not add up to getInfo`);
    const z = p.neZero!;
    if (z.parts.some((n) => n > 256)) problems.push(`with Le 00 (256) the card sent ${Math.max(...z.parts)} bytes at once`);
    if (!z.sameAsGetInfo) problems.push(`with Le 00 the parts (${z.parts.join(', ')}) do not add up to getInfo`);
    return verdict(problems, { what: 'long answers are not cut and chained as ISO 7816-4 says', expected: 'parts of at most Le bytes, 61xx between them, the whole answer at the end', ok: `getInfo in ${s.parts.length} parts of at most ${s.le} bytes, and in ${z.parts.length} with Le 00`, evidence: ['ctap:nfc'] });
  },
});
