import { defineCheck } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP23, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const NFC_CHAINING = defineCheck({
  id: 'NFC_CHAINING',
  title: 'A command longer than one short APDU, sent as a chain (CLA 0x90), is put together and processed',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP23} §11.3.5 (a request that does not fit one short APDU is sent with ISO 7816-4 command chaining); ISO/IEC 7816-4 §5.4.1 (command chaining: 9000 for each part, the command runs on the last); ${fidoTest('NFC-1')}`,
  covers: ['NFC-1'],
  needs: 'the nfc probe (a key connected over NFC)',
  fix: 'Accept CLA 0x90 parts of NFCCTAP_MSG with 9000, join them, and process the request when the part without the chaining bit arrives.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'nfc');
    if (isResult(p)) return p;
    const c = p.chained!;
    const problems: string[] = [];
    if (c.finalSw !== 0x9000 || !c.ctapStatus) problems.push(`the chain of ${c.parts} parts was answered ${c.finalSw.toString(16).toUpperCase()}, not with a CTAP answer`);
    return verdict(problems, { what: 'command chaining does not work', expected: '9000 for each part, then the CTAP answer', ok: `a ${c.bytes}-byte getAssertion in ${c.parts} parts, answered ${c.ctapStatus}`, evidence: ['ctap:nfc'] });
  },
});
