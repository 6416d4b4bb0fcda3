import { defineCheck, fail, pass, skip } from '../Check.ts';

export const HYG_CREDENTIAL_ID_LENGTH = defineCheck({
  id: 'HYG_CREDENTIAL_ID_LENGTH',
  title: 'Credential IDs are 16 to 1023 bytes',
  area: 'hygiene',
  severity: 'recommended',
  source: 'WebAuthn L3 §6.5.1 (at most 1023 bytes), §4 Credential ID (at least 100 bits of entropy: 16 bytes)',
  needs: 'registrations',
  fix: 'Generate credential IDs of at least 16 random bytes (or wrap keys to at most 1023 bytes).',
  evaluate(ctx) {
    if (!ctx.registrations.length) return skip('no registration');
    const bad = ctx.registrations.filter((r) => { const n = r.parsed.authData.attestedCredentialData!.credentialId.length; return n < 16 || n > 1023; });
    return bad.length ? fail('credential ID length out of range', '16-1023 bytes', bad.map((r) => `${r.parsed.authData.attestedCredentialData!.credentialId.length} bytes in ${r.ceremony.step}`).join(', ')) : pass(`lengths ${ctx.registrations.map((r) => r.parsed.authData.attestedCredentialData!.credentialId.length).join(', ')} bytes`);
  },
});
