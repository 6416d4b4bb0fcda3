import crypto from 'node:crypto';
import type { CborValue } from '../../cbor/decodeCbor.ts';
import type { CanonicalValue } from '../../cbor/encodeCanonical.ts';
import { HarnessError } from '../../errors/HarnessError.ts';
import { CTAP2, PIN_SUB } from '../constants.ts';
import { deviceError } from '../CtapError.ts';
import type { CallOptions } from '../connection/CallOptions.ts';
import type { Ctap2Client } from './Ctap2Client.ts';
import type { AuthenticatorInfo } from './getInfo.ts';
import { encapsulate, paddedPin, pinHashLeft16, type CoseKeyAgreement, type PinUvAuthProtocol } from './pinProtocol.ts';
import { preferredProtocol, type Verification } from './chooseVerification.ts';

/** A pinUvAuthToken and the protocol that made it: what signs CTAP requests for the person. */
export interface PinUvAuthToken {
  protocol: PinUvAuthProtocol;
  token: Uint8Array;
  permissions: number;
  rpId?: string;
}

/**
 * authenticatorClientPIN (CTAP 2.1 §6.5) from the platform side, for one PIN/UV auth protocol.
 * The PIN never leaves this object in the clear and is never logged. setPIN and changePIN exist
 * for a person who asks for them; nothing in the harness calls them on its own.
 */
export class ClientPin {
  readonly ctap: Ctap2Client;
  readonly protocol: PinUvAuthProtocol;

  constructor(ctap: Ctap2Client, protocol: PinUvAuthProtocol) {
    this.ctap = ctap;
    this.protocol = protocol;
  }

  /** The protocol to use with a key: the first it lists that the harness speaks (2 before 1 when both). */
  static preferred(info: AuthenticatorInfo): PinUvAuthProtocol | undefined {
    return preferredProtocol(info);
  }

  private async sub(subCommand: number, extra: [number, CanonicalValue][] = [], o?: CallOptions): Promise<Map<number | string, CborValue>> {
    const params = new Map<number, CanonicalValue>([[0x01, this.protocol.version], [0x02, subCommand], ...extra]);
    return (await this.ctap.call(CTAP2.clientPIN, params, o)).map;
  }

  async getRetries(o?: CallOptions): Promise<{ retries: number; powerCycleState?: boolean }> {
    const m = await this.sub(PIN_SUB.getPINRetries, [], o);
    const retries = m.get(0x03);
    if (typeof retries !== 'number') throw deviceError('DEVICE_PROTOCOL', 'clientPIN getPINRetries answered without pinRetries (0x03)');
    const pcs = m.get(0x04);
    return { retries, powerCycleState: typeof pcs === 'boolean' ? pcs : undefined };
  }

  async getUvRetries(o?: CallOptions): Promise<number> {
    const m = await this.sub(PIN_SUB.getUVRetries, [], o);
    const r = m.get(0x05);
    if (typeof r !== 'number') throw deviceError('DEVICE_PROTOCOL', 'clientPIN getUVRetries answered without uvRetries (0x05)');
    return r;
  }

  /** getKeyAgreement, then encapsulate: our COSE key to send and the shared secret. */
  async keyAgreement(o?: CallOptions): Promise<{ keyAgreement: CoseKeyAgreement; sharedSecret: Uint8Array }> {
    const m = await this.sub(PIN_SUB.getKeyAgreement, [], o);
    return encapsulate(this.protocol, m.get(0x01));
  }

  private decryptToken(shared: Uint8Array, m: Map<number | string, CborValue>, what: string): Uint8Array {
    const enc = m.get(0x02);
    if (!(enc instanceof Uint8Array)) throw deviceError('DEVICE_PROTOCOL', `clientPIN ${what} answered without pinUvAuthToken (0x02)`);
    const token = this.protocol.decrypt(shared, enc);
    if (![16, 32].includes(token.length)) throw deviceError('DEVICE_PROTOCOL', `clientPIN ${what}: the decrypted token is ${token.length} bytes (16 or 32 expected)`);
    return token;
  }

  /** getPinToken (subcommand 5, CTAP 2.0): a token with the legacy mc+ga permissions. */
  async getPinToken(pin: string, o?: CallOptions): Promise<PinUvAuthToken> {
    const { keyAgreement, sharedSecret } = await this.keyAgreement(o);
    const m = await this.sub(PIN_SUB.getPinToken, [[0x03, keyAgreement], [0x06, this.protocol.encrypt(sharedSecret, pinHashLeft16(pin))]], o);
    return { protocol: this.protocol, token: this.decryptToken(sharedSecret, m, 'getPinToken'), permissions: 0x03 };
  }

  /** getPinUvAuthTokenUsingPinWithPermissions (subcommand 9, CTAP 2.1). */
  async tokenUsingPin(pin: string, permissions: number, rpId?: string, o?: CallOptions): Promise<PinUvAuthToken> {
    const { keyAgreement, sharedSecret } = await this.keyAgreement(o);
    const m = await this.sub(PIN_SUB.getPinUvAuthTokenUsingPinWithPermissions, [[0x03, keyAgreement], [0x06, this.protocol.encrypt(sharedSecret, pinHashLeft16(pin))], [0x09, permissions], ...(rpId ? [[0x0a, rpId] as [number, CanonicalValue]] : [])], o);
    return { protocol: this.protocol, token: this.decryptToken(sharedSecret, m, 'getPinUvAuthTokenUsingPinWithPermissions'), permissions, rpId };
  }

