import { CTAP_STATUS as S } from '../../ctap/status.ts';
import type { PinUvAuthProtocol } from '../../ctap/ctap2/pinProtocol.ts';
import type { DeviceContext } from './DeviceContext.ts';
import type { TokenState } from './DeviceState.ts';
import { refuse } from './params.ts';

/** Defects in how the key honours a pinUvAuthToken (CTAP 2.1 §6.5.2.1, §6.1.2 step 11, §6.2.2 step 6). */
export const PIN_UV_AUTH_FAULTS = {
  tokenReusable: 'a pinUvAuthToken still good after the operation that tested user presence (§6.1.2 step 14.4)',
  tokenIgnoresRpId: "a token's permissions RP ID not enforced",
  tokenIgnoresPermissions: "a token's permissions not enforced (a ga-only token makes credentials)",
} as const;

/**
 * verify(pinUvAuthToken, message, pinUvAuthParam) and the token's state: in use, user-verified,
 * holding `permission`, and bound to `rpId` when it is bound to one. Any failure is
 * CTAP2_ERR_PIN_AUTH_INVALID, as every command that takes a token says. `bindRp`: a token without
 * a permissions RP ID takes this request's (makeCredential, getAssertion).
 */
export function verifyToken(d: DeviceContext, o: { param: Uint8Array; protocol: PinUvAuthProtocol; message: Uint8Array; permission: number; rpId?: string; bindRp?: boolean; userVerifiedRequired?: boolean }): TokenState {
  const t = d.state.liveToken();
  if (!t || t.protocol?.version !== o.protocol.version || !o.protocol.verify(t.value, o.message, o.param)) return refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
  if (o.userVerifiedRequired !== false && !t.userVerified) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
  if (!(t.permissions & o.permission) && !d.faults.tokenIgnoresPermissions) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
  if (o.rpId !== undefined && t.rpId !== undefined && t.rpId !== o.rpId && !d.faults.tokenIgnoresRpId) refuse(S.CTAP2_ERR_PIN_AUTH_INVALID);
  if (o.bindRp && o.rpId !== undefined && t.rpId === undefined) t.rpId = o.rpId;
  t.usedAt = Date.now();
  return t;
}

/**
 * The common opening of the commands that take an optional pinUvAuthParam on a protected key
 * (credentialManagement, authenticatorConfig, bioEnrollment, largeBlobs): absent,
 * CTAP2_ERR_PUAT_REQUIRED; its protocol absent, CTAP2_ERR_MISSING_PARAMETER; not supported,
 * CTAP1_ERR_INVALID_PARAMETER.
 */
export function requireAuthParams(d: DeviceContext, param: Uint8Array | undefined, version: number | undefined): { param: Uint8Array; protocol: PinUvAuthProtocol } {
  if (param === undefined) refuse(S.CTAP2_ERR_PUAT_REQUIRED);
  if (version === undefined) refuse(S.CTAP2_ERR_MISSING_PARAMETER);
  return { param: param!, protocol: d.protocol(version!) };
}
