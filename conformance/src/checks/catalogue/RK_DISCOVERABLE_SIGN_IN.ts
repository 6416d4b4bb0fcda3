import { defineCheck, fail, pass, skip } from '../Check.ts';
import { WINDOWS } from './helpers.ts';

export const RK_DISCOVERABLE_SIGN_IN = defineCheck({
  id: 'RK_DISCOVERABLE_SIGN_IN',
  title: 'Resident key works: sign-in without a username finds the account',
  area: 'windows',
  severity: 'required',
  source: `${WINDOWS}: resident key; WebAuthn L3 §6.2.2 (discoverable credentials)`,
  covers: ['ResidentKey'],
  needs: 'register-account-1 with residentKey required, then sign-in-discoverable-1',
  fix: 'Store the credential on the key when rk is requested and return it, with its user handle, for an empty allow list (CTAP 2.1 §6.2, authenticatorGetAssertion).',
  evaluate(ctx) {
    const c = ctx.step('sign-in-discoverable-1');
    if (!c) return skip('the run has no discoverable sign-in');
    if (c.error) return fail('discoverable sign-in failed', 'an assertion for account 1', `${c.error.name}: ${c.error.message}`, [c.step]);
    const a = ctx.assertions.find((x) => x.ceremony === c);
    if (!a?.registration) return fail('the key answered with a credential the run did not register', 'account 1\'s credential', a?.credentialId ?? 'unparseable response', [c.step]);
    if (!a.parsed.userHandle) return fail('no user handle in the discoverable assertion', 'userHandle of account 1', 'absent', [c.step]);
    const rk = a.registration.parsed.clientExtensionResults.credProps as { rk?: boolean } | undefined;
    if (rk && rk.rk === false) return fail('credProps says the credential is not discoverable', 'credProps.rk true', 'false', [a.registration.ceremony.step]);
    // signatures are WEBAUTHN_RP_VERIFICATION's to judge: this check is about the resident credential
    return pass('found by discoverable sign-in with its user handle', [c.step]);
  },
});