  /** getPinUvAuthTokenUsingUvWithPermissions (subcommand 6): built-in user verification instead of the PIN. */
  async tokenUsingUv(permissions: number, rpId?: string, o?: CallOptions): Promise<PinUvAuthToken> {
    const { keyAgreement, sharedSecret } = await this.keyAgreement(o);
    const m = await this.sub(PIN_SUB.getPinUvAuthTokenUsingUvWithPermissions, [[0x03, keyAgreement], [0x09, permissions], ...(rpId ? [[0x0a, rpId] as [number, CanonicalValue]] : [])], o);
    return { protocol: this.protocol, token: this.decryptToken(sharedSecret, m, 'getPinUvAuthTokenUsingUvWithPermissions'), permissions, rpId };
  }

  /** setPIN (subcommand 3): only for a key with no PIN yet, and only when the person asks (--set-pin). */
  async setPin(newPin: string, o?: CallOptions): Promise<void> {
    checkPin(newPin);
    const { keyAgreement, sharedSecret } = await this.keyAgreement(o);
    const newPinEnc = this.protocol.encrypt(sharedSecret, paddedPin(newPin));
    await this.sub(PIN_SUB.setPIN, [[0x03, keyAgreement], [0x04, this.protocol.authenticate(sharedSecret, newPinEnc)], [0x05, newPinEnc]], o);
    await this.ctap.getInfo(o); // options.clientPin is true now
  }

  /** changePIN (subcommand 4): only when the person asks. */
  async changePin(currentPin: string, newPin: string, o?: CallOptions): Promise<void> {
    checkPin(newPin);
    await this.changePinPadded(currentPin, paddedPin(newPin), o);
  }

  /**
   * changePIN with the new PIN's padded block as given, no policy checked here: what the PIN
   * policy probes send to see the key refuse a PIN that is too short, too long, or a block that
   * is not 64 bytes (CTAP 2.1 §6.5.5.6).
   */
  async changePinPadded(currentPin: string, padded: Uint8Array, o?: CallOptions): Promise<void> {
    const { keyAgreement, sharedSecret } = await this.keyAgreement(o);
    const newPinEnc = this.protocol.encrypt(sharedSecret, padded);
    const pinHashEnc = this.protocol.encrypt(sharedSecret, pinHashLeft16(currentPin));
    try {
      await this.sub(PIN_SUB.changePIN, [[0x03, keyAgreement], [0x04, this.protocol.authenticate(sharedSecret, Uint8Array.from([...newPinEnc, ...pinHashEnc]))], [0x05, newPinEnc], [0x06, pinHashEnc]], o);
    } finally {
      await this.ctap.getInfo(o).catch(() => {}); // forcePINChange is false again after a change
    }
  }
}

/**
 * A pinUvAuthToken for `permissions` the way `v` says (chooseVerification): built-in UV, the PIN
 * with permissions, the CTAP 2.0 getPinToken, or the `uv` option of the command itself. A
 * `method: none` verification is a NotAllowed-style refusal with its reason (HarnessError
 * BAD_USAGE: the harness cannot verify the user on this key as asked).
 */
export async function obtainToken(ctap: Ctap2Client, v: Verification, o: { permissions: number; rpId?: string; pin?: string; call?: CallOptions }): Promise<PinUvAuthToken | 'uv-option'> {
  switch (v.method) {
    case 'uv-option':
      return 'uv-option';
    case 'uv':
      return new ClientPin(ctap, v.protocol).tokenUsingUv(o.permissions, o.rpId, o.call);
    case 'pin':
      return new ClientPin(ctap, v.protocol).tokenUsingPin(o.pin!, o.permissions, o.rpId, o.call);
    case 'pinToken':
      return new ClientPin(ctap, v.protocol).getPinToken(o.pin!, o.call);
    default:
      throw new HarnessError('BAD_USAGE', v.reason);
  }
}

/** CTAP 2.1 §6.5.1: at least 4 Unicode code points, at most 63 bytes of UTF-8. */
export function checkPin(pin: string): void {
  if ([...pin].length < 4) throw new HarnessError('BAD_USAGE', 'a PIN has at least 4 characters');
  if (Buffer.byteLength(pin, 'utf8') > 63) throw new HarnessError('BAD_USAGE', 'a PIN is at most 63 bytes of UTF-8');
}

/** pinUvAuthParam for makeCredential / getAssertion: authenticate(token, clientDataHash). */
export function pinUvAuthParam(t: PinUvAuthToken, message: Uint8Array): Uint8Array {
  return t.protocol.authenticate(t.token, message);
}

export const sha256 = (b: Uint8Array) => new Uint8Array(crypto.createHash('sha256').update(b).digest());
