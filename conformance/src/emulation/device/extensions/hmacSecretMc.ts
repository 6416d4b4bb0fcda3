import { hmacOutputs } from './hmacSecret.ts';
import type { DeviceExtension } from './DeviceExtension.ts';

export const HMAC_SECRET_MC_FAULTS = {
  hmacSecretMcOtherSecret: 'hmac-secret-mc outputs computed with another secret than getAssertion uses',
} as const;

/**
 * hmac-secret-mc (CTAP 2.3 §12.8): the hmac-secret salt exchange already at makeCredential (what a
 * WebAuthn prf evaluation at create() becomes). It is only meaningful with `hmac-secret: true` in
 * the same request: alone it is ignored. The outputs come from the CredRandom the new
 * credential's later assertions use for the same user-verification state.
 */
export const hmacSecretMc: DeviceExtension = {
  name: 'hmac-secret-mc',
  supported: (f) => f.hmacSecretMc,
  makeCredential(d, input, x) {
    if (x.inputs.get('hmac-secret') !== true || !x.cred.credRandomWithUv) return;
    const cred = d.faults.hmacSecretMcOtherSecret ? { ...x.cred, credRandomWithUv: x.cred.credRandomWithoutUv, credRandomWithoutUv: x.cred.credRandomWithUv } : x.cred;
    const out = hmacOutputs(d, input, cred, x.uv);
    if (out) x.signed.set('hmac-secret-mc', out);
  },
};
