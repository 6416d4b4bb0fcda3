import type crypto from 'node:crypto';
import { SoftDevice, type DeviceTamper, type SoftCredential, type SoftFaults, type SoftFeatures } from './SoftDevice.ts';
import { CtapHidServer, HID_FAULTS, type HidFaultName, type HidServerOptions } from '../ctap/hid/CtapHidServer.ts';
import { inProcessTransport } from '../ctap/transport/InProcessTransport.ts';
import { connectDevice, connectNfc, type CtapDevice } from '../ctap/CtapDevice.ts';
import { NFC_FAULTS, NfcCard, type NfcCardOptions, type NfcFault } from '../ctap/iso7816/NfcCard.ts';
import { inProcessCard } from '../ctap/iso7816/NfcConnection.ts';
import type { PowerCycler } from '../ctap/power/PowerCycler.ts';
import { WebAuthnClient, type ClientDataOverride } from '../platform/WebAuthnClient.ts';
import { WebAuthnClientError } from '../platform/WebAuthnClientError.ts';
import type { SoftAttestationKind } from './softAttestation.ts';

export type { SoftCredential, SoftFaults, SoftFeatures, DeviceTamper } from './SoftDevice.ts';

export interface SoftAuthenticatorOptions {
  aaguid?: Uint8Array;
  /** packed-full: sign with `attestationKey`, send `x5c` (leaf first); fido-u2f: the same key and leaf, U2F format */
  attestation?: SoftAttestationKind;
  attestationKey?: crypto.KeyObject;
  x5c?: Uint8Array[];
  /** enterprise attestation (CTAP 2.1 §7.1): a device-unique certificate; vendor-facilitated for these RP IDs; `enabled` at power-up (default true) */
  enterprise?: { rpIds: string[]; key: crypto.KeyObject; x5c: Uint8Array[]; enabled?: boolean };
  /** algorithms the key creates credentials with; the first one offered that is in this list wins */
  algorithms?: number[];
  features?: SoftFeatures;
  faults?: SoftFaults;
  /** the CTAPHID layer: how the person touches, its own faults */
  hid?: HidServerOptions;
}

/** A test's hostile deviations: in the key's answer (one-shot) or in the client's clientDataJSON. */
export interface Tamper extends DeviceTamper, ClientDataOverride {}

/**
 * The software authenticator as tests, `check --emulate` and the in-page key use it: a
 * SoftDevice behind CTAPHID (CtapHidServer) on an in-process transport, driven by the same
 * WebAuthn client that drives a USB key or a simulator over UDP. `create` and `get` take the
 * RP's options JSON and return what a browser returns.
 */
export class SoftAuthenticator {
  readonly device: SoftDevice;
  readonly server: CtapHidServer;
  /** what the person types when the key asks for its PIN (default: the profile's PIN) */
  pinEntry?: string;
  private connection?: Promise<{ device: CtapDevice; client: WebAuthnClient }>;
  private queue: Promise<unknown> = Promise.resolve();
  private choice?: string;

  constructor(o: SoftAuthenticatorOptions = {}) {
    this.device = new SoftDevice({
      aaguid: o.aaguid,
      attestation: { kind: o.attestation ?? 'none', key: o.attestationKey, x5c: o.x5c },
      enterprise: o.enterprise,
      algorithms: o.algorithms,
      features: o.features,
      faults: o.faults,
    });
    // the CTAPHID faults named in the profile's `faults`, or given to the HID layer directly
    const hidFaults = Object.fromEntries((Object.keys(HID_FAULTS) as HidFaultName[]).map((f) => [f, !!(o.faults?.[f] || o.hid?.faults?.[f])]));
    this.server = new CtapHidServer(this.device, { ...o.hid, faults: hidFaults, cbor: o.features?.ctap !== 'u2f-only' });
    this.pinEntry = o.features?.clientPin ? o.features.clientPin.pin : undefined;
    this.nfcFaults = Object.fromEntries((Object.keys(NFC_FAULTS) as NfcFault[]).map((f) => [f, !!o.faults?.[f]]));
  }

  /** the NFC faults named in the profile's `faults` (the card takes them when it is made) */
  private readonly nfcFaults: Partial<Record<NfcFault, boolean>>;

