import { defineCheck } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const CTAP_TOKEN_PERMISSIONS = defineCheck({
  id: 'CTAP_TOKEN_PERMISSIONS',
  title: 'pinUvAuthTokens hold their permissions and RP ID, serve one user-present operation, and refuse permissions the key cannot grant',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §6.5.2.1 (the token's permissions, permissions RP ID, and the userPresent/userVerified flags cleared after use), §6.1.2 step 11 and 14.4 (verify(pinUvAuthToken) with the mc permission and RP ID; flags and permissions cleared after the operation), §6.5.5.7 (CTAP1_ERR_INVALID_PARAMETER for permissions 0, CTAP2_ERR_UNAUTHORIZED_PERMISSION for a feature the key lacks); ${fidoTest('ClientPin2-GetPinUvAuthTokenUsingPinWithPermissions', 'ClientPin2-GetPinUvAuthTokenUsingUvWithPermissions')}`,
  covers: ['ClientPin2-GetPinUvAuthTokenUsingPinWithPermissions', 'ClientPin2-GetPinUvAuthTokenUsingUvWithPermissions'],
  needs: 'the tokens probe (a PIN given, or built-in UV; one touch)',
  fix: 'Check the token\'s permission and permissions RP ID on every command that takes a pinUvAuthParam (CTAP2_ERR_PIN_AUTH_INVALID otherwise); after makeCredential or getAssertion tested presence, clear the token\'s flags and every permission but lbw; refuse permissions 0 with CTAP1_ERR_INVALID_PARAMETER and a permission for a feature the key lacks with CTAP2_ERR_UNAUTHORIZED_PERMISSION.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'tokens');
    if (isResult(p)) return p;
    const problems: string[] = [];
    const want = (what: string, got: string | undefined, status: string) => {
      if (got !== undefined && bare(got) !== status) problems.push(`${what}: ${bare(got) === 'OK' ? 'accepted' : bare(got)} (${status} expected)`);
    };
    want('makeCredential with a token holding only the ga permission', p.gaTokenForMc, 'CTAP2_ERR_PIN_AUTH_INVALID');
    want('makeCredential for this RP with a token bound to another RP ID', p.otherRpTokenForMc, 'CTAP2_ERR_PIN_AUTH_INVALID');
    if (p.firstUse !== undefined && bare(p.firstUse) !== 'OK') problems.push(`makeCredential with a fresh mc token: ${bare(p.firstUse)} (it should work)`);
    else want('the same token again after the operation that tested presence', p.secondUse, 'CTAP2_ERR_PIN_AUTH_INVALID');
    if (p.lackingFeature) want(`a token with the ${p.lackingFeature.permission} permission on a key without that feature`, p.lackingFeature.status, 'CTAP2_ERR_UNAUTHORIZED_PERMISSION');
    want('a token with permissions 0', p.zeroPermissions, 'CTAP1_ERR_INVALID_PARAMETER');
    return verdict(problems, { what: 'pinUvAuthTokens allow more than their permissions say', expected: 'permissions and RP ID enforced, one user-present operation per token, unauthorized permissions refused', ok: `tokens (by ${p.method}) hold to their permissions and RP ID and serve one operation`, evidence: ['ctap:tokens'] });
  },
});
