import { defineCheck } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP23, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

const hex = (sw: number) => sw.toString(16).toUpperCase().padStart(4, '0');

export const NFC_SELECT = defineCheck({
  id: 'NFC_SELECT',
  title: 'SELECT of the FIDO applet answers 9000 with U2F_V2 or FIDO_2_0, as the key\'s versions say; another AID is not found',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP23} §11.3.3 (applet selection: "U2F_V2" for a key that also speaks U2F, "FIDO_2_0" for a CTAP2-only key); ISO/IEC 7816-4 §5.6 (6A82: application not found); ${fidoTest('NFC-1')}`,
  covers: ['NFC-1'],
  needs: 'the nfc probe (a key connected over NFC)',
  fix: 'Answer SELECT of A0000006472F0001 with 9000 and "U2F_V2" when the key speaks U2F (getInfo versions lists U2F_V2), else "FIDO_2_0"; answer SELECT of any other AID with 6A82.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'nfc');
    if (isResult(p)) return p;
    const problems: string[] = [];
    const sel = p.select!;
    const u2f = p.versions?.includes('U2F_V2');
    const want = u2f ? 'U2F_V2' : 'FIDO_2_0';
    if (sel.sw !== 0x9000) problems.push(`SELECT of the FIDO applet answered ${hex(sel.sw)}`);
    else if (sel.version !== want) problems.push(`SELECT answered ${JSON.stringify(sel.version)}; getInfo versions ${u2f ? 'list' : 'do not list'} U2F_V2, so ${JSON.stringify(want)} is due`);
    if (p.selectOther && p.selectOther.sw === 0x9000) problems.push('SELECT of another AID (A0000006472F0002) answered 9000 as if that applet were there');
    return verdict(problems, { what: 'the FIDO applet does not select as CTAP 2.3 §11.3.3 says', expected: `9000 "${want}"; 6A82 for another AID`, ok: `SELECT answered "${sel.version}"; another AID ${hex(p.selectOther?.sw ?? 0)}`, evidence: ['ctap:nfc'] });
  },
});
