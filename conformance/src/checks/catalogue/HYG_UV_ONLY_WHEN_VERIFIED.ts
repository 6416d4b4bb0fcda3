import { defineCheck, fail, pass, skip } from '../Check.ts';
import { declaredGetInfo } from './helpers.ts';

export const HYG_UV_ONLY_WHEN_VERIFIED = defineCheck({
  id: 'HYG_UV_ONLY_WHEN_VERIFIED',
  title: 'A PIN-only key does not claim UV when no verification was asked for',
  area: 'hygiene',
  // recommended: without metadata (or with built-in UV) it cannot be shown either way
  severity: 'recommended',
  source: 'CTAP 2.1 §6.1.2 step 11 (UV only after a PIN/UV auth token or built-in UV for this request); WebAuthn L3 §6.1 (UV flag)',
  needs: 'register-basic (userVerification "discouraged", so no PIN is entered) and the MDS entry (to tell a PIN from built-in UV)',
  fix: 'Set the UV flag only when the user was verified for this request; a request without the uv option or a pinUvAuthParam must come back with UV=0.',
  evaluate(ctx) {
    // built-in UV (a fingerprint) may verify on every touch; a PIN can only be verified when asked for
    const gi = declaredGetInfo(ctx);
    if (!gi) return skip('no MDS statement to tell a PIN from built-in user verification');
    if (gi.options?.uv === true) return skip('the key declares built-in user verification, which may verify on every touch');
    // with a PIN set and no makeCredUvNotRqd, the key itself demands the PIN at every makeCredential (CTAP 2.1
    // §6.1.2 step 6), so the platform verifies even a "discouraged" registration (the real getInfo when the run has it)
    const opts = ctx.ctap?.info?.options ?? gi.options ?? {};
    if (opts.clientPin === true && opts.makeCredUvNotRqd !== true) return skip('the key has a PIN set and no makeCredUvNotRqd: it asks for the PIN at every registration, so none is unverified');
    const asked = ctx.registrations.filter((r) => r.ceremony.options.authenticatorSelection?.userVerification === 'discouraged');
    if (!asked.length) return skip('no ceremony left user verification out');
    const claimed = asked.filter((r) => r.parsed.authData.flags.UV);
    return claimed.length ? fail('UV claimed although no verification was requested', 'UV=0', `UV=1 in ${claimed.map((r) => r.ceremony.step).join(', ')}`, claimed.map((r) => r.ceremony.step)) : pass('UV clear when not requested', asked.map((r) => r.ceremony.step));
  },
});