  get aaguid(): Uint8Array {
    return this.device.aaguid;
  }

  /** the credentials on the key, by base64url credential ID */
  get credentials(): Map<string, SoftCredential> {
    return this.device.credentials;
  }

  /** PIN retries left (what getPINRetries answers) */
  get retriesLeft(): number {
    return this.device.retriesLeft;
  }

  /** A transport to the key (a second host on it, or the CTAP checks). */
  transport(description = 'in-process software key') {
    return inProcessTransport(this.server, description);
  }

  /**
   * The power going off and on: CTAPHID forgets its channels, the device its volatile state (key
   * agreement, tokens, PIN blocking); credentials, PIN and retries persist.
   */
  powerCycle(): void {
    this.server.powerCycle();
  }

  /** How a connection to this key power-cycles it (CtapDevice.powerCycle). */
  get powerCycler(): PowerCycler {
    return { how: 'in-process', cycle: async () => this.powerCycle() };
  }

  private card?: NfcCard;

  /**
   * The same key as an NFC card (its FIDO applet over ISO 7816-4), sharing the credentials, PIN
   * and state with the CTAPHID side: a key with USB and NFC. Made once; `o` applies then.
   */
  nfc(o: NfcCardOptions = {}): NfcCard {
    this.card ??= new NfcCard(this.device, { ...o, faults: { ...this.nfcFaults, ...o.faults } });
    return this.card;
  }

  /** A device connected to this key's NFC card in process (the tap is the presence), able to power-cycle it. */
  connectNfcDevice(description = 'in-process software key (NFC)'): Promise<CtapDevice> {
    const card = this.nfc();
    return connectNfc(inProcessCard(card, description), { power: { how: 'in-process', cycle: async () => card.powerCycle() } });
  }

  /** A device connected to this key over its own in-process transport, able to power-cycle it. */
  connectDevice(description?: string): Promise<CtapDevice> {
    return connectDevice(this.transport(description), { power: this.powerCycler });
  }

  /** The key connected through CTAPHID, and the WebAuthn client that drives it (made once). */
  connect(): Promise<{ device: CtapDevice; client: WebAuthnClient }> {
    this.connection ??= this.connectDevice().then((device) => ({
      device,
      client: new WebAuthnClient({
        device,
        pin: () => this.pinEntry,
        chooseAccount: (accounts) => {
          const want = this.choice;
          const i = want ? accounts.findIndex((a) => Buffer.from(a.credentialId).toString('base64url') === want) : 0;
          return i < 0 ? 0 : i;
        },
      }),
    }));
    return this.connection;
  }

  /** one ceremony at a time, as a key can only do one */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** navigator.credentials.create(), options as JSON; `tamper` deviates the answer on purpose */
  create(options: Record<string, any>, origin: string, tamper: Tamper = {}): Promise<Record<string, any>> {
    return this.serial(async () => {
      const { client } = await this.connect();
      this.device.nextTamper = deviceTamper(tamper);
      return client.create(options, origin, { clientData: clientTamper(tamper) });
    });
  }

  /** navigator.credentials.get(); `choose`: the credential ID a person would pick in the account chooser */
  get(options: Record<string, any>, origin: string, tamper: Tamper = {}, choose?: string): Promise<Record<string, any>> {
    return this.serial(async () => {
      const { client } = await this.connect();
      this.device.nextTamper = deviceTamper(tamper);
      this.choice = choose;
      return client.get(options, origin, { clientData: clientTamper(tamper) });
    });
  }
}

const deviceTamper = (t: Tamper): DeviceTamper => ({ clearUP: t.clearUP, setUV: t.setUV, clearUV: t.clearUV, bogusSignature: t.bogusSignature, signCount: t.signCount, rpId: t.rpId });
const clientTamper = (t: Tamper): ClientDataOverride | undefined => (t.origin || t.challenge || t.type ? { origin: t.origin, challenge: t.challenge, type: t.type } : undefined);

/** The DOMException name a browser would show for a failed ceremony of the software key. */
export function domErrorName(e: unknown): string {
  return e instanceof WebAuthnClientError ? e.domName : 'NotAllowedError';
}
