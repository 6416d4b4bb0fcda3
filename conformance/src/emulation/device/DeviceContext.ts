import type crypto from 'node:crypto';
import { PresenceCancelled, type RequestContext } from '../../ctap/connection/AuthenticatorCore.ts';
import { CTAP_STATUS as S } from '../../ctap/status.ts';
import { pinProtocol, type PinUvAuthProtocol } from '../../ctap/ctap2/pinProtocol.ts';
import type { AttestationMaterial } from '../softAttestation.ts';
import { MAX_UV_RETRIES, type DeviceState } from './DeviceState.ts';
import type { ResolvedFeatures } from './features.ts';
import type { SoftFaults } from './faults.ts';
import { rawMembers, refuse, type ParamReader } from './params.ts';
import type { CborKey } from '../../cbor/decodeCbor.ts';

/** One-shot deviations for the next response (tests of the RP's refusals). */
export interface DeviceTamper {
  clearUP?: boolean;
  setUV?: boolean;
  clearUV?: boolean;
  bogusSignature?: boolean;
  signCount?: number;
  /** sign for another RP ID (rpIdHash) */
  rpId?: string;
}

/** The emulated person's finger on the sensor: what the next built-in user verifications find. */
export interface SoftFingers {
  /** outcomes to use up first ('match', 'nomatch'); then `always` */
  next: ('match' | 'nomatch')[];
  always: 'match' | 'nomatch';
}

/** Who the key is: what makeCredential attests with. */
export interface DeviceIdentity {
  aaguid: Uint8Array;
  attestation: AttestationMaterial;
  /** enterprise attestation (CTAP 2.1 §7.1): a device-unique certificate; vendor-facilitated for these RP IDs */
  enterprise?: { rpIds: string[]; key: crypto.KeyObject; x5c: Uint8Array[] };
  /** algorithms the key creates credentials with, in its order of preference */
  algorithms: number[];
}

/** How long the key waits for the person before it gives up (CTAP2_ERR_OPERATION_DENIED). */
export const PRESENCE_TIMEOUT_MS = 30_000;

/**
 * What every command of the software key works with: its state, features, faults and identity,
 * the strict parameter reader, the request's transport, and the rules several commands share
 * (user presence, built-in user verification, pinUvAuthParam verification).
 */
export class DeviceContext {
  readonly state: DeviceState;
  readonly f: ResolvedFeatures;
  readonly faults: SoftFaults;
  readonly identity: DeviceIdentity;
  readonly read: ParamReader;
  readonly req: RequestContext;
  readonly fingers: SoftFingers;
  readonly tamper: DeviceTamper;
  readonly changed: () => void;
  /** the request's CBOR parameters as they arrived */
  readonly requestBytes: Uint8Array;
  private raw?: Map<CborKey, Uint8Array>;

  constructor(o: { requestBytes: Uint8Array; state: DeviceState; f: ResolvedFeatures; faults: SoftFaults; identity: DeviceIdentity; read: ParamReader; req: RequestContext; fingers: SoftFingers; tamper: DeviceTamper; changed: () => void }) {
    this.state = o.state;
    this.f = o.f;
    this.faults = o.faults;
    this.identity = o.identity;
    this.read = o.read;
    this.req = o.req;
    this.fingers = o.fingers;
    this.tamper = o.tamper;
    this.changed = o.changed;
    this.requestBytes = o.requestBytes;
  }

  /** a parameter's bytes exactly as sent (empty when absent): the message a pinUvAuthParam signs */
  rawParam(key: CborKey): Uint8Array {
    this.raw ??= rawMembers(this.requestBytes);
    return this.raw.get(key) ?? new Uint8Array();
  }

  /** built-in user verification that has been set up (a sensor with a finger enrolled, or a fixed method) */
  get uvConfigured(): boolean {
    return this.f.uv && (!this.f.bio || this.state.templates.length > 0);
  }

  /** "protected by some form of user verification" (CTAP 2.1 §6.1.2): a PIN set, or built-in UV set up */
  get protectedByUv(): boolean {
    return this.state.pinIsSet || this.uvConfigured;
  }

  /** the key supports pinUvAuthToken or clientPin (§6.1.2 step 1) */
  get pinUvSupported(): boolean {
    return this.f.pinSupported || this.f.uv;
  }

  /** a supported PIN/UV auth protocol, or CTAP1_ERR_INVALID_PARAMETER */
  protocol(version: number): PinUvAuthProtocol {
    if (!this.f.pinProtocols.includes(version as 1 | 2)) refuse(S.CTAP1_ERR_INVALID_PARAMETER);
    return pinProtocol(version)!;
  }

  /** the person's touch; declined or timed out: CTAP2_ERR_OPERATION_DENIED; a CANCEL: CTAP2_ERR_KEEPALIVE_CANCEL */
  async presence(o: { long?: boolean } = {}): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.req.userPresence(o),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new TimedOut()), PRESENCE_TIMEOUT_MS);
          timer.unref?.();
        }),
      ]);
    } catch (e) {
      if (e instanceof PresenceCancelled) throw e;
      if (e instanceof TimedOut) refuse(S.CTAP2_ERR_OPERATION_DENIED);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * performBuiltInUv(): the person puts a finger on the sensor (a touch, so it is evidence of
   * presence too). A match resets uvRetries; a mismatch costs one. `ok`, `fail` (with retries
   * left), or `blocked` (none left).
   */
  async builtInUv(): Promise<'ok' | 'fail' | 'blocked'> {
    if (this.state.uvRetries <= 0) return 'blocked';
    await this.presence();
    const outcome = this.fingers.next.shift() ?? this.fingers.always;
    if (outcome === 'match') {
      this.state.uvRetries = MAX_UV_RETRIES;
      this.state.uvCountSinceLastPinEntry += 1;
      this.changed();
      return 'ok';
    }
    this.state.uvRetries -= 1;
    this.changed();
    return this.state.uvRetries <= 0 ? 'blocked' : 'fail';
  }
}

class TimedOut extends Error {}
