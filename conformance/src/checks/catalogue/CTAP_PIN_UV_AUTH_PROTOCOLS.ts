import { defineCheck, fail, pass } from '../Check.ts';
import { isResult, WINDOWS } from './helpers.ts';
import { CTAP21, bare, ctapProbe } from './ctapHelpers.ts';

export const CTAP_PIN_UV_AUTH_PROTOCOLS = defineCheck({
  id: 'CTAP_PIN_UV_AUTH_PROTOCOLS',
  title: 'Every advertised PIN/UV auth protocol gives a working pinUvAuthToken',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §6.5.6 (protocol one), §6.5.7 (protocol two), §6.5.5.7 (getPinUvAuthToken…WithPermissions); ${WINDOWS}: client PIN (Windows uses protocol 2 when the key lists it)`,
  covers: ['ClientPin1-KeyAgreement', 'ClientPin2-KeyAgreement', 'ClientPin2-GetPinToken'],
  needs: 'the pinProtocols probe (built-in UV, or the PIN given with --pin-env)',
  fix: 'For each protocol in getInfo.pinUvAuthProtocols implement key agreement, encrypt/decrypt and authenticate exactly as §6.5.6 / §6.5.7 define (protocol 2: HKDF-SHA-256 with the two info strings, a random IV in front, a 32-byte HMAC), and accept requests signed with the token it issued; or stop listing the protocol.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'pinProtocols');
    if (isResult(p)) return p;
    const rows = p.protocols ?? [];
    const bad = rows.filter((r) => r.token !== 'OK' || r.used !== 'OK' || r.uvFlag !== true);
    if (bad.length) {
      return fail(
        `PIN/UV auth protocol ${bad.map((r) => r.protocol).join(' and ')} does not work`,
        'a token from each advertised protocol, accepted by makeCredential with UV set',
        bad.map((r) => `protocol ${r.protocol}: ${r.token !== 'OK' ? `token ${bare(r.token)}` : r.used !== 'OK' ? `a request signed with its token answered ${bare(r.used)}` : 'accepted, but UV not set'}`).join('; '),
        ['ctap:pinProtocols'],
      );
    }
    return pass(`protocol ${rows.map((r) => r.protocol).join(' and ')}: tokens (by ${p.method === 'uv' ? 'built-in UV' : 'PIN'}) accepted`, ['ctap:pinProtocols']);
  },
});
