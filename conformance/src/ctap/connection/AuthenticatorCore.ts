/**
 * The device side of the connection seam: what a transport server (CTAPHID in ctap/hid, the NFC
 * card in ctap/iso7816) hands an authenticator core, and what it asks of it. The software key is
 * one such core; it never knows which transport carried the request, only what the transport
 * tells it (a touch over USB, the tap over NFC).
 */

/** The host cancelled the request (CTAPHID_CANCEL, NFC cancel) while the device waited for the person. */
export class PresenceCancelled extends Error {}

/** What a request handler may ask of the transport that carried the request. */
export interface RequestContext {
  /**
   * Waits for the person's touch, telling the host meanwhile (KEEPALIVE UP_NEEDED over HID; NFC:
   * the tap is the presence, so it resolves at once); rejects with PresenceCancelled on a cancel.
   * `long`: a long touch (longTouchForReset).
   */
  userPresence(o?: { long?: boolean }): Promise<void>;
  readonly signal: AbortSignal;
  /** the transport the request arrived on (CTAP 2.1 §6.4 transports; transportsForReset) */
  readonly transport: 'usb' | 'nfc';
}

/** The authenticator behind a transport: CTAP2 requests (command byte + CBOR) and, optionally, U2F APDUs. */
export interface AuthenticatorCore {
  /** resolves with the status byte followed by the CBOR body */
  cbor(request: Uint8Array, ctx: RequestContext): Promise<Uint8Array>;
  /** resolves with response data followed by the status word; absent: no CTAP1/U2F */
  readonly msg?: ((apdu: Uint8Array, ctx: RequestContext) => Promise<Uint8Array>) | undefined;
  wink?(): void;
  /** the power went off and came back: volatile state is lost (tokens, key agreement, PIN-block state) */
  powerCycle?(): void;
}
