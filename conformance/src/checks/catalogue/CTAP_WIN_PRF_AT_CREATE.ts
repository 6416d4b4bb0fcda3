import { defineCheck, notApplicable, pass, fail } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP23, ctapInfo } from './ctapHelpers.ts';

/** Microsoft's webauthn.h (github.com/microsoft/webauthn): API version 8 evaluates PRF at create. */
export const WEBAUTHN_H_V8 = 'Microsoft webauthn.h, WEBAUTHN_API_VERSION_8 (WEBAUTHN_AUTHENTICATOR_MAKE_CREDENTIAL_OPTIONS pPRFGlobalEval, WEBAUTHN_CREDENTIAL_ATTESTATION pHmacSecret: PRF outputs at credential creation)';

export const CTAP_WIN_PRF_AT_CREATE = defineCheck({
  id: 'CTAP_WIN_PRF_AT_CREATE',
  title: 'A key with hmac-secret also offers hmac-secret-mc, so Windows can return PRF outputs at registration',
  area: 'ctap',
  severity: 'recommended',
  source: `${WEBAUTHN_H_V8}; ${CTAP23} §12.8 (hmac-secret-mc); WebAuthn L3 §10.1.4 (prf evaluated at create): without it a platform must make a second ceremony for the first PRF output`,
  needs: 'the key\'s authenticatorGetInfo',
  fix: 'Implement hmac-secret-mc (CTAP 2.3 §12.8) and list it in getInfo extensions beside hmac-secret.',
  evaluate(ctx) {
    const info = ctapInfo(ctx);
    if (isResult(info)) return info;
    if (!info.extensions.includes('hmac-secret')) return notApplicable('the key does not list hmac-secret');
    return info.extensions.includes('hmac-secret-mc')
      ? pass('hmac-secret and hmac-secret-mc listed', ['ctap:getInfo'])
      : fail('hmac-secret without hmac-secret-mc: PRF outputs only after a second ceremony', 'hmac-secret-mc in getInfo extensions', `extensions [${info.extensions.join(', ')}]`, ['ctap:getInfo']);
  },
});
