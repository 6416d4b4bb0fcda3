import { defineCheck, pass } from '../Check.ts';
import { isResult } from './helpers.ts';
import { ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const NFC_EXTENDED_APDU = defineCheck({
  id: 'NFC_EXTENDED_APDU',
  title: 'A card whose ATR claims extended Lc/Le fields accepts an extended APDU',
  area: 'ctap',
  severity: 'required',
  source: `ISO/IEC 7816-4 §8.1.1.2.7 (card capabilities, third software function table: "extended Lc and Le fields"), §5.1 (extended length); a client reads that claim to choose extended APDUs; ${fidoTest('NFC-1')}`,
  covers: ['NFC-1'],
  needs: 'the nfc probe (a key connected over NFC, with its ATR)',
  fix: 'Either accept extended-length APDUs (NFCCTAP_MSG with a 3-byte Lc) or clear the "extended Lc and Le fields" bit in the card capabilities of the ATR.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'nfc');
    if (isResult(p)) return p;
    const accepted = p.extended?.sw === 0x9000;
    const sw = (p.extended?.sw ?? 0).toString(16).toUpperCase();
    if (!p.atrClaims) return pass(`the ATR makes no claim; an extended getInfo was ${accepted ? 'accepted' : `answered ${sw} (short APDUs with chaining only)`}`, ['ctap:nfc']);
    const problems = p.atrClaims.extended && !accepted ? [`the ATR claims extended Lc/Le and an extended getInfo was answered ${sw}`] : [];
    return verdict(problems, { what: 'the card refuses what its ATR claims', expected: 'an extended APDU accepted', ok: p.atrClaims.extended ? 'extended APDUs claimed and accepted' : `extended APDUs not claimed (${accepted ? 'accepted anyway' : `answered ${sw}`})`, evidence: ['ctap:nfc'] });
  },
});
