import { defineCheck } from '../Check.ts';
import { isResult } from './helpers.ts';
import { CTAP21, bare, ctapProbe, fidoTest, verdict } from './ctapHelpers.ts';

export const CTAP_CONFIG = defineCheck({
  id: 'CTAP_CONFIG',
  title: 'authenticatorConfig: a token required, alwaysUv enforced, the minimum PIN length never lowered, a forced PIN change honoured',
  area: 'ctap',
  severity: 'required',
  source: `${CTAP21} §6.11 (authenticatorConfig: on a protected key, no pinUvAuthParam is CTAP2_ERR_PUAT_REQUIRED), §6.11.2 and §6.1.2 step 6 (alwaysUv: every makeCredential needs user verification), §6.11.4 (setMinPINLength: a lower value is CTAP2_ERR_PIN_POLICY_VIOLATION; forceChangePin sets forcePINChange), §6.5.5.7 (a token from the PIN while forcePINChange is true: CTAP2_ERR_PIN_POLICY_VIOLATION); ${fidoTest('AuthenticatorConfig')}`,
  covers: ['AuthenticatorConfig'],
  changesKey: { flag: '--destructive', what: 'alwaysUv turned on and off again; a PIN change forced, the PIN changed to a temporary one and back' },
  needs: 'the config probe (--destructive; a key listing authnrCfg; the PIN or built-in UV)',
  fix: 'Require a token with acfg for every authenticatorConfig subcommand on a protected key; with alwaysUv on, refuse makeCredential without verification; refuse a lower minimum PIN length; after forceChangePin refuse tokens from the PIN until the PIN is changed.',
  evaluate(ctx) {
    const p = ctapProbe(ctx, 'config');
    if (isResult(p)) return p;
    const problems: string[] = [];
    if (p.withoutToken !== undefined && bare(p.withoutToken) !== 'CTAP2_ERR_PUAT_REQUIRED') problems.push(`toggleAlwaysUv without a token on a protected key: ${bare(p.withoutToken) === 'OK' ? 'done' : bare(p.withoutToken)} (CTAP2_ERR_PUAT_REQUIRED expected)`);
    if (p.toggleOn !== undefined) {
      if (bare(p.toggleOn) !== 'OK') problems.push(`toggleAlwaysUv with a token: ${bare(p.toggleOn)}`);
      else if (p.alwaysUvAfter !== true) problems.push('toggleAlwaysUv answered OK but getInfo still says alwaysUv false');
      // refused, or (a key with built-in UV, §6.1.2 step 6) made after verifying the person itself
      else if (p.credentialWithoutUv !== undefined && !['CTAP2_ERR_PUAT_REQUIRED', 'CTAP2_ERR_OPERATION_DENIED', 'OK with UV'].includes(bare(p.credentialWithoutUv))) problems.push(`with alwaysUv on, a credential asked for without verification: ${bare(p.credentialWithoutUv) === 'OK' ? 'made without user verification' : bare(p.credentialWithoutUv)} (refused, or made after built-in UV, expected)`);
    }
    if (p.lowerMinPinLength && bare(p.lowerMinPinLength.status) !== 'CTAP2_ERR_PIN_POLICY_VIOLATION') problems.push(`setMinPINLength ${p.lowerMinPinLength.from - 1} (below the current ${p.lowerMinPinLength.from}): ${bare(p.lowerMinPinLength.status) === 'OK' ? 'accepted' : bare(p.lowerMinPinLength.status)} (CTAP2_ERR_PIN_POLICY_VIOLATION expected)`);
    if (p.forceChangePin !== undefined) {
      if (bare(p.forceChangePin) !== 'OK') problems.push(`setMinPINLength forceChangePin: ${bare(p.forceChangePin)}`);
      else if (p.forcePinChangeAfter !== true) problems.push('after forceChangePin, getInfo forcePINChange is not true');
      else if (bare(p.tokenWhileForced) !== 'CTAP2_ERR_PIN_POLICY_VIOLATION') problems.push(`a token from the PIN while a change is forced: ${bare(p.tokenWhileForced) === 'OK' ? 'issued' : bare(p.tokenWhileForced)} (CTAP2_ERR_PIN_POLICY_VIOLATION expected)`);
      if (p.pinChangedBack !== undefined && bare(p.pinChangedBack) !== 'OK') problems.push(`changing the PIN to a temporary one and back: ${bare(p.pinChangedBack)} (THE KEY'S PIN MAY NOT BE THE ONE GIVEN: see the report's key changes)`);
    }
    return verdict(problems, { what: 'authenticatorConfig does not behave as CTAP 2.1 §6.11 says', expected: 'a token required, alwaysUv enforced, no lower minimum, a forced change honoured', ok: 'a token required; alwaysUv enforced and turned off again; the minimum PIN length not lowered; a forced PIN change honoured', evidence: ['ctap:config'] });
  },
});
