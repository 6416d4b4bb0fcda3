import { defineCheck, pass, skip } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const NFC_TRANSPORTS = defineCheck({
  id: 'NFC_TRANSPORTS',
  title: 'A key answering over NFC lists "nfc" in getInfo transports',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §6.4 (authenticatorGetInfo 0x09 transports: the transports the authenticator supports); WebAuthn L3 §5.8.4 (AuthenticatorTransport "nfc"); a platform offers NFC from it; ${fidoTest('NFC-1')}`,
  covers: ['NFC-1'],
  needs: 'the nfc probe (a key connected over NFC)',
  fix: 'List "nfc" in getInfo transports (0x09) on every key that has an NFC interface.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'nfc');
    if (isResult(p)) return p;
    if (!p.transports) return skip('getInfo has no transports member (optional): nothing claimed to compare');
    if (p.transports.includes('nfc')) return pass(`transports ${JSON.stringify(p.transports)} include nfc`, ['ctap:nfc']);
    return verdict([`getInfo transports ${JSON.stringify(p.transports)} leave out nfc, read over NFC`], { what: 'getInfo does not list the transport it answered on', expected: 'transports including "nfc"', ok: '', evidence: ['ctap:nfc'] });
  },
});
