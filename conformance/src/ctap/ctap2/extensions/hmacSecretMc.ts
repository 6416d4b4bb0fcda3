import type { AuthenticatorInfo } from '../getInfo.ts';
import { hmacSecret } from './hmacSecret.ts';

/** The hmac-secret-mc extension identifier (CTAP 2.3 §12.8). */
export const HMAC_SECRET_MC = 'hmac-secret-mc';

/**
 * hmac-secret-mc: hmac-secret's salts already at makeCredential (what a WebAuthn prf evaluation at
 * create() becomes, WebAuthn L3 §10.1.4). Always sent beside `hmac-secret: true`; its input and
 * output are hmac-secret's, under its own identifier.
 */
export const hmacSecretMc = {
  name: HMAC_SECRET_MC,
  supported: (info: AuthenticatorInfo) => info.extensions.includes(HMAC_SECRET_MC) && hmacSecret.supported(info),
  input: hmacSecret.input,
  outputs: hmacSecret.outputs,
};
