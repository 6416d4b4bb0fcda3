import { defineCheck, fail, pass } from '../Check.ts';
import { fromBase64url } from '../../encoding/base64url.ts';
import { parseAuthenticatorData } from '../../webauthn/parseAuthenticatorData.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe } from './ctapHelpers.ts';

export const CTAP_EXTENSIONS_ANSWER = defineCheck({
  id: 'CTAP_EXTENSIONS_ANSWER',
  title: 'Every extension getInfo lists answers at makeCredential (credProtect, hmac-secret, credBlob, largeBlobKey)',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §12.1 credProtect, §12.2 credBlob, §12.3 largeBlobKey, §12.5 hmac-secret; Windows acts on getInfo.extensions (hmac-secret for Windows Hello sign-in)`,
  covers: ['largeBlobKey', 'credBlob', 'hmacSecret'],
  needs: 'the extensions probe',
  fix: 'List in getInfo.extensions only what the firmware implements, and answer each one at makeCredential as CTAP 2.1 §12 defines (credProtect: the level; hmac-secret: true; credBlob: whether it was stored; largeBlobKey: the key in member 0x05).',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'extensions');
    if (isResult(p)) return p;
    if (p.status !== 'OK' || !p.authData) return fail('makeCredential with the listed extensions was refused', 'a credential answering each extension', bare(p.status), ['ctap:extensions']);
    let ext;
    try {
      ext = parseAuthenticatorData(fromBase64url(p.authData, 'authData'), { allowTrailing: true }).extensions;
    } catch (e) {
      return fail('the authenticator data does not parse', 'authenticator data with extension outputs', (e as Error).message, ['ctap:extensions']);
    }
    const silent: string[] = [];
    for (const name of p.requested ?? []) {
      if (name === 'largeBlobKey') {
        if (!p.largeBlobKey) silent.push('largeBlobKey (no key in member 0x05)');
      } else if (name === 'credBlob') {
        if (ext?.get('credBlob') !== true) silent.push(`credBlob (${ext?.has('credBlob') ? 'answered false for a blob within maxCredBlobLength' : 'no output'})`);
      } else if (name === 'credProtect') {
        if (ext?.get('credProtect') !== 1) silent.push(`credProtect (asked for level 1, ${ext?.has('credProtect') ? `answered ${String(ext.get('credProtect'))}` : 'no output'})`);
      } else if (ext?.get(name) !== true) silent.push(`${name} (no output)`);
    }
    return silent.length
      ? fail('getInfo lists extensions the key does not answer', `an output for each of ${(p.requested ?? []).join(', ')}`, silent.join('; '), ['ctap:extensions', 'ctap:getInfo'])
      : pass(`${(p.requested ?? []).join(', ')}: each answered`, ['ctap:extensions']);
  },
});
