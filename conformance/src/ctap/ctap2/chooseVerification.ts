import type { AuthenticatorInfo } from './getInfo.ts';
import { pinProtocol, type PinUvAuthProtocol } from './pinProtocol.ts';

/**
 * How user verification is had on a key, chosen once from what its getInfo says (CTAP 2.1
 * §6.5.5.7): a pinUvAuthToken through built-in UV or the PIN (with permissions, or the CTAP 2.0
 * getPinToken), the CTAP 2.0 `uv` option, or nothing, with the reason in words. The WebAuthn
 * client and the CTAP probes both ask this one function.
 */
export type Verification =
  | { method: 'uv'; protocol: PinUvAuthProtocol }
  | { method: 'pin'; protocol: PinUvAuthProtocol }
  | { method: 'pinToken'; protocol: PinUvAuthProtocol }
  | { method: 'uv-option' }
  | { method: 'none'; reason: string };

/** The PIN/UV auth protocol to use: the first the key lists that the harness speaks (a CTAP 2.0 key with clientPin lists none: protocol 1). */
export function preferredProtocol(info: AuthenticatorInfo): PinUvAuthProtocol | undefined {
  const offered = info.pinUvAuthProtocols.length ? info.pinUvAuthProtocols : info.options.clientPin !== undefined ? [1] : [];
  for (const v of offered) {
    const p = pinProtocol(v);
    if (p) return p;
  }
  return undefined;
}

/** Verification with the PIN itself: a token with permissions (CTAP 2.1 keys) or the CTAP 2.0 getPinToken. */
export function pinVerification(info: AuthenticatorInfo, protocol: PinUvAuthProtocol): Verification {
  return { method: info.options.pinUvAuthToken === true ? 'pin' : 'pinToken', protocol };
}

/**
 * A permission the PIN alone may be asked for on this key, to learn whether a PIN is right:
 * credential management where the key has it (a noMcGaPermissionsWithClientPin key refuses mc and
 * ga to the PIN, §6.5.5.7), else makeCredential.
 */
export function pinCheckPermission(info: AuthenticatorInfo): number {
  return info.options.credMgmt === true ? 0x04 : 0x01;
}

/**
 * `pinAvailable`: the person gave a PIN (or can be asked for one). `preferPin`: the PIN before
 * built-in UV when both work (a probe of the PIN path). `protocol`: one protocol instead of the
 * preferred. `permissions`: what the token is for (noMcGaPermissionsWithClientPin keys grant mc
 * and ga through built-in UV only).
 */
export function chooseVerification(info: AuthenticatorInfo, o: { pinAvailable: boolean; preferPin?: boolean; protocol?: PinUvAuthProtocol; permissions?: number }): Verification {
  const opts = info.options;
  const protocol = o.protocol ?? preferredProtocol(info);
  const tokens = opts.pinUvAuthToken === true;
  const pinGrantsMcGa = !(opts.noMcGaPermissionsWithClientPin === true && o.permissions !== undefined && (o.permissions & 0x03) !== 0);
  const pin = (): Verification | undefined => (opts.clientPin === true && protocol && o.pinAvailable && pinGrantsMcGa ? pinVerification(info, protocol) : undefined);
  if (o.preferPin) {
    const p = pin();
    if (p) return p;
  }
  if (opts.uv === true) {
    if (tokens && protocol) return { method: 'uv', protocol };
    if (!tokens) return { method: 'uv-option' };
  }
  const p = pin();
  if (p) return p;
  if (opts.clientPin === true && protocol && !o.pinAvailable) return { method: 'none', reason: 'the key has a PIN and none was given (--pin-env VAR)' };
  if (opts.clientPin === true && !pinGrantsMcGa) return { method: 'none', reason: 'the key grants makeCredential and getAssertion permissions only through built-in user verification (noMcGaPermissionsWithClientPin), which is not set up' };
  if (opts.clientPin === true) return { method: 'none', reason: 'the key has a PIN but lists no PIN/UV auth protocol the harness speaks (1 or 2)' };
  if (opts.uv === false) return { method: 'none', reason: 'the key\'s built-in user verification is not set up yet (no finger enrolled)' };
  if (opts.clientPin === false) return { method: 'none', reason: 'the key has no PIN set and no built-in user verification (--set-pin sets one)' };
  return { method: 'none', reason: 'the key has neither built-in user verification nor a client PIN' };
}
