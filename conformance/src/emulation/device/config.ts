import { CONFIG_SUB, PERMISSION } from '../../ctap/constants.ts';
import { CTAP_STATUS as S } from '../../ctap/status.ts';
import type { DeviceContext } from './DeviceContext.ts';
import { requireAuthParams, verifyToken } from './pinUvAuth.ts';
import { refuse, type Params } from './params.ts';

export const CONFIG_FAULTS = {
  configWithoutAuth: 'authenticatorConfig accepted without a pinUvAuthParam on a key protected by a PIN or UV (§6.11)',
  minPinLengthDecrease: 'setMinPINLength lowering the minimum PIN length accepted (§6.11.4: CTAP2_ERR_PIN_POLICY_VIOLATION)',
} as const;

/** The vendor prototype commands the emulated key knows (getInfo vendorPrototypeConfigCommands): none do anything. */
export const VENDOR_PROTOTYPE_COMMANDS = [0x12345678] as const;

/**
 * authenticatorConfig (CTAP 2.3 §6.11): enableEnterpriseAttestation, toggleAlwaysUv,
 * setMinPINLength (with minPinLengthRPIDs, forceChangePin and pinComplexityPolicy),
 * enableLongTouchForReset, vendorPrototype. On a key protected by a PIN or built-in UV (or with
 * alwaysUv on, except to toggle it) each needs a token with the acfg permission over
 * 32×0xff || 0x0d || subCommand || subCommandParams. A subcommand the key does not support is
 * CTAP1_ERR_INVALID_PARAMETER; an unknown vendorCommandId CTAP2_ERR_INVALID_SUBCOMMAND.
 */
export function config(d: DeviceContext, p: Params): undefined {
  const r = d.read;
  const state = d.state;
  const f = d.f;
  const sub = r.required(p, 0x01, 'uint');
  const subParams = r.optional(p, 0x02, 'map');
  const version = r.optional(p, 0x03, 'uint');
  const param = r.optional(p, 0x04, 'bytes');
  const supported = configCommands(d);
  if (!supported.includes(sub)) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
  const needsAuth = d.protectedByUv || (state.alwaysUv && sub !== CONFIG_SUB.toggleAlwaysUv);
  if (needsAuth && !d.faults.configWithoutAuth) {
    const a = requireAuthParams(d, param, version);
    const message = Uint8Array.from([...new Uint8Array(32).fill(0xff), 0x0d, sub, ...d.rawParam(0x02)]);
    verifyToken(d, { param: a.param, protocol: a.protocol, message, permission: PERMISSION.acfg });
  }
  switch (sub) {
    case CONFIG_SUB.enableEnterpriseAttestation:
      state.epEnabled = true;
      break;
    case CONFIG_SUB.toggleAlwaysUv:
      state.alwaysUv = !state.alwaysUv;
      break;
    case CONFIG_SUB.setMinPINLength: {
      const newMin = r.optional(subParams, 0x01, 'uint');
      const rpIds = r.optional(subParams, 0x02, 'array');
      const force = r.optional(subParams, 0x03, 'bool');
      const complexity = r.optional(subParams, 0x04, 'bool');
      if (rpIds && !rpIds.every((x) => typeof x === 'string')) refuse(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
      if (newMin !== undefined && newMin < state.minPinLength && !d.faults.minPinLengthDecrease) refuse(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
      if (newMin !== undefined && newMin > 63) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
      if (rpIds && rpIds.length > f.maxRpIdsForSetMinPinLength) refuse(S.CTAP2_ERR_KEY_STORE_FULL);
      if (complexity !== undefined && f.pinComplexityPolicy === false) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
      if (force && !state.pinIsSet) refuse(S.CTAP2_ERR_PIN_NOT_SET);
      if (newMin !== undefined) state.minPinLength = newMin;
      if (rpIds?.length) state.minPinLengthRpIds = rpIds as string[];
      if (complexity !== undefined) state.pinComplexity = complexity;
      // §6.11.4: a PIN now shorter than the minimum (or a forced change) must be changed before any token
      if (force || (state.pinIsSet && state.pinCodePoints < state.minPinLength)) {
        state.forcePinChange = true;
        state.resetToken();
      }
      break;
    }
    case CONFIG_SUB.enableLongTouchForReset:
      state.longTouchForReset = true;
      break;
    case CONFIG_SUB.vendorPrototype: {
      const id = r.required(subParams, 0x01, 'uint');
      if (!(VENDOR_PROTOTYPE_COMMANDS as readonly number[]).includes(id)) refuse(S.CTAP2_ERR_INVALID_SUBCOMMAND);
      break;
    }
  }
  d.changed();
  return undefined;
}

/** The subcommands this key supports (getInfo authenticatorConfigCommands, CTAP 2.3). */
export function configCommands(d: Pick<DeviceContext, 'f' | 'identity'>): number[] {
  const f = d.f;
  return [
    ...(d.identity.enterprise ? [CONFIG_SUB.enableEnterpriseAttestation] : []),
    ...(f.alwaysUv !== false ? [CONFIG_SUB.toggleAlwaysUv] : []),
    ...(f.pinSupported ? [CONFIG_SUB.setMinPINLength] : []),
    ...(f.level >= 22 ? [CONFIG_SUB.enableLongTouchForReset] : []),
    CONFIG_SUB.vendorPrototype,
  ];
}
