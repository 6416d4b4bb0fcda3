import { encodeCanonical, type CanonicalValue } from '../../cbor/encodeCanonical.ts';
import { CONFIG_SUB, CTAP2 } from '../constants.ts';
import type { CallOptions } from '../connection/CallOptions.ts';
import type { Ctap2Client } from './Ctap2Client.ts';
import { pinUvAuthParam, type PinUvAuthToken } from './clientPin.ts';
import type { AuthenticatorInfo } from './getInfo.ts';

/**
 * authenticatorConfig (CTAP 2.3 §6.11) from the platform side. Each subcommand is signed with a
 * token holding acfg over 32×0xff || 0x0d || subCommand || subCommandParams (when the key has a
 * PIN or built-in UV set up; without a token the request goes unsigned). getInfo is read again
 * after each: alwaysUv, ep, minPINLength and forcePINChange are what it changes. Nothing in the
 * harness sends these unless the person asked for a destructive run.
 */
export class AuthenticatorConfig {
  readonly ctap: Ctap2Client;
  readonly token?: PinUvAuthToken;

  constructor(ctap: Ctap2Client, token?: PinUvAuthToken) {
    this.ctap = ctap;
    this.token = token;
  }

  static supported(info: AuthenticatorInfo): boolean {
    return info.options.authnrCfg === true;
  }

  /** the raw request: for checks that send what a platform would not */
  params(subCommand: number, subCommandParams?: Map<number, CanonicalValue>): Map<number, CanonicalValue> {
    const m = new Map<number, CanonicalValue>([[0x01, subCommand]]);
    if (subCommandParams) m.set(0x02, subCommandParams);
    if (this.token) {
      const message = Uint8Array.from([...new Uint8Array(32).fill(0xff), 0x0d, subCommand, ...(subCommandParams ? encodeCanonical(subCommandParams) : [])]);
      m.set(0x03, this.token.protocol.version);
      m.set(0x04, pinUvAuthParam(this.token, message));
    }
    return m;
  }

  private async send(subCommand: number, subCommandParams?: Map<number, CanonicalValue>, o?: CallOptions): Promise<void> {
    await this.ctap.call(CTAP2.config, this.params(subCommand, subCommandParams), o);
    await this.ctap.getInfo(o);
  }

  enableEnterpriseAttestation(o?: CallOptions): Promise<void> {
    return this.send(CONFIG_SUB.enableEnterpriseAttestation, undefined, o);
  }

  toggleAlwaysUv(o?: CallOptions): Promise<void> {
    return this.send(CONFIG_SUB.toggleAlwaysUv, undefined, o);
  }

  /** setMinPINLength: a new minimum (never lower), the RP IDs that may read it, a forced PIN change, the complexity policy */
  setMinPinLength(p: { newMinPINLength?: number; minPinLengthRPIDs?: string[]; forceChangePin?: boolean; pinComplexityPolicy?: boolean }, o?: CallOptions): Promise<void> {
    const m = new Map<number, CanonicalValue>();
    if (p.newMinPINLength !== undefined) m.set(0x01, p.newMinPINLength);
    if (p.minPinLengthRPIDs) m.set(0x02, p.minPinLengthRPIDs);
    if (p.forceChangePin !== undefined) m.set(0x03, p.forceChangePin);
    if (p.pinComplexityPolicy !== undefined) m.set(0x04, p.pinComplexityPolicy);
    return this.send(CONFIG_SUB.setMinPINLength, m.size ? m : undefined, o);
  }

  enableLongTouchForReset(o?: CallOptions): Promise<void> {
    return this.send(CONFIG_SUB.enableLongTouchForReset, undefined, o);
  }

  vendorPrototype(vendorCommandId: number, o?: CallOptions): Promise<void> {
    return this.send(CONFIG_SUB.vendorPrototype, new Map([[0x01, vendorCommandId]]), o);
  }
}
