import { defineCheck, fail, pass, skip } from '../Check.ts';

const LEVEL: Record<string, number> = { userVerificationOptional: 1, userVerificationOptionalWithCredentialIDList: 2, userVerificationRequired: 3 };

export const HYG_CREDPROTECT = defineCheck({
  id: 'HYG_CREDPROTECT',
  title: 'credProtect honoured: the requested policy appears in the credential\'s authenticator data',
  area: 'hygiene',
  severity: 'recommended',
  source: 'CTAP 2.1 §12.1 (credProtect)',
  covers: ['credProtect'],
  needs: 'register-account-1 with credentialProtectionPolicy userVerificationRequired',
  fix: 'Implement credProtect: store the requested level with the credential and return it in the makeCredential extension outputs.',
  evaluate(ctx) {
    const r = ctx.registrations.find((x) => typeof x.ceremony.options.extensions?.credentialProtectionPolicy === 'string');
    if (!r) return skip('no registration requested credProtect');
    const want = LEVEL[r.ceremony.options.extensions.credentialProtectionPolicy]!;
    const got = r.parsed.authData.extensions?.get('credProtect');
    return got === want ? pass(`credProtect level ${got}`, [r.ceremony.step]) : fail('credProtect not honoured', `credProtect ${want} in authData extensions`, got === undefined ? 'no credProtect output' : String(got), [r.ceremony.step]);
  },
});
