import type { CallOptions } from './CallOptions.ts';

/**
 * A key, message by message: the one seam between the CTAP command layers and the transports
 * (CTAPHID over USB, UDP or in process; ISO 7816 APDUs over PC/SC). Above it nobody knows
 * whether the bytes travel as 64-byte HID reports or as APDUs (python-fido2's `CtapDevice.call`
 * is the model).
 */
export interface CtapConnection {
  /** which family of transport: what transport-level checks may ask of it */
  readonly kind: 'hid' | 'nfc';
  /** "udp:127.0.0.1:8111", "usb:/dev/hidraw3", "in-process", "pcsc:Virtual PCD 00 00" */
  readonly description: string;
  /** the key speaks CTAP2 (CTAPHID capability CBOR; an NFC applet that answers getInfo) */
  readonly supportsCbor: boolean;
  /** the key speaks CTAP1/U2F (no CTAPHID NMSG capability; an NFC applet that selects as U2F_V2) */
  readonly supportsMsg: boolean;
  /** a CTAP2 command: command byte and its CBOR parameters out, the status byte and the body back */
  cbor(command: number, params: Uint8Array, o?: CallOptions): Promise<{ status: number; body: Uint8Array }>;
  /** a CTAP1/U2F request APDU out, the response data and status word back */
  msg(apdu: Uint8Array, o?: CallOptions): Promise<Uint8Array>;
  /** abandons the request in flight (CTAPHID_CANCEL; NFCCTAP_GETRESPONSE with the cancel bit) */
  cancel(): Promise<void>;
  /** what the transport said about itself, for reports ("CTAPHID 2, device 5.7.0, capabilities wink cbor") */
  details(): Record<string, unknown>;
  close(): Promise<void>;
}
